"""Errors the store raises; the API layer maps them to AWS error names.

They extend Ferry's error tree (see :mod:`ferry.errors`)::

    FerryError
    └── StoreError                          HTTP 500
        ├── ExecutionAlreadyExistsError     HTTP 400  (AWS ExecutionAlreadyExists)
        ├── StateMachineAlreadyExistsError  HTTP 400  (AWS StateMachineAlreadyExists)
        ├── ExecutionDoesNotExistError      HTTP 400  (AWS ExecutionDoesNotExist)
        ├── StateMachineDoesNotExistError   HTTP 400  (AWS StateMachineDoesNotExist)
        ├── ExecutionNotRedrivableError     HTTP 400  (AWS ExecutionNotRedrivable)
        ├── ExecutionNotRunningError        HTTP 400  (a signal for a closed execution)
        ├── InvalidPageTokenError           HTTP 400  (AWS InvalidToken for a bad nextToken)
        ├── LeaseLostError                  HTTP 409  (another owner holds the execution)
        └── StoreConflictError              HTTP 409  (a write broke a uniqueness rule)
"""

from __future__ import annotations

from ferry.errors import FerryError


class StoreError(FerryError):
    """Base of the store's errors."""


class ExecutionAlreadyExistsError(StoreError):
    """An execution with this name exists with a different input, or has already closed."""

    http_status = 400


class StateMachineAlreadyExistsError(StoreError):
    """A state machine with this name exists with a different definition or type."""

    http_status = 400


class ExecutionDoesNotExistError(StoreError):
    """No execution has this ARN."""

    http_status = 400


class StateMachineDoesNotExistError(StoreError):
    """No state machine has this ARN."""

    http_status = 400


class ExecutionNotRedrivableError(StoreError):
    """Only FAILED, ABORTED and TIMED_OUT executions can be redriven."""

    http_status = 400


class ExecutionNotRunningError(StoreError):
    """The execution has closed, so it takes no more signals (the API decides what AWS says)."""

    http_status = 400


class InvalidPageTokenError(StoreError):
    """A ``nextToken`` that this store did not hand out."""

    http_status = 400


class LeaseLostError(StoreError):
    """The committing owner no longer holds the execution's lease; nothing was written."""

    http_status = 409


class StoreConflictError(StoreError):
    """A write violated a uniqueness rule (e.g. a history event id written twice)."""

    http_status = 409
