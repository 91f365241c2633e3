"""Workflow variables driven through the reducer: what history records, what survives a snapshot
and a redrive, and how iterations keep their own.

The rules come from "Passing data between states with variables"
(https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html); the event shape
from StateExitedEventDetails and AssignedVariablesDetails in the API reference
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html,
https://docs.aws.amazon.com/step-functions/latest/apireference/API_AssignedVariablesDetails.html):
``assignedVariables`` maps each name to its value "as a serialized JSON representation", and
``assignedVariablesDetails.truncated`` is "always false for API calls".
"""

from __future__ import annotations

import json

from engine.reducer_kit import T0, details, machine, of, only, start, status, task
from ferry.engine.execution import ExecutionState, RunTask, Step
from ferry.engine.interpreter import Interpreter
from ferry.engine.snapshot import from_json, to_json
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.jsontypes import JSON

NOT_TRUNCATED = {"truncated": False}


def _round_trip(state: ExecutionState) -> ExecutionState:
    """What a durable runner does between steps: persist as JSON text, load it back."""
    return from_json(json.loads(json.dumps(to_json(state))))


def _assigned(step: Step, event_type: str) -> dict[str, JSON]:
    """The decoded ``assignedVariables`` of the step's first ``event_type`` event."""
    found = details(step, event_type)
    assert found["assignedVariablesDetails"] == NOT_TRUNCATED
    raw = found["assignedVariables"]
    assert isinstance(raw, dict)
    assert all(isinstance(text, str) for text in raw.values()), raw
    return {name: json.loads(str(text)) for name, text in raw.items()}


# -- history -------------------------------------------------------------------------------
def test_state_exited_carries_each_variable_as_json_text() -> None:
    interp = machine(
        {
            "Set": {
                "Type": "Pass",
                "Assign": {"count": 42, "name": "Jane", "tags": {"a": [1, None]}},
                "Next": "Plain",
            },
            "Plain": {"Type": "Pass", "End": True},
        }
    )
    _, step = start(interp)
    raw = details(step, "PassStateExited")["assignedVariables"]
    assert isinstance(raw, dict)
    assert raw["count"] == "42"
    assert raw["name"] == '"Jane"'
    assert _assigned(step, "PassStateExited") == {
        "count": 42,
        "name": "Jane",
        "tags": {"a": [1, None]},
    }


def test_a_state_without_assign_records_no_assigned_variables() -> None:
    _, step = start(machine({"Plain": {"Type": "Pass", "End": True}}))
    exited = details(step, "PassStateExited")
    assert "assignedVariables" not in exited
    assert "assignedVariablesDetails" not in exited


def test_jsonata_assign_is_recorded_with_evaluated_values() -> None:
    interp = machine(
        {"Set": {"Type": "Pass", "Assign": {"twice": "{% $states.input.n * 2 %}"}, "End": True}},
        QueryLanguage="JSONata",
    )
    _, step = start(interp, {"n": 21})
    assert _assigned(step, "PassStateExited") == {"twice": 42}


def test_catch_assign_is_recorded_on_the_task_exit() -> None:
    interp = machine(
        {
            "Call": task(
                Assign={"outcome": "ok"},
                Catch=[
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"outcome": "{% $states.errorOutput.Error %}"},
                        "Next": "After",
                    }
                ],
                Next="After",
            ),
            "After": {"Type": "Pass", "Output": "{% $outcome %}", "End": True},
        },
        QueryLanguage="JSONata",
    )
    state, step = start(interp)
    step = interp.task_completed(state, only(step.commands, RunTask).task_id, _boom(), T0 + 1)
    # The catcher's Assign, not the state's, runs when the error is caught.
    assert _assigned(step, "TaskStateExited") == {"outcome": "Boom"}
    assert state.output == "Boom"


def test_matching_choice_rule_assign_is_recorded_on_the_choice_exit() -> None:
    interp = machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n > 1 %}", "Assign": {"big": True}, "Next": "D"}
                ],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        },
        QueryLanguage="JSONata",
    )
    _, step = start(interp, {"n": 5})
    assert _assigned(step, "ChoiceStateExited") == {"big": True}


# -- durability ----------------------------------------------------------------------------
def _boom() -> TaskFailure:
    return TaskFailure("Boom", "first try")


