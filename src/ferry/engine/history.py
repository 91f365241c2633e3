"""Execution history events with AWS's types, detail keys, ids and ``previousEventId``.

Ids count from 1 across the whole execution. ``previousEventId`` is the frame's *source*: the
last event of the same frame that moves it on (AWS links the events inside a Parallel branch or
Map iteration to their own predecessor, and a branch's first event to the state that started it).
Some events are published without becoming the source of what follows (``update=False``):
ExecutionStarted (the first state's ``previousEventId`` is 0), MapIterationSucceeded/Failed/
Aborted, and ParallelStateSucceeded/MapStateSucceeded, whose Exited event points past them at
the same event they do. Recorded on AWS: LocalStack's parity snapshots
``tests/aws/services/stepfunctions/v2/base/test_base.snapshot.json`` and
``scenarios/test_base_scenarios.snapshot.json`` (``test_map_state``, ``test_parallel_state``).
"""

from __future__ import annotations

from ferry.engine.execution import ExecutionState, Frame, Step
from ferry.jsontypes import JSON, dumps

# Detail key of each event type whose details are not named after the type itself.
_STATE_SUFFIXES = ("StateEntered", "StateExited")


_KEYS: dict[str, str] = {}


def details_key(event_type: str) -> str:
    """The key AWS uses for an event type's details (``PassStateEntered`` -> ``stateEntered``)."""
    key = _KEYS.get(event_type)
    if key is None:
        key = _KEYS[event_type] = _details_key(event_type)
    return key


def _details_key(event_type: str) -> str:
    """The key AWS uses for an event type's details (``PassStateEntered`` -> ``stateEntered``)."""
    for suffix in _STATE_SUFFIXES:
        if event_type.endswith(suffix) and event_type != suffix:
            return suffix[0].lower() + suffix[1:] + "EventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class History:
    """Appends events to a :class:`Step` while keeping the execution's id counters."""

    def __init__(self, state: ExecutionState, step: Step, now: float) -> None:
        self._state = state
        self._step = step
        self.now = now

    def emit(
        self,
        frame: Frame | None,
        event_type: str,
        details: dict[str, JSON] | None,
        *,
        update: bool = True,
        previous: int | None = None,
    ) -> int:
        """Append one event and return its id.

        ``previous`` overrides the frame's source as ``previousEventId``; with ``update=False``
        the event does not become the frame's source.
        """
        state = self._state
        state.last_event_id += 1
        event_id = state.last_event_id
        if previous is None:
            previous = frame.last_event_id if frame is not None else 0
        event: dict[str, JSON] = {
            "timestamp": self.now,
            "type": event_type,
            "id": event_id,
            "previousEventId": previous,
        }
        if details is not None:
            event[details_key(event_type)] = details
        if frame is not None and update:
            frame.last_event_id = event_id
        self._step.events.append(event)
        return event_id


def payload_details(key: str, value: JSON) -> dict[str, JSON]:
    """``{key: <JSON text>, keyDetails: {truncated: false}}`` as AWS writes inputs/outputs."""
    return {key: dumps(value), key + "Details": {"truncated": False}}


def error_details(error: str | None, cause: str | None) -> dict[str, JSON]:
    """``{error, cause}`` without the fields that are absent (AWS omits them)."""
    details: dict[str, JSON] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details
