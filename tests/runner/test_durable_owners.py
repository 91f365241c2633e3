"""Two runners on one store (as two ``ferry server`` processes would be): every execution is
run by exactly one of them, and all of them finish.

Contract (:mod:`ferry.runner.durable`): one process owns an execution at a time, through a
lease; no step runs twice concurrently.
"""

from __future__ import annotations

import threading
from collections import Counter

from ferry.jsontypes import dumps

from .conftest import MAX_POLLS, DurableKit

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
