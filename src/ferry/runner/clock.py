"""Clocks for runners. The engine never reads the time itself; runners pass it in."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Where a runner gets the time, and whether it may skip idle waits."""

    can_jump: bool

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def jump_to(self, moment: float) -> None:
        """Move the clock forward to ``moment`` (only when ``can_jump``)."""
        ...


class SystemClock:
    """Real time; waits take as long as they say."""

    can_jump = False

    def now(self) -> float:
        """The wall clock."""
        return time.time()

    def jump_to(self, moment: float) -> None:
        """Real time cannot jump."""
        raise NotImplementedError("the system clock cannot jump")


class VirtualClock:
    """Real time plus an offset that jumps to the next timer whenever nothing is running.

    With it a ``Wait`` of an hour, or a Retry back-off, finishes at once, while tasks that run
    (Lambda handlers) still take their real time, so task timeouts stay meaningful.
    """

    can_jump = True

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        """The wall clock plus every jump so far."""
        return time.time() + self._offset

    def jump_to(self, moment: float) -> None:
        """Advance to ``moment`` if it is in the future."""
        self._offset += max(0.0, moment - self.now())
