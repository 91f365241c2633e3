"""Children of Parallel and Map states: launching them up to the concurrency limit, collecting
their results in order, and failing the parent when one fails (beyond the tolerance).

Children that only run Pass/Choice states finish inside the call that launched them; children
that reach a Task or Wait leave commands for the runner, so they really run concurrently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import MapState, ParallelState
from ferry.engine.execution import Fanout, Frame
from ferry.engine.outcome import BLOCKED, Failed, Outcome
from ferry.errors import Failure, StatesError
from ferry.jsontypes import JSON

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def start(
    act: Activation,
    frame: Frame,
    inputs: list[JSON],
    programs: list[str],
    *,
    limit: int,
    tolerated: float | None = None,
) -> Outcome:
    """Launch children for ``frame``'s Parallel/Map state; return its outcome if all finished."""
    total = len(inputs)
    frame.fanout = Fanout(
        total=total,
        inputs=inputs,
        programs=programs,
        limit=limit if limit > 0 else max(total, 1),
        results=[None] * total,
        tolerated=tolerated,
    )
    frame.phase = "children"
    _pump(act, frame)
    return _outcome_if_complete(act, frame)


def child_succeeded(act: Activation, child: Frame) -> None:
    """A child frame reached its end."""
    parent = act.state.frames[child.parent]  # type: ignore[index]
    fan = parent.fanout
    assert fan is not None
    fan.results[child.slot] = child.output
    _child_ended(act, parent, fan, child, "MapIterationSucceeded")


def child_failed(act: Activation, child: Frame, failure: Failure) -> None:
    """A child frame failed: fail the parent unless a Map tolerates it."""
    parent = act.state.frames[child.parent]  # type: ignore[index]
    fan = parent.fanout
    assert fan is not None
    fan.failed += 1
    if fan.tolerated is not None and fan.failed <= fan.tolerated:
        fan.results[child.slot] = {"Error": failure.error, "Cause": failure.cause}
        _child_ended(act, parent, fan, child, "MapIterationFailed")
        return
    if fan.failure is None:
        if fan.tolerated is not None:
            failure = Failure(
                StatesError.EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
        fan.failure = failure
    _child_ended(act, parent, fan, child, "MapIterationFailed")
    for slot, child_id in list(fan.children.items()):
        other = act.state.frames.get(child_id)
        fan.children.pop(slot)
        if other is not None:
            _iteration_event(act, parent, other, "MapIterationAborted")
            act.abort_frame(other)
    if not fan.pumping:
        act.advance(parent, _outcome_if_complete(act, parent))


def _child_ended(act: Activation, parent: Frame, fan: Fanout, child: Frame, event: str) -> None:
    fan.finished += 1
    fan.children.pop(child.slot, None)
    _iteration_event(act, parent, child, event)
    act.state.frames.pop(child.id, None)
    if not fan.pumping and fan.failure is None:
        _pump(act, parent)
        act.advance(parent, _outcome_if_complete(act, parent))


def _iteration_event(act: Activation, parent: Frame, child: Frame, event: str) -> None:
    if isinstance(act.state_of(parent), MapState):
        act.history.emit(child, event, {"name": parent.state, "index": child.slot})


def _pump(act: Activation, frame: Frame) -> None:
    fan = frame.fanout
    assert fan is not None
    if fan.pumping:
        return
    fan.pumping = True
    try:
        while (
            fan.failure is None
            and fan.started < fan.total
            and fan.started - fan.finished < fan.limit
        ):
            slot = fan.started
            fan.started += 1
            child = act.new_frame(frame, slot, fan.programs[slot], fan.inputs[slot])
            fan.children[slot] = child.id
            _iteration_event(act, frame, child, "MapIterationStarted")
            act.advance(child, act.enter(child))
    finally:
        fan.pumping = False


def _outcome_if_complete(act: Activation, frame: Frame) -> Outcome:
    fan = frame.fanout
    assert fan is not None
    if fan.failure is not None:
        if fan.children:
            return BLOCKED
        frame.fanout = None
        _state_event(act, frame, "Failed")
        return Failed(fan.failure)
    if fan.finished < fan.total:
        return BLOCKED
    frame.fanout = None
    _state_event(act, frame, "Succeeded")
    return act.children_done(frame, fan.results)


def _state_event(act: Activation, frame: Frame, what: str) -> None:
    kind = "Parallel" if isinstance(act.state_of(frame), ParallelState) else "Map"
    act.history.emit(frame, f"{kind}State{what}", None)
