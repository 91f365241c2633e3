"""Recovery without a crash: runner A parks an execution and is abandoned (never closed, its
lease left to run out on the test's clock); runner B adopts the execution and finishes it.

Contract (:mod:`ferry.runner.durable`): a dead owner's leases expire and another process takes
its executions over; a Wait resumes with the time it had left; Map iterations that finished are
never run again; a task whose result was not committed is invoked again with the same
``context.aws_request_id``.
"""

from __future__ import annotations

import pytest

from ferry.jsontypes import JSON, dumps
from ferry.store.records import NewExecution

from .conftest import ACCOUNT, DurableKit, ManualClock, in_flight

LEASE = 10.0
PAST_LEASE = LEASE + 1


def _timestamp(kit: DurableKit, arn: str, event_type: str) -> float:
    """The timestamp of the only event of ``event_type``."""
    [event] = [e for e in kit.history(arn) if e["type"] == event_type]
    stamp = event["timestamp"]
    assert isinstance(stamp, float)
    return stamp


def test_b_adopts_a_parked_wait_and_keeps_its_due_time(kit: DurableKit, clock: ManualClock) -> None:
    machine = kit.machine(
        {
            "StartAt": "Hold",
            "States": {
                "Hold": {"Type": "Wait", "Seconds": 100, "Next": "After"},
                "After": {"Type": "Pass", "Result": "done", "End": True},
            },
        }
    )
    a = kit.runner("a", lease_seconds=LEASE)
    started = a.start(machine, {"k": 1})
    entered = _timestamp(kit, started.arn, "WaitStateEntered")
    [timer] = kit.store.timers.due(float("inf"))
    assert timer.due == pytest.approx(entered + 100)

    b = kit.runner("b", lease_seconds=LEASE)
    b.poll()  # A's lease still holds: B must leave the execution alone
    holder = kit.store.leases.holder(started.arn)
    assert holder is not None
    assert holder[0] == "a"
    assert kit.event_types(started.arn)[-1] == "WaitStateEntered"

    clock.advance(PAST_LEASE)  # A is gone: its lease runs out
    final = b.run_until_closed(started.arn)
    assert final.status == "SUCCEEDED"
    assert kit.output(started.arn) == "done"
    assert kit.event_types(started.arn).count("WaitStateEntered") == 1
    exited = _timestamp(kit, started.arn, "WaitStateExited")
    # The original due time, not a Wait restarted by B (which would end at +11 +100).
    assert exited >= entered + 100
    assert exited == pytest.approx(entered + 100)


TRACK = """
def handler(event, context):
    count = probe.record("track", event, context.aws_request_id)
    if count == 1:
        probe.arrived.release()
        probe.release.wait(30)  # A's invocation: its answer comes after A is abandoned
    return {"call": count}
"""


def test_a_task_without_a_committed_result_runs_again_with_the_same_request_id(
    kit: DurableKit, clock: ManualClock
) -> None:
    track = kit.function("track", TRACK)
    machine = kit.machine(
        {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": track, "End": True}}}
    )
    a = kit.runner("a", lease_seconds=LEASE)
    started = a.start(machine, {"job": 7})
    kit.probe.wait_arrived()  # A's handler is inside, its result not committed

    clock.advance(PAST_LEASE)
    b = kit.runner("b", lease_seconds=LEASE)
    final = b.run_until_closed(started.arn)
    assert final.status == "SUCCEEDED"
    assert kit.output(started.arn) == {"call": 2}
    calls = kit.probe.calls_of("track")
    assert [c.event for c in calls] == [{"job": 7}, {"job": 7}]
    assert calls[0].request_id == calls[1].request_id
    types = kit.event_types(started.arn)
    assert types.count("LambdaFunctionScheduled") == 1
    assert types.count("LambdaFunctionSucceeded") == 1

    history = kit.history(started.arn)
    kit.probe.release.set()  # A's invocation ends now; A's late answer must change nothing
    kit.poll_until(a, lambda: in_flight(a) == 0)
    assert kit.history(started.arn) == history
    assert kit.output(started.arn) == {"call": 2}


ITEM = """
def handler(event, context):
    probe.record("item", event, context.aws_request_id)
    if event == 3 and [c.event for c in probe.calls_of("item")].count(3) == 1:
        probe.arrived.release()
        probe.release.wait(30)  # item 3 is still running when A is abandoned
    return event * 10
"""


def test_finished_map_iterations_are_not_run_again(kit: DurableKit, clock: ManualClock) -> None:
    item = kit.function("item", ITEM)
    machine = kit.machine(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "Iterator": {
                        "StartAt": "Times10",
                        "States": {"Times10": {"Type": "Task", "Resource": item, "End": True}},
                    },
                    "End": True,
                }
            },
        }
    )
    a = kit.runner("a", lease_seconds=LEASE)
    started = a.start(machine, [0, 1, 2, 3])
    kit.probe.wait_arrived()
    kit.poll_until(a, lambda: kit.event_types(started.arn).count("MapIterationSucceeded") == 3)

    clock.advance(PAST_LEASE)
    b = kit.runner("b", lease_seconds=LEASE)
    assert b.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == [0, 10, 20, 30]
    calls = kit.probe.calls_of("item")
    assert sorted(c.event for c in calls if isinstance(c.event, int)) == [0, 1, 2, 3, 3]
    again = [c.request_id for c in calls if c.event == 3]
    assert again[0] == again[1]
    types = kit.event_types(started.arn)
    assert types.count("MapIterationStarted") == 4
    assert types.count("MapIterationSucceeded") == 4


def test_an_execution_whose_first_step_never_committed_is_begun_by_the_adopter(
    kit: DurableKit,
) -> None:
    # A process that died between StartExecution's insert and the first step leaves an
    # execution with no state yet; whoever adopts it begins it.
    machine = kit.machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:Demo:orphan"
    data: JSON = {"orphan": True}
    kit.store.executions.create(
        NewExecution(arn, machine, "orphan", dumps(data), "", kit.clock.now())
    )
    b = kit.runner("b", lease_seconds=LEASE)
    assert b.run_until_closed(arn).status == "SUCCEEDED"
    assert kit.output(arn) == data
    types = kit.event_types(arn)
    assert types[0] == "ExecutionStarted"
    assert types.count("ExecutionStarted") == 1
    assert types[-1] == "ExecutionSucceeded"


def test_a_live_owner_renews_its_lease_and_keeps_its_executions(
    kit: DurableKit, clock: ManualClock
) -> None:
    clock.can_jump = False  # the test decides when time passes
    machine = kit.machine(
        {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 100, "End": True}}}
    )
    a = kit.runner("a", lease_seconds=LEASE)
    started = a.start(machine, {})
    b = kit.runner("b", lease_seconds=LEASE)
    for _ in range(4):  # 24 s in all, more than twice the lease: A renews as it goes
        clock.advance(LEASE * 0.6)
        a.poll()
        b.poll()
        holder = kit.store.leases.holder(started.arn)
        assert holder is not None
        assert holder[0] == "a"
    clock.advance(100)
    assert a.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.event_types(started.arn).count("WaitStateEntered") == 1