_REMEMBER_THEN_CALL: dict[str, JSON] = {
    "Remember": {
        "Type": "Pass",
        "Assign": {"customer": "{% $states.input.customer %}", "attempt": 1},
        "Next": "Call",
    },
    "Call": task(
        Arguments={"who": "{% $customer %}"},
        Output={"result": "{% $states.result %}", "customer": "{% $customer %}"},
    ),
}


def test_variables_survive_a_snapshot_round_trip_while_a_task_runs() -> None:
    interp = machine(_REMEMBER_THEN_CALL, QueryLanguage="JSONata")
    state, step = start(interp, {"customer": "Jane"})
    run = only(step.commands, RunTask)
    assert run.payload == {"who": "Jane"}
    reloaded = _round_trip(state)
    assert to_json(reloaded) == to_json(state)
    interp.task_completed(reloaded, run.task_id, TaskSuccess("done"), T0 + 1)
    assert status(reloaded) == "SUCCEEDED"
    assert reloaded.output == {"result": "done", "customer": "Jane"}


def test_iteration_variables_survive_a_round_trip_and_stay_per_iteration() -> None:
    interp = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"prefix": "item-"}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemProcessor": {
                    "StartAt": "Own",
                    "States": {
                        "Own": {
                            "Type": "Pass",
                            "Assign": {"mine": "{% $states.input %}"},
                            "Next": "Work",
                        },
                        "Work": task(
                            Output="{% $prefix & $string($mine) & ':' & $states.result %}"
                        ),
                    },
                },
                "End": True,
            },
        },
        QueryLanguage="JSONata",
    )
    state, step = start(interp, {"xs": [1, 2, 3]})
    runs = of(step.commands, RunTask)
    assert len(runs) == 3
    # Answer the iterations last-first, reloading the state before each answer.
    for run in reversed(runs):
        state = _round_trip(state)
        interp.task_completed(state, run.task_id, TaskSuccess(f"r{run.payload}"), T0 + 1)
    assert status(state) == "SUCCEEDED"
    # Each iteration read its own $mine and the outer $prefix (payload: the item itself).
    assert [run.payload for run in runs] == [1, 2, 3]
    assert state.output == ["item-1:r1", "item-2:r2", "item-3:r3"]


def test_redrive_keeps_the_variables_assigned_before_the_failure() -> None:
    interp = machine(_REMEMBER_THEN_CALL, QueryLanguage="JSONata")
    state, step = start(interp, {"customer": "Jane"})
    interp.task_completed(state, only(step.commands, RunTask).task_id, _boom(), T0 + 1)
    assert status(state) == "FAILED"
    state = _round_trip(state)  # a redrive starts from the persisted state
    redriven = interp.redrive(state, T0 + 10)
    assert redriven is not None
    run = only(redriven.commands, RunTask)
    assert run.payload == {"who": "Jane"}
    interp.task_completed(state, run.task_id, TaskSuccess("done"), T0 + 11)
    assert status(state) == "SUCCEEDED"
    assert state.output == {"result": "done", "customer": "Jane"}


def _interp_for_jsonpath() -> Interpreter:
    return machine(
        {
            "Remember": {"Type": "Pass", "Assign": {"who.$": "$.customer"}, "Next": "Call"},
            "Call": task(Parameters={"who.$": "$who"}, ResultPath="$.result", Next="Show"),
            "Show": {
                "Type": "Pass",
                "Parameters": {"who.$": "$who", "result.$": "$.result"},
                "End": True,
            },
        }
    )


def test_jsonpath_variables_survive_round_trip_and_redrive() -> None:
    interp = _interp_for_jsonpath()
    state, step = start(interp, {"customer": "Ann"})
    interp.task_completed(state, only(step.commands, RunTask).task_id, _boom(), T0 + 1)
    assert status(state) == "FAILED"
    state = _round_trip(state)
    redriven = interp.redrive(state, T0 + 5)
    assert redriven is not None
    run = only(redriven.commands, RunTask)
    assert run.payload == {"who": "Ann"}
    state = _round_trip(state)
    interp.task_completed(state, run.task_id, TaskSuccess(7), T0 + 6)
    assert status(state) == "SUCCEEDED"
    assert state.output == {"who": "Ann", "result": 7}
