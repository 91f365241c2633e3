"""A Map Run's record and counts: in the store for durable runs, in memory otherwise.

The counts are DescribeMapRun's ``itemCounts`` and ``executionCounts`` (API reference,
MapRunItemCounts / MapRunExecutionCounts): an execution is one child; with an ItemBatcher a
child holds several items, so the two differ. ``total`` grows as items are read (the reader
streams, so the total is known only once it is exhausted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from ferry.distributed.spec import DEFAULT_MAX_CONCURRENCY, MapRunSpec
from ferry.jsontypes import dumps
from ferry.store.base import Store
from ferry.store.map_runs import ChildRecord, Counts, MapRunStatus, NewMapRun, zero_counts

_STATUS_KEY = {
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timedOut",
    "ABORTED": "aborted",
}
_N = TypeVar("_N", int, float)
SETTINGS_EVERY_SECONDS = 0.2
"""How often a durable run re-reads its settings (UpdateMapRun) and writes its counts."""


@dataclass(slots=True)
class Settings:
    """The knobs UpdateMapRun may turn while the run goes on (None: not set)."""

    max_concurrency: int
    tolerated_failure_count: int | None
    tolerated_failure_percentage: float | None

    @property
    def limit(self) -> int:
        """How many children may run at once (0 means AWS's default)."""
        return self.max_concurrency or DEFAULT_MAX_CONCURRENCY


@dataclass(slots=True)
class Tally:
    """Item and execution counts of a run."""

    items: Counts = field(default_factory=zero_counts)
    executions: Counts = field(default_factory=zero_counts)

    def read(self, count: int) -> None:
        """Items were read (pending until their child starts)."""
        self.items["total"] += count
        self.items["pending"] += count

    def start(self, child: ChildRecord) -> None:
        """A child started with ``child.items`` items."""
        self.items["pending"] -= child.items
        self.items["running"] += child.items
        self.executions["total"] += 1
        self.executions["running"] += 1

    def finish(self, child: ChildRecord, *, written: bool) -> None:
        """A child ended (with its results written by a ResultWriter when ``written``)."""
        key = _STATUS_KEY.get(child.status, "failed")
        for counts, size in ((self.items, child.items), (self.executions, 1)):
            counts["running"] -= size
            counts[key] += size
            if written:
                counts["resultsWritten"] += size

    @property
    def failed_items(self) -> int:
        """Items whose child failed, timed out or was aborted."""
        return sum(self.items[key] for key in ("failed", "timedOut", "aborted"))


class Ledger(Protocol):
    """Where a run records itself."""

    def begin(self, spec: MapRunSpec, now: float) -> bool:
        """Record the run; return True when it was already recorded (a resumed run)."""
        ...

    def settings(self, current: Settings) -> Settings:
        """The run's settings now (UpdateMapRun may have changed ``current``)."""
        ...

    def known(self, index: int) -> ChildRecord | None:
        """Child ``index`` as recorded before, if it was started."""
        ...

    def started(self, child: ChildRecord) -> None:
        """Record a started child."""
        ...

    def finished(self, child: ChildRecord) -> None:
        """Record how a child ended."""
        ...

    def progress(self, tally: Tally, *, force: bool = False) -> None:
        """Record the counts (now and then, or at once when ``force``)."""
        ...

    def close(self, status: MapRunStatus, tally: Tally, now: float) -> None:
        """Record the run's end."""
        ...


class MemoryLedger:
    """An in-memory run records nothing: no API can ask about it."""

    def begin(self, spec: MapRunSpec, now: float) -> bool:
        """Nothing to resume."""
        del spec, now
        return False

    def settings(self, current: Settings) -> Settings:
        """Nothing can change them."""
        return current

    def known(self, index: int) -> ChildRecord | None:
        """No child is known before it starts."""
        del index
        return None

    def started(self, child: ChildRecord) -> None:
        """Nothing to record."""

    def finished(self, child: ChildRecord) -> None:
        """Nothing to record."""

    def progress(self, tally: Tally, *, force: bool = False) -> None:
        """Nothing to record."""

    def close(self, status: MapRunStatus, tally: Tally, now: float) -> None:
        """Nothing to record."""


class StoreLedger:
    """A durable run's record in ``store.map_runs``."""

    def __init__(self, store: Store, arn: str) -> None:
        self.store = store
        self.arn = arn
        self._next_sync = 0.0
        self._shown: tuple[int, int, float] | None = None

    def begin(self, spec: MapRunSpec, now: float) -> bool:
        """Create the Map Run row (or find it, when re-invoked after a crash)."""
        record, created = self.store.map_runs.create(
            NewMapRun(
                arn=spec.map_run_arn,
                execution_arn=spec.execution_arn,
                machine_arn=spec.child_machine_arn,
                definition=dumps(spec.processor),
                execution_type=spec.execution_type,
                start_date=now,
                max_concurrency=spec.max_concurrency,
                tolerated_failure_count=spec.tolerated_failure_count or 0,
                tolerated_failure_percentage=spec.tolerated_failure_percentage or 0.0,
            )
        )
        self._shown = (
            record.max_concurrency,
            record.tolerated_failure_count,
            record.tolerated_failure_percentage,
        )
        return not created

    def settings(self, current: Settings) -> Settings:
        """Apply what UpdateMapRun changed since the last look (at most every 0.2 s)."""
        if time.monotonic() < self._next_sync:
            return current
        self._next_sync = time.monotonic() + SETTINGS_EVERY_SECONDS
        record = self.store.map_runs.describe(self.arn)
        if record is None or self._shown is None:
            return current
        shown = self._shown
        self._shown = (
            record.max_concurrency,
            record.tolerated_failure_count,
            record.tolerated_failure_percentage,
        )
        if self._shown == shown:
            return current
        return Settings(
            record.max_concurrency,
            _changed(current.tolerated_failure_count, shown[1], record.tolerated_failure_count),
            _changed(
                current.tolerated_failure_percentage, shown[2], record.tolerated_failure_percentage
            ),
        )

    def known(self, index: int) -> ChildRecord | None:
        """The recorded child ``index``."""
        return self.store.map_runs.child(self.arn, index)

    def started(self, child: ChildRecord) -> None:
        """Record the child before it starts, so a crash cannot lose track of it."""
        self.store.map_runs.child_started(self.arn, child)

    def finished(self, child: ChildRecord) -> None:
        """Record the child's end and result."""
        self.store.map_runs.child_finished(self.arn, child)

    def progress(self, tally: Tally, *, force: bool = False) -> None:
        """Write the counts at most every 0.2 s (each child's row is the durable truth)."""
        if force or time.monotonic() >= self._next_sync:
            self.store.map_runs.progress(self.arn, tally.items, tally.executions)

    def close(self, status: MapRunStatus, tally: Tally, now: float) -> None:
        """Record the end, with the final counts."""
        self.store.map_runs.close(self.arn, status, now, tally.items, tally.executions)


def _changed(current: _N | None, shown: _N, stored: _N) -> _N | None:
    """The setting UpdateMapRun left: ``stored`` if it changed since last shown."""
    return current if stored == shown else stored
