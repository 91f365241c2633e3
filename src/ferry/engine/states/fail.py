"""Fail: stops its program and marks it failed with ``Error``/``Cause``, or values taken by
``ErrorPath``/``CausePath`` (ASL spec: Fail State). No input/output processing applies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import FailState
from ferry.engine import flow
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Failed, Outcome
from ferry.errors import Failure
from ferry.expr import ExprError, PathNotFound, ReferencePath, Template
from ferry.expr.jsonata_template import JsonataTemplate
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: FailState) -> Outcome:
    """Fail with the state's error and cause."""
    if state.query_language == "JSONata":
        return Failed(
            Failure(
                _text(act, frame, state.error, state.error_expr),
                _text(act, frame, state.cause, state.cause_expr),
            )
        )
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
            value: JSON = act.evaluate(path, data, frame)[field]
        else:
            value = path.get(act.root_value(path, data, frame))
    except PathNotFound as missing:
        raise runtime_error(
            frame,
            f"The JSONPath '{missing.path}' specified for the field '{field}' "
            f"could not be found in the input '{dumps(data)}'",
        ) from None
    except ExprError:
        raise
    return value if isinstance(value, str) else dumps(value)


def _text(
    act: Activation, frame: Frame, literal: str | None, expr: JsonataTemplate | None
) -> str | None:
    """A JSONata Fail state's Error or Cause: a literal string or an expression giving one."""
    if expr is None:
        return literal
    value = flow.jsonata_field(act, frame, expr, "string")
    assert isinstance(value, str)
    return value
