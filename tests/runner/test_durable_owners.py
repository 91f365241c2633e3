"""Two runners on one store (as two ``ferry server`` processes would be): every execution is
run by exactly one of them, and all of them finish.

Contract (:mod:`ferry.runner.durable`): one process owns an execution at a time, through a
lease; no step runs twice concurrently.
"""

from __future__ import annotations

import threading
from collections import Counter

from ferry.jsontypes import dumps

from .conftest import MAX_POLLS, DurableKit, in_flight

WORK = """
def handler(event, context):
    probe.record("work", event, context.aws_request_id)
    return event["id"]
"""


def _all_closed(kit: DurableKit, arns: list[str]) -> bool:
    records = [kit.store.executions.describe(arn) for arn in arns]
    return all(r is not None and r.status != "RUNNING" for r in records)


def test_each_execution_is_run_by_exactly_one_of_two_runners(kit: DurableKit) -> None:
    work = kit.function("work", WORK)
    machine = kit.machine(
        {
            "StartAt": "Hold",
            "States": {
                "Hold": {"Type": "Wait", "Seconds": 10, "Next": "Work"},
                "Work": {
                    "Type": "Task",
                    "Resource": work,
                    "Parameters": {"id.$": "$$.Execution.Id"},
                    "End": True,
                },
            },
        }
    )
    a, b = kit.runner("a"), kit.runner("b")
    arns = [a.start(machine, {"i": i}).arn for i in range(3)]
    arns += [b.start(machine, {"i": i}).arn for i in range(3, 6)]
    starter = kit.runner("api")  # starts executions, then leaves them to whoever takes them
    arns += [starter.start(machine, {"i": i}).arn for i in range(6, 10)]
    starter.close()

    stop = threading.Event()
    threads = [threading.Thread(target=r.serve, args=(stop,)) for r in (a, b)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(MAX_POLLS):
            if _all_closed(kit, arns) or stop.wait(0.01):
                break
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)

    records = [kit.store.executions.describe(arn) for arn in arns]
    assert [r.status if r else None for r in records] == ["SUCCEEDED"] * len(arns)
    assert {arn: kit.output(arn) for arn in arns} == {arn: arn for arn in arns}
    runs = Counter(dumps(call.event) for call in kit.probe.calls_of("work"))
    assert runs == Counter({dumps({"id": arn}): 1 for arn in arns})
    for arn in arns:
        ids = [e["id"] for e in kit.history(arn)]
        assert ids == list(range(1, len(ids) + 1))


def _wait_machine(kit: DurableKit, seconds: int) -> str:
    return kit.machine(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}},
        name=f"Wait{seconds}",
    )


def test_a_runner_is_not_held_up_by_another_owners_timer(kit: DurableKit) -> None:
    a = kit.runner("a", lease_seconds=1000)
    a.start(_wait_machine(kit, 50), {})  # A stays alive (its lease holds) but is busy elsewhere
    b = kit.runner("b", lease_seconds=1000)
    mine = b.start(_wait_machine(kit, 100), {})
    kit.poll_until(b, lambda: _all_closed(kit, [mine.arn]))
    record = kit.store.executions.describe(mine.arn)
    assert record is not None
    assert record.status == "SUCCEEDED"


def test_another_runner_starting_the_same_name_returns_the_running_execution(
    kit: DurableKit,
) -> None:
    machine = _wait_machine(kit, 3600)
    a, b = kit.runner("a"), kit.runner("b")
    first = a.start(machine, {"n": 1}, name="shared")
    again = b.start(machine, {"n": 1}, name="shared")
    assert again.arn == first.arn
    holder = kit.store.leases.holder(first.arn)
    assert holder is not None
    assert holder[0] == "a"  # B did not take it over
    assert kit.event_types(first.arn) == ["ExecutionStarted", "WaitStateEntered"]


BLOCK = """
def handler(event, context):
    probe.record("block", event, context.aws_request_id)
    probe.arrived.release()
    probe.release.wait(30)
    return {"late": True}
"""


def test_a_stop_sent_through_another_runner_aborts_a_running_task(kit: DurableKit) -> None:
    block = kit.function("block", BLOCK)
    machine = kit.machine(
        {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": block, "End": True}}}
    )
    owner = kit.runner("a")
    started = owner.start(machine, {})
    kit.probe.wait_arrived()
    kit.runner("api").stop(started.arn, "Stop.ByApi", "requested elsewhere")
    final = owner.run_until_closed(started.arn)
    assert final.status == "ABORTED"
    assert (final.error, final.cause) == ("Stop.ByApi", "requested elsewhere")
    history = kit.history(started.arn)
    assert history[-1]["type"] == "ExecutionAborted"
    assert "LambdaFunctionSucceeded" not in kit.event_types(started.arn)

    kit.probe.release.set()  # the cancelled handler answers late: nothing changes
    kit.poll_until(owner, lambda: in_flight(owner) == 0)
    assert kit.history(started.arn) == history
