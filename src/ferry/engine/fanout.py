"""Children of Parallel and Map states: launching them up to the concurrency limit, collecting
their results in order, and failing the parent when one fails (beyond the tolerance).

Children that only run Pass/Choice states finish inside the call that launched them; children
that reach a Task or Wait leave commands for the runner, so they really run concurrently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import MapState, ParallelState, TaskState, WaitState
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
    """Launch children for ``frame``'s Parallel/Map state; return its outcome if all finished.

    After a redrive, the children that had succeeded keep their outputs and do not run again.
    """
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
    frame.fanout_successes = None
    reused, frame.redrive = frame.redrive or {}, None
    for slot, output in reused.items():
        frame.fanout.results[slot] = output
    frame.fanout.done = sorted(reused)
    act.handoffs.pop(frame.id, None)
    _pump(act, frame)
    return _outcome_if_complete(act, frame)


def child_succeeded(act: Activation, child: Frame) -> None:
    """A child frame reached its end."""
    parent = act.state.frames[child.parent]  # type: ignore[index]
    fan = parent.fanout
    assert fan is not None
    fan.results[child.slot] = child.output
    fan.done.append(child.slot)
    event_id = _iteration_event(act, parent, child, "MapIterationSucceeded")
    # A worker with no item left hands its *last published* event on to the state (AWS: the
    # MapStateSucceeded after the last iteration points at its MapIterationSucceeded).
    _child_ended(act, parent, fan, child, child.last_event_id if event_id is None else event_id)


def child_failed(act: Activation, child: Frame, failure: Failure) -> None:
    """A child frame failed: fail the parent unless a Map tolerates it."""
    parent = act.state.frames[child.parent]  # type: ignore[index]
    fan = parent.fanout
    assert fan is not None
    fan.failed += 1
    if fan.tolerated is not None and fan.failed <= fan.tolerated:
        fan.results[child.slot] = {"Error": failure.error, "Cause": failure.cause}
        _iteration_event(act, parent, child, "MapIterationFailed")
        _child_ended(act, parent, fan, child, child.last_event_id)
        return
    if fan.failure is None:
        if fan.tolerated is not None:
            failure = Failure(
                StatesError.EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
        fan.failure = failure
    _iteration_event(act, parent, child, "MapIterationFailed")
    fan.finished += 1
    fan.children.pop(child.slot, None)
    act.state.frames.pop(child.id, None)
    # What follows (aborts, MapStateFailed/ParallelStateFailed) points at the failed child's
    # last event (recorded: timeouts/test_timeouts.snapshot.json, test_service_lambda_map_timeout).
    source = child.last_event_id
    for slot, child_id in list(fan.children.items()):
        fan.children.pop(slot)
        other = act.state.frames.get(child_id)
        if other is not None:
            _aborted_events(act, parent, other, source)
            act.abort_frame(other)
    parent.last_event_id = max(parent.last_event_id, source)
    if not fan.pumping:
        act.advance(parent, _outcome_if_complete(act, parent))


def _child_ended(act: Activation, parent: Frame, fan: Fanout, child: Frame, closing: int) -> None:
    """Count a finished child; its worker takes the next item or closes into the parent.

    AWS runs a Map's items on MaxConcurrency workers, each one item after another: the next
    item's MapIterationStarted points at the previous item's last state event (not at its
    MapIterationSucceeded); a worker that closes raises the parent's source to ``closing``.
    """
    fan.finished += 1
    fan.children.pop(child.slot, None)
    act.state.frames.pop(child.id, None)
    if fan.failure is None and fan.started < fan.total:
        act.handoffs.setdefault(parent.id, []).append(child.last_event_id)
    else:
        parent.last_event_id = max(parent.last_event_id, closing)
    if not fan.pumping and fan.failure is None:
        _pump(act, parent)
        act.advance(parent, _outcome_if_complete(act, parent))


def _iteration_event(act: Activation, parent: Frame, child: Frame, event: str) -> int | None:
    """Emit a Map iteration's event (Parallel branches have none); return its id."""
    if not isinstance(act.state_of(parent), MapState):
        return None
    details: dict[str, JSON] = {"name": parent.state, "index": child.slot}
    return act.history.emit(child, event, details, update=event == "MapIterationStarted")


def _aborted_events(act: Activation, parent: Frame, child: Frame, source: int) -> None:
    """An aborted Map iteration: ``<Type>StateAborted`` for the state it was waiting in, then
    MapIterationAborted, both pointing at ``source`` (recorded: test_service_lambda_map_timeout).
    """
    if not isinstance(act.state_of(parent), MapState):
        return
    state = act.state_of(child)
    if child.phase in ("task", "timer", "children") and isinstance(state, _ABORTABLE):
        aborted = type(state).__name__.removesuffix("State") + "StateAborted"
        act.history.emit(child, aborted, None, update=False, previous=source)
    details: dict[str, JSON] = {"name": parent.state, "index": child.slot}
    act.history.emit(child, "MapIterationAborted", details, update=False, previous=source)


def _pump(act: Activation, frame: Frame) -> None:
    """Start children up to the limit, then run them; repeat while room frees up."""
    fan = frame.fanout
    assert fan is not None
    if fan.pumping:
        return
    fan.pumping = True
    try:
        while batch := _launch(act, frame, fan):
            for child in batch:
                # A sibling may have failed meanwhile and aborted this one.
                if fan.failure is None and child.id in act.state.frames:
                    act.advance(child, act.enter(child))
    finally:
        fan.pumping = False


def _launch(act: Activation, frame: Frame, fan: Fanout) -> list[Frame]:
    """Create the children that may start now; AWS writes all their MapIterationStarted events
    before any of their states run (recorded: test_service_lambda_map_timeout)."""
    batch: list[Frame] = []
    waiting = act.handoffs.get(frame.id)
    while _room(fan):
        slot = fan.started
        fan.started += 1
        if slot in fan.done:  # kept from before a redrive
            fan.finished += 1
            continue
        source = waiting.pop(0) if waiting else None
        child = act.new_frame(frame, slot, fan.programs[slot], fan.inputs[slot], source)
        fan.children[slot] = child.id
        _iteration_event(act, frame, child, "MapIterationStarted")
        batch.append(child)
    return batch


def _room(fan: Fanout) -> bool:
    """Whether another child may start now."""
    running = fan.started - fan.finished
    return fan.failure is None and fan.started < fan.total and running < fan.limit


def _outcome_if_complete(act: Activation, frame: Frame) -> Outcome:
    fan = frame.fanout
    assert fan is not None
    if fan.failure is not None:
        if fan.children:
            return BLOCKED
        frame.fanout = None
        frame.fanout_successes = {slot: fan.results[slot] for slot in fan.done}
        # The interpreter writes MapStateFailed/ParallelStateFailed, unless the state retries.
        return Failed(fan.failure)
    if fan.finished < fan.total:
        return BLOCKED
    frame.fanout = None
    act.handoffs.pop(frame.id, None)
    kind = "Parallel" if isinstance(act.state_of(frame), ParallelState) else "Map"
    # Not the source of what follows: the Exited event points where this one does.
    act.history.emit(frame, f"{kind}StateSucceeded", None, update=False)
    return act.children_done(frame, fan.results)


_ABORTABLE = (TaskState, WaitState, MapState, ParallelState)
