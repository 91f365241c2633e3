"""The JSONPath input/output pipeline: InputPath -> Parameters -> (work) -> ResultSelector ->
ResultPath -> OutputPath (docs: "Processing input and output in Step Functions")."""

from __future__ import annotations

from ferry.asl.model import PathOrNull, QueryOrNull
from ferry.engine.execution import Frame
from ferry.engine.outcome import StepFailedError
from ferry.errors import Failure, StatesError
from ferry.expr import ExprError
from ferry.jsontypes import JSON

PAYLOAD_LIMIT = 256 * 1024
"""AWS's limit on an execution's input, a state's output and a task's result (bytes)."""


def state_error(frame: Frame, error: str, message: str) -> StepFailedError:
    """A failure whose cause carries AWS's prefix naming the state and its entered event id."""
    cause = (
        f"An error occurred while executing the state '{frame.state}' "
        f"(entered at the event id #{frame.entered_event_id}). {message}"
    )
    return StepFailedError(Failure(error, cause))


def runtime_error(frame: Frame, message: str) -> StepFailedError:
    """A ``States.Runtime`` failure of the current state (not retriable, not catchable)."""
    return state_error(frame, StatesError.RUNTIME, message)


def expr_error(frame: Frame, exc: ExprError) -> StepFailedError:
    """Turn an expression error into the state's failure."""
    return state_error(frame, exc.error, exc.message)


def select(path: QueryOrNull, data: JSON, frame: Frame) -> JSON:
    """Apply an InputPath/OutputPath: ``null`` gives ``{}``; a path that matches nothing fails."""
    if path is None:
        return {}
    if path.text == "$":  # the default; most states have it
        return data
    try:
        return path.find(data)
    except ExprError as exc:
        raise expr_error(frame, exc) from None


def place(path: PathOrNull, raw_input: JSON, result: JSON, frame: Frame) -> JSON:
    """Apply a ResultPath: ``null`` discards the result and keeps the raw input."""
    if path is None:
        return raw_input
    if path.text == "$":
        return result
    try:
        return path.put(raw_input, result)
    except ExprError as exc:
        raise expr_error(frame, exc) from None


def too_large(text: str) -> bool:
    """Whether JSON text is over the payload limit (UTF-8 bytes; encoded only when it could be)."""
    return len(text) * 4 > PAYLOAD_LIMIT and len(text.encode("utf-8")) > PAYLOAD_LIMIT


def size_failure(name: str, *, terminal: bool) -> Failure:
    """AWS's ``States.DataLimitExceeded`` for a result over the limit; ``name`` is the state's
    name, or for a task result the task's resource ARN, as AWS words it. A task result over the
    limit can be caught (recorded on AWS); a state output over it is terminal."""
    return Failure(
        StatesError.DATA_LIMIT_EXCEEDED,
        f"The state/task '{name}' returned a result with a size exceeding the maximum "
        "number of bytes service limit.",
        terminal=terminal,
    )
