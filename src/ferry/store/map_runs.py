"""Map Runs: what a Distributed Map started, its settings and progress, and its children.

A Map Run row is written once when the run starts (idempotent by ARN, so the Map Run runtime
re-invoked after a crash finds it), then its counts as children finish, then its end. Each
child (one item, or one batch) is a row of ``map_run_children``: started, then finished with
its input and result, so a resumed run neither starts a child twice nor loses an output.
STANDARD children are also executions (``executions.revision_id`` holds their Map Run's ARN,
which is how :meth:`SqlMapRunStore.definition` gives the durable runner their definition).
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Literal

from ferry.jsontypes import dumps
from ferry.store.db import Database, Row, fetch_one, fetch_rows
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import ExecutionRecord, Page

MapRunStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED"]
COUNT_KEYS = (
    "pending",
    "running",
    "succeeded",
    "failed",
    "timedOut",
    "aborted",
    "total",
    "resultsWritten",
    "failuresNotRedrivable",
    "pendingRedrive",
)
"""The fields of MapRunItemCounts and MapRunExecutionCounts (API reference)."""

Counts = dict[str, int]


def zero_counts() -> Counts:
    """Every count at zero."""
    return dict.fromkeys(COUNT_KEYS, 0)


@dataclass(frozen=True, slots=True)
class MapRunRecord:
    """A Map Run as DescribeMapRun shows it (``machine_arn`` is its children's machine)."""

    arn: str
    execution_arn: str
    machine_arn: str
    execution_type: str
    status: MapRunStatus
    start_date: float
    stop_date: float | None
    max_concurrency: int
    tolerated_failure_count: int
    tolerated_failure_percentage: float
    item_counts: Counts
    execution_counts: Counts
    redrive_count: int
    redrive_date: float | None


@dataclass(frozen=True, slots=True)
class NewMapRun:
    """What a Map Run starts with; ``definition`` is its processor (JSON text)."""

    arn: str
    execution_arn: str
    machine_arn: str
    definition: str
    execution_type: str
    start_date: float
    max_concurrency: int
    tolerated_failure_count: int
    tolerated_failure_percentage: float


@dataclass(frozen=True, slots=True)
class ChildRecord:
    """One child of a Map Run; ``output`` is JSON text once it SUCCEEDED."""

    index: int
    execution_arn: str
    items: int
    status: str
    input: str
    output: str | None
    error: str | None
    cause: str | None
    start_date: float
    stop_date: float | None


_COLUMNS = (
    "arn, execution_arn, machine_arn, execution_type, status, start_date, stop_date, "
    "max_concurrency, tolerated_failure_count, tolerated_failure_percentage, item_counts, "
    "execution_counts, redrive_count, redrive_date"
)
_SELECT = f"SELECT {_COLUMNS} FROM map_runs "  # noqa: S608 - constant column list
_CHILD = (
    "SELECT item_index, execution_arn, items, status, input, output, error, cause, "
    "start_date, stop_date FROM map_run_children "
)
# STANDARD children that closed since the runtime last looked: the execution row is the truth.
_CLOSED = (
    "SELECT c.item_index, c.execution_arn, c.items, e.status, c.input, e.output, e.error, "
    "e.cause, c.start_date, e.stop_date FROM map_run_children c JOIN executions e "
    "ON e.arn = c.execution_arn WHERE c.map_run_arn = ? AND c.status = 'RUNNING' "
    "AND e.status <> 'RUNNING' ORDER BY c.item_index LIMIT ?"
)
_EXECUTIONS = (
    "SELECT e.arn, e.machine_arn, e.name, e.revision_id, e.input, e.status, e.output, e.error, "
    "e.cause, e.start_date, e.stop_date, e.redrive_count, e.redrive_date "
    "FROM map_run_children c JOIN executions e ON e.arn = c.execution_arn "
    "WHERE c.map_run_arn = ? "
)


def _record(row: Row) -> MapRunRecord:
    (arn, execution_arn, machine_arn, kind, status, start, stop, concurrency, count, pct,
     items, executions, redrives, redrive_date) = row  # fmt: skip
    return MapRunRecord(
        arn, execution_arn, machine_arn, kind, status, float(start),
        None if stop is None else float(stop), int(concurrency), int(count), float(pct),
        json.loads(items), json.loads(executions), int(redrives),
        None if redrive_date is None else float(redrive_date),
    )  # fmt: skip


def _child(row: Row) -> ChildRecord:
    index, arn, items, status, data, output, error, cause, start, stop = row
    return ChildRecord(
        int(index), arn, int(items), status, data, output, error, cause, float(start),
        None if stop is None else float(stop),
    )  # fmt: skip


class SqlMapRunStore:
    """Map Runs in ``map_runs`` and ``map_run_children``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, run: NewMapRun) -> tuple[MapRunRecord, bool]:
        """Record a started Map Run; return it and whether this call created it."""
        zero = dumps(zero_counts())
        with self._db.transaction() as tx:
            created = tx.execute(
                f"INSERT INTO map_runs ({_COLUMNS}, definition) VALUES "  # noqa: S608
                "(?, ?, ?, ?, 'RUNNING', ?, NULL, ?, ?, ?, ?, ?, 0, NULL, ?) "
                "ON CONFLICT DO NOTHING",
                (run.arn, run.execution_arn, run.machine_arn, run.execution_type,
                 run.start_date, run.max_concurrency, run.tolerated_failure_count,
                 run.tolerated_failure_percentage, zero, zero, run.definition),
            )  # fmt: skip
            row = tx.one(_SELECT + "WHERE arn = ?", (run.arn,))
        assert row is not None
        return _record(row), bool(created)

    def describe(self, arn: str) -> MapRunRecord | None:
        """The Map Run, or None."""
        row = fetch_one(self._db, _SELECT + "WHERE arn = ?", (arn,))
        return None if row is None else _record(row)

    def definition(self, arn: str) -> str | None:
        """The processor definition (JSON text) of Map Run ``arn``, or None."""
        row = fetch_one(self._db, "SELECT definition FROM map_runs WHERE arn = ?", (arn,))
        return None if row is None else str(row[0])

    def list(
        self, execution_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[MapRunRecord]:
        """One page of an execution's Map Runs, newest first.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        where, params = "execution_arn = ?", [execution_arn]
        if next_token is not None:
            start, arn = decode_token(next_token, 2)
            where += " AND (start_date, arn) < (?, ?)"
            params += [start, arn]
        size = page_size(max_results)
        rows = fetch_rows(
            self._db,
            f"{_SELECT}WHERE {where} ORDER BY start_date DESC, arn DESC LIMIT ?",
            (*params, size + 1),
        )
        items = [_record(row) for row in rows[:size]]
        last = items[-1] if len(rows) > size else None
        return Page(items, None if last is None else encode_token([last.start_date, last.arn]))

    def update(
        self,
        arn: str,
        *,
        max_concurrency: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> bool:
        """UpdateMapRun: change the settings given; False when no Map Run has this ARN."""
        with self._db.transaction() as tx:
            row = tx.one(
                "SELECT max_concurrency, tolerated_failure_count, tolerated_failure_percentage "
                "FROM map_runs WHERE arn = ?",
                (arn,),
            )
            if row is None:
                return False
            wanted = (max_concurrency, tolerated_failure_count, tolerated_failure_percentage)
            values = [old if new is None else new for old, new in zip(row, wanted, strict=True)]
            tx.execute(
                "UPDATE map_runs SET max_concurrency = ?, tolerated_failure_count = ?, "
                "tolerated_failure_percentage = ? WHERE arn = ?",
                (*values, arn),
            )
        return True

    def progress(self, arn: str, item_counts: Counts, execution_counts: Counts) -> None:
        """Record the run's counts so far."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE map_runs SET item_counts = ?, execution_counts = ? WHERE arn = ?",
                (dumps(item_counts), dumps(execution_counts), arn),
            )

    def close(
        self,
        arn: str,
        status: MapRunStatus,
        stop_date: float,
        item_counts: Counts,
        execution_counts: Counts,
    ) -> None:
        """Record the run's end and final counts."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE map_runs SET status = ?, stop_date = ?, item_counts = ?, "
                "execution_counts = ? WHERE arn = ?",
                (status, stop_date, dumps(item_counts), dumps(execution_counts), arn),
            )

    def child(self, arn: str, index: int) -> ChildRecord | None:
        """Child ``index`` of the run, or None if it was never started."""
        row = fetch_one(self._db, _CHILD + "WHERE map_run_arn = ? AND item_index = ?", (arn, index))
        return None if row is None else _child(row)

    def child_started(self, arn: str, child: ChildRecord) -> None:
        """Record a started child (kept as it is if already recorded)."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO map_run_children (map_run_arn, item_index, execution_arn, items, "
                "status, input, start_date) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?) "
                "ON CONFLICT DO NOTHING",
                (arn, child.index, child.execution_arn, child.items, child.input,
                 child.start_date),
            )  # fmt: skip

    def child_finished(self, arn: str, child: ChildRecord) -> None:
        """Record how a child ended (its status, result and stop date)."""
        with self._db.transaction() as tx:
            tx.execute(
                "UPDATE map_run_children SET status = ?, output = ?, error = ?, cause = ?, "
                "stop_date = ? WHERE map_run_arn = ? AND item_index = ?",
                (child.status, child.output, child.error, child.cause, child.stop_date, arn,
                 child.index),
            )  # fmt: skip

    def closed_children(self, arn: str, limit: int = 500) -> builtins.list[ChildRecord]:
        """STANDARD children recorded as running whose execution has closed."""
        return [_child(row) for row in fetch_rows(self._db, _CLOSED, (arn, limit))]

    def executions(
        self, arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[ExecutionRecord]:
        """ListExecutions(mapRunArn): the run's STANDARD child executions, newest first.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        sql, params = _EXECUTIONS, [arn]
        if next_token is not None:
            start, child_arn = decode_token(next_token, 2)
            sql += "AND (e.start_date, e.arn) < (?, ?) "
            params += [start, child_arn]
        size = page_size(max_results)
        rows = fetch_rows(
            self._db, sql + "ORDER BY e.start_date DESC, e.arn DESC LIMIT ?", (*params, size + 1)
        )
        items = [ExecutionRecord(*row) for row in rows[:size]]
        last = items[-1] if len(rows) > size else None
        return Page(items, None if last is None else encode_token([last.start_date, last.arn]))
