"""Map (inline): runs its ItemProcessor once per item of the array ItemsPath selects, at most
MaxConcurrency at a time; its result is the array of the iterations' outputs in item order.
ToleratedFailureCount/Percentage let some iterations fail (ASL spec: Map State; docs: "Map
state in Inline mode"). In JSONata states ``Items`` (default: the input), a JSONata
``ItemSelector`` and ``{% %}`` numbers take the place of the paths. A Distributed Map hands
its items to a Map Run (see :mod:`ferry.engine.map_run`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ferry.asl.model import MapState
from ferry.engine import fanout, flow, map_run
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Outcome
from ferry.engine.programs import processor_key
from ferry.expr import ReferencePath, Template
from ferry.expr.jsonata_template import JsonataTemplate
from ferry.integrations.base import TaskOutcome
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: MapState) -> Outcome:
    """Select the items and start the iterations (or the Map Run)."""
    data = act.effective_input(frame, state)
    reads_items = state.distributed is not None and state.distributed.item_reader is not None
    items = None if reads_items else _items(act, frame, state, data)
    limit = integer_field(
        act,
        frame,
        state.max_concurrency,
        state.max_concurrency_path,
        state.max_concurrency_expr,
        data,
        "MaxConcurrency",
    )
    tolerance = _tolerance_limits(act, frame, state, data)
    if state.distributed is not None:
        return map_run.start(
            act, frame, state, data, items=items, limit=limit or 0, tolerance=tolerance
        )
    assert items is not None
    tolerated = _tolerated(tolerance, len(items))
    inputs = _selected(act, frame, state, data, items)
    act.history.emit(frame, "MapStateStarted", {"length": len(items)})
    programs = [processor_key(frame.program, frame.state)] * len(items)
    return fanout.start(act, frame, inputs, programs, limit=limit or 0, tolerated=tolerated)


def on_children(act: Activation, frame: Frame, state: MapState, results: list[JSON]) -> Outcome:
    """All iterations ended: shape the array of their outputs."""
    result: JSON = results
    if state.result_selector is not None:
        result = act.evaluate(state.result_selector, result, frame)
    return act.finish_result(frame, state, result)


def on_run_result(act: Activation, frame: Frame, state: MapState, outcome: TaskOutcome) -> Outcome:
    """A Distributed Map's Map Run answered."""
    return map_run.on_result(act, frame, state, outcome)


def _items(act: Activation, frame: Frame, state: MapState, data: JSON) -> list[JSON]:
    if state.items is not None:
        items = flow.jsonata_field(act, frame, state.items, "array")
    elif state.items_path is None or state.query_language == "JSONata":
        items = data
    else:
        items = state.items_path.find(act.root_value(state.items_path, data, frame))
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
    selector = state.item_selector
    if selector is None:
        return list(items)
    base = act.context(frame)
    selected = []
    for index, item in enumerate(items):
        context = {**base, "Map": {"Item": {"Index": index, "Value": item}}}
        if isinstance(selector, JsonataTemplate):
            selected.append(flow.jsonata(act, frame, selector, context=context))
        else:
            assert isinstance(selector, Template)
            selected.append(act.evaluate(selector, data, frame, context))
    return selected


def integer_field(  # noqa: PLR0917 - the three forms of one field, then where and which
    act: Activation,
    frame: Frame,
    literal: int | None,
    path: ReferencePath | None,
    expr: JsonataTemplate | None,
    data: JSON,
    field: str,
) -> int | None:
    """MaxConcurrency / ToleratedFailureCount: a literal, a ``*Path`` or a JSONata expression."""
    if expr is not None:
        value = flow.jsonata_field(act, frame, expr, "number")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise runtime_error(frame, f"{field} must be a non-negative integer.")
        return value
    if path is None:
        return literal
    value = path.get(act.root_value(path, data, frame))
    if isinstance(value, bool) or not isinstance(value, int):
        raise runtime_error(
            frame,
            f"The {field}Path field refers to value {_quoted(value)} "
            f"which is not a valid integer: {path.text}",
        )
    if value < 0:
        raise runtime_error(frame, f"{field} must be a non-negative integer.")
    return value


def percentage_field(act: Activation, frame: Frame, state: MapState, data: JSON) -> float | None:
    """ToleratedFailurePercentage(Path), between 0 and 100."""
    percentage = state.tolerated_failure_percentage
    path = state.tolerated_failure_percentage_path
    if state.tolerated_failure_percentage_expr is not None:
        value = flow.jsonata_field(act, frame, state.tolerated_failure_percentage_expr, "number")
        percentage = float(value)
    elif path is not None:
        value = path.get(act.root_value(path, data, frame))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise runtime_error(
                frame,
                f"The ToleratedFailurePercentagePath field refers to value {_quoted(value)} "
                f"which is not a valid float: {path.text}",
            )
        percentage = float(value)
    if percentage is not None and not 0 <= percentage <= 100:
        raise runtime_error(frame, "ToleratedFailurePercentage must be between 0 and 100.")
    return percentage


def _tolerance_limits(
    act: Activation, frame: Frame, state: MapState, data: JSON
) -> tuple[int | None, float | None]:
    """ToleratedFailureCount and ToleratedFailurePercentage, from literals, paths or JSONata."""
    count = integer_field(
        act,
        frame,
        state.tolerated_failure_count,
        state.tolerated_failure_count_path,
        state.tolerated_failure_count_expr,
        data,
        "ToleratedFailureCount",
    )
    return count, percentage_field(act, frame, state, data)


def _tolerated(tolerance: tuple[int | None, float | None], total: int) -> float | None:
    """How many failed iterations an inline Map tolerates (None: any failure fails it)."""
    count, percentage = tolerance
    limits: list[float] = []
    if count is not None:
        limits.append(count)
    if percentage is not None:
        limits.append(math.floor(total * percentage / 100))
    return min(limits) if limits else None


def _quoted(value: JSON) -> str:
    """How AWS quotes a bad value in these messages: ``"NoNumber"``, ``"{}"``."""
    return '"' + (value if isinstance(value, str) else dumps(value)) + '"'
