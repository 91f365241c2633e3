"""Invariants over whole executions driven through the reducer: event ids, previousEventId
links, and execution state that stays plain, JSON-serialisable data at every step."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest

from engine.reducer_kit import ARN, T0, machine, of, only, start, task
from ferry.engine.execution import ExecutionState, RunTask, StartTimer, Step
from ferry.engine.interpreter import Interpreter
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.jsontypes import JSON

_BUSY: dict[str, JSON] = {
    "Prepare": {"Type": "Pass", "Result": [1, 2, 3], "ResultPath": "$.items", "Next": "Fan"},
    "Fan": {
        "Type": "Parallel",
        "Next": "Each",
        "ResultPath": "$.fan",
        "Branches": [
            {"StartAt": "Flaky", "States": {"Flaky": task(Retry=[{"ErrorEquals": ["Boom"]}])}},
            {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "End": True}}},
        ],
    },
    "Each": {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrency": 2,
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": task()}},
        "ResultPath": "$.each",
        "End": True,
    },
}


def _drive(
    interp: Interpreter, check: Callable[[ExecutionState], None] | None = None
) -> tuple[ExecutionState, list[Step]]:
    """Run to the end: the first task attempt fails with Boom, every other one succeeds;
    timers fire in due order. ``check`` is called with the state after every step."""
    state, step = start(interp)
    steps, now = [step], T0
    tasks: list[RunTask] = []
    timers: list[StartTimer] = []
    failed_once = False
    while state.status == "RUNNING":
        tasks += of(steps[-1].commands, RunTask)
        timers += of(steps[-1].commands, StartTimer)
        now += 1
        if tasks:
            run = tasks.pop(0)
            outcome = TaskSuccess(run.payload) if failed_once else TaskFailure("Boom", "x")
            failed_once = True
            steps.append(interp.task_completed(state, run.task_id, outcome, now))
        else:
            timer = min(timers, key=lambda t: t.due)
            timers.remove(timer)
            steps.append(interp.timer_fired(state, timer.timer_id, max(now, timer.due)))
        if check is not None:
            check(state)
    return state, steps


def test_busy_machine_succeeds() -> None:
    state, _ = _drive(machine(_BUSY))
    assert state.status == "SUCCEEDED"
    first = {"n": 1, "items": [1, 2, 3]}
    assert state.output == {**first, "fan": [first, first], "each": [1, 2, 3]}


def test_event_ids_have_no_holes_and_point_backwards() -> None:
    _, steps = _drive(machine(_BUSY))
    events = [event for step in steps for event in step.events]
    ids = [event["id"] for event in events]
    assert ids == list(range(1, len(events) + 1))
    assert events[0]["type"] == "ExecutionStarted"
    assert events[0]["previousEventId"] == 0
    for event in events[1:]:
        previous, own = event["previousEventId"], event["id"]
        assert isinstance(previous, int)
        assert isinstance(own, int)
        # 0 is allowed: AWS links the first state event to no predecessor (API reference,
        # GetExecutionHistory example: PassStateEntered id 2, previousEventId 0).
        assert 0 <= previous < own, event
    assert {"MapIterationStarted", "ParallelStateSucceeded"} <= {e["type"] for e in events}


def test_execution_state_is_plain_data_at_every_step() -> None:
    snapshots: list[str] = []

    def snapshot(state: ExecutionState) -> None:
        snapshots.append(json.dumps(dataclasses.asdict(state)))

    _state, steps = _drive(machine(_BUSY), snapshot)
    assert len(snapshots) == len(steps) - 1
    assert json.loads(snapshots[-1])["status"] == "SUCCEEDED"
    # Mid-run snapshots hold the frames and the outstanding work.
    assert any(json.loads(text)["frames"] and json.loads(text)["timers"] for text in snapshots)
    json.dumps([dataclasses.asdict(c) for step in steps for c in step.commands])
    json.dumps([event for step in steps for event in step.events])


@pytest.mark.parametrize("when", ["start", "task", "timer"])
def test_state_serialises_after_each_entry_point(when: str) -> None:
    interp = machine({"Work": task(TimeoutSeconds=9, Next="Nap"), "Nap": _nap()})
    state, step = start(interp)
    if when != "start":
        run = only(step.commands, RunTask)
        step = interp.task_completed(state, run.task_id, TaskSuccess({"k": [1]}), T0 + 1)
    if when == "timer":
        step = interp.timer_fired(state, only(step.commands, StartTimer).timer_id, T0 + 9)
        assert state.status == "SUCCEEDED"
    decoded = json.loads(json.dumps(dataclasses.asdict(state)))
    assert decoded["info"]["arn"] == ARN
    assert decoded["last_event_id"] == state.last_event_id


def _nap() -> dict[str, JSON]:
    return {"Type": "Wait", "Seconds": 8, "End": True}
