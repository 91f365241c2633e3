"""Execution state survives a JSON round trip at every step (what a durable runner persists)."""

from __future__ import annotations

import json

from ferry.asl.load import load_definition
from ferry.engine.execution import ExecutionState, RunTask, StartTimer, Step
from ferry.engine.interpreter import Interpreter
from ferry.engine.snapshot import from_json, to_json
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.jsontypes import JSON
from ferry.runner.local import execution_info

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"
MACHINE = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": LAMBDA,
                        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 5}],
                        "End": True,
                    }
                },
            },
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 30, "End": True},
    },
}


def _round_trip(state: ExecutionState) -> ExecutionState:
    return from_json(json.loads(json.dumps(to_json(state))))


def _drive(interpreter: Interpreter, state: ExecutionState, step: Step, now: float) -> JSON:
    """Answer every command once (the first task attempt fails), reloading state each time."""
    pending = list(step.commands)
    failed_once: set[str] = set()
    while pending and state.status == "RUNNING":
        command = pending.pop(0)
        now += 1
        state = _round_trip(state)
        if isinstance(command, RunTask):
            key = str(command.payload)
            if key not in failed_once:
                failed_once.add(key)
                outcome: TaskSuccess | TaskFailure = TaskFailure("Boom", "first try")
            else:
                outcome = TaskSuccess({"done": command.payload})
            step = interpreter.task_completed(state, command.task_id, outcome, now)
        elif isinstance(command, StartTimer):
            step = interpreter.timer_fired(state, command.timer_id, max(now, command.due))
        else:
            continue
        pending.extend(step.commands)
    assert state.status == "SUCCEEDED", (state.error, state.cause)
    return state.output


def test_state_round_trips_through_json_at_every_step() -> None:
    interpreter = Interpreter(load_definition(MACHINE))
    info = execution_info("snap", "e1", {"items": [1, 2, 3]}, 1000.0)
    state, step = interpreter.start(info, 1000.0)
    assert to_json(_round_trip(state)) == to_json(state)
    # Each item failed once with Boom, was retried, then succeeded; the Wait then passed it on.
    assert _drive(interpreter, state, step, 1000.0) == [{"done": 1}, {"done": 2}, {"done": 3}]


def test_reloaded_state_gives_the_same_result_as_the_original() -> None:
    interpreter = Interpreter(load_definition(MACHINE))
    info = execution_info("snap", "e2", {"items": [1, 2]}, 0.0)
    state, _ = interpreter.start(info, 0.0)
    copy = _round_trip(state)
    assert copy.tasks == state.tasks
    assert copy.timers == state.timers
    assert {f.id: (f.state, f.phase, f.raw_input) for f in copy.frames.values()} == {
        f.id: (f.state, f.phase, f.raw_input) for f in state.frames.values()
    }
