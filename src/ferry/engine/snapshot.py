"""Execution state to and from JSON, so a durable runner can persist it after every step.

The shape is plain JSON: dataclass fields by name, integer dict keys as strings. Caches that
can be rebuilt (a frame's ``raw_input_text``) are left out.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from ferry.engine.execution import ExecutionInfo, ExecutionState, Fanout, Frame, RunTask
from ferry.errors import Failure
from ferry.jsontypes import JSON

SNAPSHOT_VERSION = 2


def to_json(state: ExecutionState) -> dict[str, JSON]:
    """The whole execution state as a JSON object."""
    return {
        "version": SNAPSHOT_VERSION,
        "info": asdict(state.info),
        "frames": [_frame_to_json(frame) for frame in state.frames.values()],
        "next_frame_id": state.next_frame_id,
        "next_token": state.next_token,
        "last_event_id": state.last_event_id,
        "status": state.status,
        "output": state.output,
        "error": state.error,
        "cause": state.cause,
        "tasks": [asdict(request) for request in state.tasks.values()],
        "timers": [[timer, frame, kind] for timer, (frame, kind) in state.timers.items()],
    }


def from_json(data: dict[str, Any]) -> ExecutionState:
    """Rebuild an execution state written by :func:`to_json`."""
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unsupported execution snapshot version {data.get('version')!r}")
    frames = [_frame_from_json(item) for item in data["frames"]]
    return ExecutionState(
        info=ExecutionInfo(**data["info"]),
        frames={frame.id: frame for frame in frames},
        next_frame_id=data["next_frame_id"],
        next_token=data["next_token"],
        last_event_id=data["last_event_id"],
        status=data["status"],
        output=data["output"],
        error=data["error"],
        cause=data["cause"],
        tasks={item["task_id"]: RunTask(**item) for item in data["tasks"]},
        timers={timer: (frame, kind) for timer, frame, kind in data["timers"]},
    )


def _frame_to_json(frame: Frame) -> dict[str, JSON]:
    item = {f.name: getattr(frame, f.name) for f in fields(Frame) if f.name != "raw_input_text"}
    item["retrier_attempts"] = [[k, v] for k, v in frame.retrier_attempts.items()]
    item["fanout"] = None if frame.fanout is None else _fanout_to_json(frame.fanout)
    item["fanout_successes"] = _pairs(frame.fanout_successes)
    item["redrive"] = _pairs(frame.redrive)
    return item


def _frame_from_json(item: dict[str, Any]) -> Frame:
    values = dict(item)
    values["retrier_attempts"] = dict(item["retrier_attempts"])
    values["fanout"] = None if item["fanout"] is None else _fanout_from_json(item["fanout"])
    values["fanout_successes"] = _unpairs(item.get("fanout_successes"))
    values["redrive"] = _unpairs(item.get("redrive"))
    return Frame(**values)


def _pairs(slots: dict[int, JSON] | None) -> list[list[JSON]] | None:
    """Integer-keyed dicts travel as pairs (JSON object keys are strings)."""
    return None if slots is None else [[slot, value] for slot, value in slots.items()]


def _unpairs(pairs: list[list[Any]] | None) -> dict[int, JSON] | None:
    return None if pairs is None else {int(slot): value for slot, value in pairs}


def _fanout_to_json(fan: Fanout) -> dict[str, JSON]:
    item = {f.name: getattr(fan, f.name) for f in fields(Fanout)}
    item["children"] = [[slot, child] for slot, child in fan.children.items()]
    item["failure"] = None if fan.failure is None else asdict(fan.failure)
    item["pumping"] = False
    return item


def _fanout_from_json(item: dict[str, Any]) -> Fanout:
    values = dict(item)
    values["children"] = dict(item["children"])
    values["failure"] = None if item["failure"] is None else Failure(**item["failure"])
    return Fanout(**values)
