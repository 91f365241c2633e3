"""Callback tasks on the durable runner: ``lambda:invoke.waitForTaskToken`` parks the execution
until SendTaskSuccess / SendTaskFailure answer its token; SendTaskHeartbeat keeps a task with
HeartbeatSeconds alive.

AWS behaviour: "Wait for a Callback with Task Token" (https://docs.aws.amazon.com/step-functions/
latest/dg/connect-to-resource.html#connect-wait-token): the task pauses until SendTaskSuccess or
SendTaskFailure returns the token; "Heartbeat timeout: ... the task fails with
States.HeartbeatTimeout" unless SendTaskHeartbeat arrives in time. API_SendTaskSuccess
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html):
``InvalidToken`` for a token that is not known, ``TaskTimedOut`` for a task that has ended.
"""

from __future__ import annotations

import re

import pytest

from ferry.jsontypes import JSON
from ferry.runner.durable import InvalidTokenError, TaskTimedOutError

from .conftest import DurableKit, ManualClock, in_flight

WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken"
PARK = """
def handler(event, context):
    probe.record("park", event, context.aws_request_id)
    with probe.lock:
        probe.tokens.append(event["token"])
    return {"accepted": True}
"""


def _ask(next_state: str | None = None, **fields: JSON) -> dict[str, JSON]:
    """A callback task that hands its token to the ``park`` handler."""
    state: dict[str, JSON] = {
        "Type": "Task",
        "Resource": WAIT_FOR_TOKEN,
        "Parameters": {"FunctionName": "park", "Payload": {"token.$": "$$.Task.Token"}},
        **fields,
    }
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


def _one_ask(kit: DurableKit, **fields: JSON) -> str:
    kit.function("park", PARK)
    return kit.machine({"StartAt": "Ask", "States": {"Ask": _ask(**fields)}})


def _submitted(kit: DurableKit, arn: str, count: int = 1) -> bool:
    return kit.event_types(arn).count("TaskSubmitted") == count


def test_send_task_success_is_the_tasks_output(kit: DurableKit) -> None:
    runner = kit.runner("a")
    started = runner.start(_one_ask(kit), {"order": 1})
    kit.poll_until(runner, lambda: _submitted(kit, started.arn))
    runner.send_task_success(kit.probe.tokens[0], {"answer": 42})
    assert runner.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {"answer": 42}
    types = kit.event_types(started.arn)
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    [succeeded] = [e for e in kit.history(started.arn) if e["type"] == "TaskSucceeded"]
    details = succeeded["taskSucceededEventDetails"]
    assert isinstance(details, dict)
    assert details["output"] == '{"answer":42}'
    assert [c.event for c in kit.probe.calls_of("park")] == [{"token": kit.probe.tokens[0]}]


def test_send_task_failure_is_caught_by_catch(kit: DurableKit) -> None:
    kit.function("park", PARK)
    catch: JSON = [{"ErrorEquals": ["Custom.Error"], "ResultPath": "$.failure", "Next": "Handled"}]
    machine = kit.machine(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": _ask("Done", Catch=catch),
                "Handled": {"Type": "Pass", "End": True},
                "Done": {"Type": "Succeed"},
            },
        }
    )
    runner = kit.runner("a")
    started = runner.start(machine, {"order": 1})
    kit.poll_until(runner, lambda: _submitted(kit, started.arn))
    runner.send_task_failure(kit.probe.tokens[0], "Custom.Error", "the robot broke")
    assert runner.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {
        "order": 1,
        "failure": {"Error": "Custom.Error", "Cause": "the robot broke"},
    }
    [failed] = [e for e in kit.history(started.arn) if e["type"] == "TaskFailed"]
    details = failed["taskFailedEventDetails"]
    assert isinstance(details, dict)
    assert (details["error"], details["cause"]) == ("Custom.Error", "the robot broke")


def test_an_unknown_token_is_invalid_token(kit: DurableKit) -> None:
    runner = kit.runner("a")
    runner.start(_one_ask(kit), {})
    with pytest.raises(InvalidTokenError):
        runner.send_task_success("0" * 64, {})
    with pytest.raises(InvalidTokenError):
        runner.send_task_failure("not-a-token", "E", "c")
    with pytest.raises(InvalidTokenError):
        runner.send_task_heartbeat("f" * 64)


def test_answering_a_token_twice_is_task_timed_out(kit: DurableKit) -> None:
    kit.function("park", PARK)
    machine = kit.machine(
        {"StartAt": "First", "States": {"First": _ask("Second"), "Second": _ask()}}
    )
    runner = kit.runner("a")
    started = runner.start(machine, {})
    kit.poll_until(runner, lambda: _submitted(kit, started.arn))
    first = kit.probe.tokens[0]
    runner.send_task_success(first, {"step": 1})
    kit.poll_until(runner, lambda: _submitted(kit, started.arn, 2))
    with pytest.raises(TaskTimedOutError):  # the execution runs on, the first task has ended
        runner.send_task_success(first, {"step": "again"})
    with pytest.raises(TaskTimedOutError):
        runner.send_task_failure(first, "Late", "too late")
    second = kit.probe.tokens[1]
    runner.send_task_success(second, {"step": 2})
    assert runner.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {"step": 2}
    with pytest.raises(TaskTimedOutError):  # and once the execution has closed
        runner.send_task_success(second, {"step": "again"})


