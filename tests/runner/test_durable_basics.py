"""The durable runner end to end: an execution runs to its end step by step through the store,
with the history the in-memory runner gives; execution names follow StartExecution's rules;
StopExecution aborts.

Contract: the module docstring of :mod:`ferry.runner.durable`.
"""

from __future__ import annotations

import pytest

from ferry.jsontypes import JSON
from ferry.runner.durable import TaskTimedOutError
from ferry.runner.local import default_integrations, run
from ferry.store.errors import ExecutionAlreadyExistsError, ExecutionNotRunningError

from .conftest import DurableKit, ManualClock

# Deterministic output (no request id), so both runners' histories can be compared verbatim.
DOUBLE = """
def handler(event, context):
    probe.record("double", event, context.aws_request_id)
    return event["value"] * 2
"""


def _every_kind(double: str) -> JSON:
    """Task, Wait, Parallel, Map (one at a time, so the event order is fixed), Choice."""
    return {
        "StartAt": "Double",
        "States": {
            "Double": {
                "Type": "Task",
                "Resource": double,
                "ResultPath": "$.value",
                "Next": "Pause",
            },
            "Pause": {"Type": "Wait", "Seconds": 30, "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "R",
                        "States": {"R": {"Type": "Pass", "Result": "right", "End": True}},
                    },
                ],
                "ResultPath": "$.both",
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "Iterator": {
                    "StartAt": "D",
                    "States": {"D": {"Type": "Task", "Resource": double, "End": True}},
                },
                "ResultPath": "$.doubled",
                "Next": "Big?",
            },
            "Big?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.value", "NumericGreaterThan": 5, "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def _shape(history: list[dict[str, JSON]]) -> list[dict[str, JSON]]:
    """Events without their timestamps (the only field two runs may differ in)."""
    return [{k: v for k, v in event.items() if k != "timestamp"} for event in history]


def _parked_at_wait(kit: DurableKit) -> str:
    """A machine that waits an hour before it ends: its executions stay RUNNING."""
    return kit.machine(
        {
            "StartAt": "Hold",
            "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}},
        }
    )


def test_runs_to_success_with_the_history_of_the_in_memory_runner(kit: DurableKit) -> None:
    double = kit.function("double", DOUBLE)
    definition = _every_kind(double)
    data: JSON = {"value": 3, "items": [{"value": 1}, {"value": 2}]}
    runner = kit.runner("a")
    started = runner.start(kit.machine(definition), data, name="every-kind")
    final = runner.run_until_closed(started.arn)
    expected = run(
        definition,
        data,
        clock=ManualClock(),
        integrations=default_integrations(kit.functions),
    )
    assert expected.status == "SUCCEEDED", (expected.error, expected.cause)
    assert final.status == "SUCCEEDED"
    assert final.stop_date is not None
    assert final.stop_date >= final.start_date
    assert kit.output(started.arn) == expected.output
    assert kit.output(started.arn) == {
        "value": 6,
        "items": [{"value": 1}, {"value": 2}],
        "both": [{"value": 6, "items": [{"value": 1}, {"value": 2}]}, "right"],
        "doubled": [2, 4],
    }
    assert _shape(kit.history(started.arn)) == _shape(expected.history)


def test_history_ids_have_no_gaps_and_the_wait_keeps_its_time(kit: DurableKit) -> None:
    double = kit.function("double", DOUBLE)
    runner = kit.runner("a")
    started = runner.start(kit.machine(_every_kind(double)), {"value": 1, "items": []})
    runner.run_until_closed(started.arn)
    history = kit.history(started.arn)
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))
    entered = next(e for e in history if e["type"] == "WaitStateEntered")
    exited = next(e for e in history if e["type"] == "WaitStateExited")
    assert isinstance(entered["timestamp"], float)
    assert isinstance(exited["timestamp"], float)
    assert exited["timestamp"] - entered["timestamp"] == pytest.approx(30)


# API_StartExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/
# API_StartExecution.html): "If StartExecution is called with the same name and input as a
# running execution, the call succeeds and return the same response as the original request.
# If the execution is closed or if the input is different, it returns a 400
# ExecutionAlreadyExists error."
def test_same_name_and_input_while_running_returns_the_same_execution(kit: DurableKit) -> None:
    machine = _parked_at_wait(kit)
    runner = kit.runner("a")
    first = runner.start(machine, {"n": 1}, name="once")
    again = runner.start(machine, {"n": 1}, name="once")
    assert again.arn == first.arn
    assert again.start_date == first.start_date
    assert [e.arn for e in kit.store.executions.list(machine).items] == [first.arn]
    assert kit.event_types(first.arn).count("ExecutionStarted") == 1


def test_same_name_with_another_input_is_already_exists(kit: DurableKit) -> None:
    machine = _parked_at_wait(kit)
    runner = kit.runner("a")
    runner.start(machine, {"n": 1}, name="once")
    with pytest.raises(ExecutionAlreadyExistsError):
        runner.start(machine, {"n": 2}, name="once")
    assert len(kit.store.executions.list(machine).items) == 1


def test_a_closed_executions_name_is_already_exists(kit: DurableKit) -> None:
    machine = kit.machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    runner = kit.runner("a")
    first = runner.start(machine, {"n": 1}, name="once")
    assert runner.run_until_closed(first.arn).status == "SUCCEEDED"
    with pytest.raises(ExecutionAlreadyExistsError):
        runner.start(machine, {"n": 1}, name="once")


# API_StopExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/
# API_StopExecution.html): the execution ends ABORTED; "error" and "cause" describe why.
def test_stop_aborts_with_the_error_and_cause(kit: DurableKit) -> None:
    runner = kit.runner("a")
    started = runner.start(_parked_at_wait(kit), {})
    runner.stop(started.arn, "Operator.Stop", "maintenance window")
    final = runner.run_until_closed(started.arn)
    assert final.status == "ABORTED"
    assert (final.error, final.cause) == ("Operator.Stop", "maintenance window")
    assert final.stop_date is not None
    last = kit.history(started.arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {
        "error": "Operator.Stop",
        "cause": "maintenance window",
    }
    assert "WaitStateExited" not in kit.event_types(started.arn)
    assert kit.store.timers.due(float("inf")) == []


def test_stopping_a_closed_execution_is_refused_by_the_store(kit: DurableKit) -> None:
    runner = kit.runner("a")
    started = runner.start(_parked_at_wait(kit), {})
    runner.stop(started.arn)
    runner.run_until_closed(started.arn)
    with pytest.raises(ExecutionNotRunningError):
        runner.stop(started.arn, "Again", "already aborted")
    record = kit.store.executions.describe(started.arn)
    assert record is not None
    assert record.status == "ABORTED"


CALLBACK = """
def handler(event, context):
    probe.tokens.append(event["token"])
    return {"accepted": True}
"""


def test_stop_settles_a_waiting_task_token(kit: DurableKit) -> None:
    kit.function("park", CALLBACK)
    machine = kit.machine(
        {
            "StartAt": "Ask",
            "States": {
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "park", "Payload": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }
    )
    runner = kit.runner("a")
    started = runner.start(machine, {})
    kit.poll_until(runner, lambda: "TaskSubmitted" in kit.event_types(started.arn))
    runner.stop(started.arn)
    assert runner.run_until_closed(started.arn).status == "ABORTED"
    with pytest.raises(TaskTimedOutError):
        runner.send_task_success(kit.probe.tokens[0], {"late": True})
