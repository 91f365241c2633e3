"""API errors: :class:`ApiError` (an AWS error response) and Ferry's own errors translated.

The store and the runner raise :class:`~ferry.errors.FerryError` subclasses whose texts are
already AWS's ("State Machine Does Not Exist: 'ARN'"); this table gives each its AWS code.
"""

from __future__ import annotations

from ferry.errors import ConfigError, FerryError, InputError
from ferry.runner.durable import InvalidTokenError, TaskTimedOutError
from ferry.store.errors import (
    ExecutionAlreadyExistsError,
    ExecutionDoesNotExistError,
    ExecutionNotRedrivableError,
    InvalidPageTokenError,
    StateMachineAlreadyExistsError,
    StateMachineDoesNotExistError,
)


class ApiError(Exception):
    """An AWS error response: ``code`` becomes ``__type``; ``message`` is AWS's text."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation_error(message: str) -> ApiError:
    """AWS's ``ValidationException`` in its usual one-error form."""
    return ApiError("ValidationException", f"1 validation error detected: {message}")


# AWS's texts for the token errors (as SendTaskSuccess answers them on AWS).
UNKNOWN_TASK_TEXT = "Invalid Token: 'Invalid token'"
ENDED_TASK_TEXT = "Task Timed Out: 'Provided task does not exist anymore'"

_CODES: dict[type[FerryError], str] = {
    ExecutionAlreadyExistsError: "ExecutionAlreadyExists",
    ExecutionDoesNotExistError: "ExecutionDoesNotExist",
    ExecutionNotRedrivableError: "ExecutionNotRedrivable",
    StateMachineAlreadyExistsError: "StateMachineAlreadyExists",
    StateMachineDoesNotExistError: "StateMachineDoesNotExist",
    InvalidPageTokenError: "InvalidToken",
}


def translate(exc: FerryError) -> ApiError | None:
    """The AWS error for ``exc``, or None when it is an internal failure."""
    code = _CODES.get(type(exc))
    if code is not None:
        return ApiError(code, str(exc))
    if isinstance(exc, InvalidTokenError):
        return ApiError("InvalidToken", UNKNOWN_TASK_TEXT)
    if isinstance(exc, TaskTimedOutError):
        return ApiError("TaskTimedOut", ENDED_TASK_TEXT)
    if isinstance(exc, InputError | ConfigError):
        return ApiError("ValidationException", str(exc))
    return None
