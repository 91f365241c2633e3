"""Errors, as data and as exceptions.

ASL runtime errors are data: a :class:`Failure` ``(error, cause)`` whose ``error`` is a
``States.*`` name from :class:`StatesError` or a name a task reported. They never escape as
Python exceptions from the engine.

Ferry's own errors form one small tree; each carries its CLI exit code and HTTP status::

    FerryError                  exit 2, HTTP 500
    ├── DefinitionError         exit 1, HTTP 400  (a definition failed validation)
    ├── InputError              exit 2, HTTP 400  (bad CLI/API input: JSON, file, option)
    └── ConfigError             exit 2, HTTP 400  (bad configuration: functions dir, store URL)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StatesError(StrEnum):
    """The predefined error names of the Amazon States Language."""

    ALL = "States.ALL"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TIMEOUT = "States.Timeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


# Errors that States.ALL does not catch or retry (docs: "Handling errors in Step Functions
# workflows"). The docs name States.DataLimitExceeded too, but AWS was recorded catching a
# Lambda result over the limit with States.ALL (conformance case
# test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response); a *state
# output* over the limit fails the execution without Retry or Catch (the engine does that).
TERMINAL_ERRORS = frozenset({StatesError.RUNTIME})


@dataclass(frozen=True, slots=True)
class Failure:
    """An ASL runtime error: what ``Retry``/``Catch`` match and executions fail with.

    ``terminal`` failures skip every Retry and Catch on their way up (a state output over the
    payload limit: docs, "States.DataLimitExceeded ... can't be caught by States.ALL").
    """

    error: str | None
    cause: str | None
    terminal: bool = False


class FerryError(Exception):
    """Base of Ferry's own errors."""

    exit_code = 2
    http_status = 500


class DefinitionError(FerryError):
    """A state machine definition failed validation; carries the diagnostics."""

    exit_code = 1
    http_status = 400

    def __init__(self, diagnostics: list[object]) -> None:
        self.diagnostics = diagnostics
        super().__init__("; ".join(str(d) for d in diagnostics))


class InputError(FerryError):
    """Bad input from a user: malformed JSON, missing file, invalid option."""

    http_status = 400


class ConfigError(FerryError):
    """Bad configuration: an unusable functions directory, store URL, mock config."""

    http_status = 400