def test_tokens_are_256_bit_hex_and_differ_per_task(kit: DurableKit) -> None:
    kit.function("park", PARK)
    machine = kit.machine(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "Iterator": {"StartAt": "Ask", "States": {"Ask": _ask()}},
                    "End": True,
                }
            },
        }
    )
    runner = kit.runner("a")
    first = runner.start(machine, [0, 1, 2])
    second = runner.start(machine, [0])
    kit.poll_until(runner, lambda: _submitted(kit, first.arn, 3) and _submitted(kit, second.arn))
    tokens = kit.probe.tokens
    assert len(tokens) == 4
    assert len(set(tokens)) == 4
    assert all(re.fullmatch(r"[0-9a-f]{64}", token) for token in tokens)
    for token in tokens:
        runner.send_task_success(token, token)  # each task's output is its own token
    runner.run_until_closed(first.arn)
    runner.run_until_closed(second.arn)
    outputs = [kit.output(first.arn), kit.output(second.arn)]
    assert isinstance(outputs[0], list)
    assert isinstance(outputs[1], list)
    assert len(outputs[0]) == 3
    assert {*outputs[0], *outputs[1]} == set(tokens)


def test_heartbeats_keep_the_task_alive(kit: DurableKit, clock: ManualClock) -> None:
    clock.can_jump = False  # time moves only when the test says so
    runner = kit.runner("a")
    started = runner.start(_one_ask(kit, HeartbeatSeconds=10), {})
    kit.poll_until(runner, lambda: _submitted(kit, started.arn))
    token = kit.probe.tokens[0]
    [timer] = kit.store.timers.due(float("inf"))
    assert timer.due == pytest.approx(clock.now() + 10)

    clock.advance(6)
    runner.send_task_heartbeat(token)
    kit.poll_until(runner, lambda: kit.store.timers.due(float("inf"))[0].due > timer.due)
    [moved] = kit.store.timers.due(float("inf"))
    assert moved.due == pytest.approx(clock.now() + 10)
    found = kit.store.tokens.find(token)
    assert found is not None
    assert found.heartbeat_at == pytest.approx(clock.now())

    clock.advance(6)  # past the first deadline, within the renewed one
    runner.poll()
    record = kit.store.executions.describe(started.arn)
    assert record is not None
    assert record.status == "RUNNING"
    assert "TaskTimedOut" not in kit.event_types(started.arn)
    runner.send_task_success(token, {"alive": True})
    assert runner.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {"alive": True}


def test_a_missed_heartbeat_is_states_heartbeat_timeout(kit: DurableKit) -> None:
    runner = kit.runner("a")
    started = runner.start(_one_ask(kit, HeartbeatSeconds=10), {})
    final = runner.run_until_closed(started.arn)  # the clock jumps to the heartbeat deadline
    assert final.status == "FAILED"
    assert final.error == "States.HeartbeatTimeout"
    history = kit.history(started.arn)
    [scheduled] = [e for e in history if e["type"] == "TaskScheduled"]
    [timed_out] = [e for e in history if e["type"] == "TaskTimedOut"]
    details = timed_out["taskTimedOutEventDetails"]
    assert isinstance(details, dict)
    assert details["error"] == "States.HeartbeatTimeout"
    assert isinstance(scheduled["timestamp"], float)
    assert timed_out["timestamp"] == pytest.approx(scheduled["timestamp"] + 10)
    with pytest.raises(TaskTimedOutError):
        runner.send_task_success(kit.probe.tokens[0], {"late": True})


def test_a_new_owner_takes_over_a_parked_callback(kit: DurableKit, clock: ManualClock) -> None:
    a = kit.runner("a", lease_seconds=10)
    started = a.start(_one_ask(kit), {"order": 1})
    kit.poll_until(a, lambda: _submitted(kit, started.arn))
    clock.advance(11)  # A is gone
    b = kit.runner("b", lease_seconds=10)
    api = kit.runner("api")  # another process answering the token: it only signals
    api.send_task_success(kit.probe.tokens[0], {"answer": "late but fine"})
    assert b.run_until_closed(started.arn).status == "SUCCEEDED"
    assert kit.output(started.arn) == {"answer": "late but fine"}
    assert kit.event_types(started.arn).count("TaskSucceeded") == 1


def test_adopting_a_submitted_callback_does_not_call_it_again(
    kit: DurableKit, clock: ManualClock
) -> None:
    # The contract re-runs a task whose result was not committed; a callback task's service
    # call already has its committed result (TaskSubmitted), so it must not run again.
    a = kit.runner("a", lease_seconds=10)
    started = a.start(_one_ask(kit), {"order": 1})
    kit.poll_until(a, lambda: _submitted(kit, started.arn))
    clock.advance(11)
    b = kit.runner("b", lease_seconds=10)
    kit.poll_until(b, lambda: _holder(kit, started.arn) == "b" and in_flight(b) == 0)
    assert _submitted(kit, started.arn)
    assert len(kit.probe.calls_of("park")) == 1


def _holder(kit: DurableKit, arn: str) -> str | None:
    holder = kit.store.leases.holder(arn)
    return None if holder is None else holder[0]


def test_a_heartbeat_deadline_survives_a_change_of_owner(
    kit: DurableKit, clock: ManualClock
) -> None:
    a = kit.runner("a", lease_seconds=10)
    started = a.start(_one_ask(kit, HeartbeatSeconds=60), {})
    kit.poll_until(a, lambda: _submitted(kit, started.arn))
    [scheduled] = [e for e in kit.history(started.arn) if e["type"] == "TaskScheduled"]
    assert isinstance(scheduled["timestamp"], float)
    clock.advance(11)  # A is gone
    b = kit.runner("b", lease_seconds=10)
    final = b.run_until_closed(started.arn)
    assert final.error == "States.HeartbeatTimeout"
    [timed_out] = [e for e in kit.history(started.arn) if e["type"] == "TaskTimedOut"]
    # The deadline A committed, not one restarted when B took over (+11 +60).
    assert timed_out["timestamp"] == pytest.approx(scheduled["timestamp"] + 60)
