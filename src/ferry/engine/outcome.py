"""What running a state produced: go on, wait for something, or fail."""

from __future__ import annotations

from dataclasses import dataclass

from ferry.errors import Failure
from ferry.jsontypes import JSON


@dataclass(frozen=True, slots=True)
class Next:
    """The state finished with ``output``; go to ``next`` (``None``: the program ends)."""

    output: JSON
    next: str | None
    assigned: dict[str, JSON] | None = None  # the state's Assign, applied as it exits


@dataclass(frozen=True, slots=True)
class Failed:
    """The state failed; Retry and Catch get a say before the frame fails."""

    failure: Failure


@dataclass(frozen=True, slots=True)
class Blocked:
    """The frame waits for a task, a timer or its children (or has ended)."""


BLOCKED = Blocked()

Outcome = Next | Failed | Blocked


class StepFailedError(Exception):
    """Raised inside a state's code to fail the state; the interpreter turns it into data."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.cause)
        self.failure = failure
