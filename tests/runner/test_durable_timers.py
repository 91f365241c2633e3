"""Task timeouts and Retry back-offs on the durable runner: timers are due times in the store
(``store.timers``), never sleeps, so they are visible while the execution is parked and survive
a change of owner.

AWS behaviour: "Handling errors in Step Functions workflows" (https://docs.aws.amazon.com/
step-functions/latest/dg/concepts-error-handling.html): ``IntervalSeconds`` before the first
retry, multiplied by ``BackoffRate`` for each later one; a Task that runs past
``TimeoutSeconds`` fails with ``States.Timeout`` (recorded on AWS: conformance case
``test_timeouts.py::TestTimeouts::test_fixed_timeout_lambda``).
"""

from __future__ import annotations

import pytest

from ferry.jsontypes import JSON

from .conftest import DurableKit, ManualClock, in_flight

BLOCK = """
def handler(event, context):
    probe.record("block", event, context.aws_request_id)
    probe.arrived.release()
    probe.release.wait(30)
    return {"late": True}
"""

FLAKY = """
def handler(event, context):
    count = probe.record("flaky", event, context.aws_request_id)
    if count <= 2:
        raise RuntimeError(f"attempt {count} failed")
    return {"ok": count}
"""

RETRY: JSON = [
    {"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 3}
]


def _stamps(kit: DurableKit, arn: str, event_type: str) -> list[float]:
    stamps = [e["timestamp"] for e in kit.history(arn) if e["type"] == event_type]
    assert all(isinstance(s, float) for s in stamps)
    return [float(s) for s in stamps if isinstance(s, float)]


def _dues(kit: DurableKit) -> list[float]:
    """Every stored timer's due time."""
    return [t.due for t in kit.store.timers.due(float("inf"))]


def _task(resource: str, **fields: JSON) -> JSON:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": resource, "End": True, **fields}},
    }


def test_a_task_past_timeout_seconds_fails_with_states_timeout(
    kit: DurableKit, clock: ManualClock
) -> None:
    clock.can_jump = False  # a task is running: only the test moves time
    machine = kit.machine(_task(kit.function("block", BLOCK), TimeoutSeconds=5))
    runner = kit.runner("a")
    started = runner.start(machine, {})
    kit.probe.wait_arrived()
    [scheduled] = _stamps(kit, started.arn, "LambdaFunctionScheduled")
    assert _dues(kit) == [pytest.approx(scheduled + 5)]

    runner.poll()  # not yet due: still waiting for the handler
    assert kit.event_types(started.arn)[-1] == "LambdaFunctionStarted"
    clock.advance(5)
    final = runner.run_until_closed(started.arn)
    assert final.status == "FAILED"
    assert final.error == "States.Timeout"
    [timed_out] = [e for e in kit.history(started.arn) if e["type"] == "LambdaFunctionTimedOut"]
    details = timed_out["lambdaFunctionTimedOutEventDetails"]
    assert isinstance(details, dict)
    assert details["error"] == "States.Timeout"
    assert _dues(kit) == []

    history = kit.history(started.arn)
    kit.probe.release.set()  # the handler answers after the timeout: that changes nothing
    kit.poll_until(runner, lambda: in_flight(runner) == 0)
    assert kit.history(started.arn) == history


def test_retry_backoff_timers_are_stored_due_times(kit: DurableKit, clock: ManualClock) -> None:
    clock.can_jump = False
    machine = kit.machine(_task(kit.function("flaky", FLAKY), Retry=RETRY))
    runner = kit.runner("a")
    started = runner.start(machine, {"n": 1})
    kit.poll_until(runner, lambda: bool(_dues(kit)))
    [first_failure] = _stamps(kit, started.arn, "LambdaFunctionFailed")
    assert _dues(kit) == [pytest.approx(first_failure + 3)]
    runner.poll()  # parked in the back-off: no second attempt yet
    assert len(_stamps(kit, started.arn, "LambdaFunctionScheduled")) == 1

    clock.advance(3)
    kit.poll_until(runner, lambda: len(_stamps(kit, started.arn, "LambdaFunctionFailed")) == 2)
    kit.poll_until(runner, lambda: bool(_dues(kit)))
    second_failure = _stamps(kit, started.arn, "LambdaFunctionFailed")[1]
    assert _dues(kit) == [pytest.approx(second_failure + 6)]  # IntervalSeconds x BackoffRate

    clock.advance(6)
    assert runner.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {"ok": 3}
    scheduled = _stamps(kit, started.arn, "LambdaFunctionScheduled")
    assert scheduled[1] == pytest.approx(first_failure + 3)
    assert scheduled[2] == pytest.approx(second_failure + 6)
    # Each attempt has its own idempotency key, so its own request id.
    assert len({c.request_id for c in kit.probe.calls_of("flaky")}) == 3


def test_a_retry_backoff_keeps_its_due_time_across_owners(
    kit: DurableKit, clock: ManualClock
) -> None:
    retry: JSON = [{"ErrorEquals": ["RuntimeError"], "IntervalSeconds": 20, "MaxAttempts": 5}]
    machine = kit.machine(_task(kit.function("flaky", FLAKY), Retry=retry))
    a = kit.runner("a", lease_seconds=10)
    started = a.start(machine, {})
    kit.poll_until(a, lambda: len(_stamps(kit, started.arn, "LambdaFunctionFailed")) == 2)
    failures = _stamps(kit, started.arn, "LambdaFunctionFailed")
    assert _dues(kit) == [pytest.approx(failures[1] + 20)]

    clock.jump_to(failures[1] + 11)  # A dies in the back-off; its lease runs out first
    b = kit.runner("b", lease_seconds=10)
    assert b.run_until_closed(started.arn).status == "SUCCEEDED"
    scheduled = _stamps(kit, started.arn, "LambdaFunctionScheduled")
    assert len(scheduled) == 3
    assert scheduled[2] == pytest.approx(failures[1] + 20)
    assert len(kit.probe.calls_of("flaky")) == 3


def test_a_wait_due_while_nobody_owned_it_fires_at_once(
    kit: DurableKit, clock: ManualClock
) -> None:
    machine = kit.machine(
        {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 5, "End": True}}}
    )
    a = kit.runner("a", lease_seconds=10)
    started = a.start(machine, {})
    [entered] = _stamps(kit, started.arn, "WaitStateEntered")
    clock.advance(60)  # the owner died before the Wait ended; nobody ran it for a minute
    b = kit.runner("b", lease_seconds=10)
    assert b.run_until_closed(started.arn).status == "SUCCEEDED"
    [exited] = _stamps(kit, started.arn, "WaitStateExited")
    assert exited == pytest.approx(entered + 60)  # when B found it due, not 5 s after that
