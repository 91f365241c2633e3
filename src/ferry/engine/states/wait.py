"""Wait: delays for ``Seconds`` or until ``Timestamp`` (or values read by ``SecondsPath`` /
``TimestampPath``), then passes its input on (ASL spec: Wait State). The delay is a timer
command with a due time, never a sleep, so it survives a restart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import WaitState
from ferry.engine import flow
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Outcome
from ferry.engine.states.choice import parse_timestamp
from ferry.expr import PathNotFound, ReferencePath
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: WaitState) -> Outcome:
    """Start the timer, or go straight on when the due time has passed."""
    data = act.effective_input(frame, state)
    due = _due(act, frame, state, data)
    if due <= act.now:
        return act.finish(frame, state, data)
    return act.wait_until(frame, due)


def _due(act: Activation, frame: Frame, state: WaitState, data: JSON) -> float:
    if state.seconds_expr is not None:
        seconds = flow.jsonata_field(act, frame, state.seconds_expr, "number")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise runtime_error(
                frame,
                f"The Seconds field references an invalid value: {dumps(seconds)}",
            )
        return act.now + seconds
    if state.timestamp_expr is not None:
        stamp = flow.jsonata_field(act, frame, state.timestamp_expr, "string")
        moment = parse_timestamp(stamp)
        if moment is None:
            raise runtime_error(
                frame,
                "The Timestamp field does not reference a valid ISO-8601 extended offset "
                f"date-time format string: {stamp}",
            )
        return moment.timestamp()
    if state.seconds is not None:
        return act.now + state.seconds
    if state.timestamp is not None:
        return _epoch(state.timestamp)
    if state.seconds_path is not None:
        value = _read(act, frame, state.seconds_path, data, "SecondsPath")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise runtime_error(
                frame,
                "The SecondsPath parameter references an invalid value: "
                f"{state.seconds_path.text} == {dumps(value)}",
            )
        return act.now + value
    assert state.timestamp_path is not None
    value = _read(act, frame, state.timestamp_path, data, "TimestampPath")
    moment = parse_timestamp(value)
    if moment is None:
        shown = value if isinstance(value, str) else dumps(value)
        raise runtime_error(
            frame,
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            f"date-time format string: {state.timestamp_path.text} == {shown}",
        )
    return moment.timestamp()


def _read(act: Activation, frame: Frame, path: ReferencePath, data: JSON, field: str) -> JSON:
    try:
        return path.get(act.root_value(path, data, frame))
    except PathNotFound:
        raise runtime_error(
            frame, f"The {field} parameter does not reference an input value: {path.text}"
        ) from None


def _epoch(timestamp: str) -> float:
    moment = parse_timestamp(timestamp)
    assert moment is not None  # the validator checked the literal
    return moment.timestamp()
