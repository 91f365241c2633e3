"""Map (inline): runs its ItemProcessor once per item of the array ItemsPath selects, at most
MaxConcurrency at a time; its result is the array of the iterations' outputs in item order.
ToleratedFailureCount/Percentage let some iterations fail (ASL spec: Map State; docs: "Map
state in Inline mode")."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ferry.asl.model import MapState
from ferry.engine import fanout
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Outcome
from ferry.engine.programs import processor_key
from ferry.expr import ReferencePath
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: MapState) -> Outcome:
    """Select the items and start the iterations."""
    data = act.effective_input(frame, state)
    items = _items(frame, state, data)
    limit = _integer(
        frame, state.max_concurrency, state.max_concurrency_path, data, "MaxConcurrency"
    )
    tolerated = _tolerance(frame, state, data, len(items))
    inputs = _selected(act, frame, state, data, items)
    act.history.emit(frame, "MapStateStarted", {"length": len(items)})
    programs = [processor_key(frame.program, frame.state)] * len(items)
    return fanout.start(act, frame, inputs, programs, limit=limit, tolerated=tolerated)


def on_children(act: Activation, frame: Frame, state: MapState, results: list[JSON]) -> Outcome:
    """All iterations ended: shape the array of their outputs."""
    result: JSON = results
    if state.result_selector is not None:
        result = act.evaluate(state.result_selector, result, frame)
    return act.finish_result(frame, state, result)


def _items(frame: Frame, state: MapState, data: JSON) -> list[JSON]:
    items = data if state.items_path is None else state.items_path.find(data)
    if not isinstance(items, list):
        path = "$" if state.items_path is None else state.items_path.text
        raise runtime_error(
            frame,
            f"Item path {path} in state {frame.state} should reference a JSON array, "
            f"but it references: {dumps(items)}",
        )
    return items


def _selected(
    act: Activation, frame: Frame, state: MapState, data: JSON, items: list[JSON]
) -> list[JSON]:
    if state.item_selector is None:
        return list(items)
    base = act.context(frame)
    selected = []
    for index, item in enumerate(items):
        context = {**base, "Map": {"Item": {"Index": index, "Value": item}}}
        selected.append(act.evaluate(state.item_selector, data, frame, context))
    return selected


def _integer(frame: Frame, literal: int, path: ReferencePath | None, data: JSON, field: str) -> int:
    if path is None:
        return literal
    value = path.get(data)
    if isinstance(value, bool) or not isinstance(value, int):
        raise runtime_error(
            frame,
            f"The {field}Path field refers to value {_quoted(value)} "
            f"which is not a valid integer: {path.text}",
        )
    if value < 0:
        raise runtime_error(frame, f"{field} must be a non-negative integer.")
    return value


def _tolerance(frame: Frame, state: MapState, data: JSON, total: int) -> float | None:
    limits: list[float] = []
    count = state.tolerated_failure_count
    if state.tolerated_failure_count_path is not None:
        count = _integer(
            frame, 0, state.tolerated_failure_count_path, data, "ToleratedFailureCount"
        )
    if count is not None:
        limits.append(count)
    percentage = state.tolerated_failure_percentage
    path = state.tolerated_failure_percentage_path
    if path is not None:
        value = path.get(data)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise runtime_error(
                frame,
                f"The ToleratedFailurePercentagePath field refers to value {_quoted(value)} "
                f"which is not a valid float: {path.text}",
            )
        percentage = float(value)
    if percentage is not None:
        if not 0 <= percentage <= 100:
            raise runtime_error(frame, "ToleratedFailurePercentage must be between 0 and 100.")
        limits.append(math.floor(total * percentage / 100))
    return min(limits) if limits else None


def _quoted(value: JSON) -> str:
    """How AWS quotes a bad value in these messages: ``"NoNumber"``, ``"{}"``."""
    return '"' + (value if isinstance(value, str) else dumps(value)) + '"'
