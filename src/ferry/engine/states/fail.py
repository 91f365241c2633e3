"""Fail: stops its program and marks it failed with ``Error``/``Cause``, or values taken by
``ErrorPath``/``CausePath`` (ASL spec: Fail State). No input/output processing applies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import FailState
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Failed, Outcome
from ferry.errors import Failure
from ferry.expr import ExprError, PathNotFound, ReferencePath, Template
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: FailState) -> Outcome:
    """Fail with the state's error and cause."""
    error = _resolve(act, frame, state.error, state.error_path, "ErrorPath")
    cause = _resolve(act, frame, state.cause, state.cause_path, "CausePath")
    return Failed(Failure(error, cause))


def _resolve(
    act: Activation,
    frame: Frame,
    literal: str | None,
    path: ReferencePath | Template | None,
    field: str,
) -> str | None:
    if path is None:
        return literal
    data = frame.raw_input
    try:
        if isinstance(path, Template):
            # Built as {"<field>.$": "States.Format(...)"}: the value is under "<field>".
            value: JSON = path.evaluate(data, act.context(frame))[field]
        else:
            value = path.get(act.context(frame) if _is_context(path) else data)
    except PathNotFound as missing:
        raise runtime_error(
            frame,
            f"The JSONPath '{missing.path}' specified for the field '{field}' "
            f"could not be found in the input '{dumps(data)}'",
        ) from None
    except ExprError:
        raise
    return value if isinstance(value, str) else dumps(value)


def _is_context(path: ReferencePath) -> bool:
    return path.text.startswith("$$")
