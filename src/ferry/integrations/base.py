"""The contract between the engine and what a Task's ``Resource`` reaches.

The engine hands an :class:`Integration` a :class:`TaskRequest` and gets back a
:class:`TaskOutcome`: either the task's result (:class:`TaskSuccess`) or the ``(error, cause)``
pair AWS would report (:class:`TaskFailure`). ``invoke`` never raises and runs in a worker
thread, so an integration must be safe to call from several threads at once.

Limits that belong to Step Functions (the 256 KiB payload quota, ``TimeoutSeconds``,
``HeartbeatSeconds``) are enforced by the engine, not by integrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ferry.jsontypes import JSON


@dataclass(frozen=True, slots=True)
class TaskSuccess:
    """A task that completed: ``result`` is its decoded JSON result."""

    result: JSON


@dataclass(frozen=True, slots=True)
class TaskFailure:
    """A task that failed with the error name and cause text AWS would report."""

    error: str | None
    cause: str | None


TaskOutcome = TaskSuccess | TaskFailure
"""What an :class:`Integration` returns for one attempt of a Task."""


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """One attempt of a Task state, as an integration sees it.

    Attributes:
        resource: The Task's ``Resource`` ARN as written in the definition.
        payload: The effective parameters (after ``InputPath``/``Parameters``/``Arguments``).
        context: The ASL context object (``$$``): Execution, State, StateMachine, Task.
        timeout_seconds: The Task's ``TimeoutSeconds``, if any.
        idempotency_key: Stable per attempt (execution id, state, entered event id, retry
            count), so a re-run of the same attempt after a crash can be recognised.
    """

    resource: str
    payload: JSON
    context: JSON
    timeout_seconds: float | None
    idempotency_key: str


class Integration(Protocol):
    """Something a Task's ``Resource`` can reach."""

    def handles(self, resource: str) -> bool:
        """Whether this integration serves ``resource`` (a Task's ``Resource`` ARN)."""
        ...

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Run one attempt of a task; never raises, may run in a worker thread."""
        ...
