"""Execution signals: an inbox per execution, so other processes can hand events to its owner.

StopExecution, SendTaskSuccess/Failure/Heartbeat and the CLI do not touch an execution's
state — only its lease owner (the durable runner) does. They :meth:`~SqlSignalStore.push` a
signal instead; the owner reads its inbox and deletes each signal in the ``commit_step`` of the
step the signal caused (``StepCommit.signals_consumed``). A crash between reading and
committing therefore loses nothing: the signal is still there for the next owner.

A closed execution takes no signals, and its closing step drops the ones still pending, so a
later redrive never sees a stale ``stop``. On PostgreSQL the push reads the execution row
``FOR SHARE``: a push racing a closing step either commits first (and the close deletes its
signal) or waits and then sees the execution closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ferry.store.db import Database, Row, fetch_rows
from ferry.store.errors import ExecutionDoesNotExistError, ExecutionNotRunningError
from ferry.store.records import Signal

_PUSH = (
    "INSERT INTO execution_signals (execution_arn, kind, payload, created) "
    "SELECT arn, ?, ?, ? FROM executions WHERE arn = ? AND status = 'RUNNING'{share_lock} "
    "RETURNING id"
)
# Column lists are spelled out in each statement: the SQL stays literal, values are bound.
_FOR_OWNER = (
    "SELECT s.id, s.execution_arn, s.kind, s.payload, s.created FROM execution_signals s "
    "JOIN executions e ON e.arn = s.execution_arn "
    "WHERE e.owner = ? AND e.status = 'RUNNING' ORDER BY s.id LIMIT ?"
)
# Well under SQLite's (32,766) and PostgreSQL's (65,535) limits on bound parameters.
_ARNS_PER_QUERY = 500


def _signal(row: Row) -> Signal:
    signal_id, arn, kind, payload, created = row
    return Signal(int(signal_id), str(arn), str(kind), str(payload), float(created))


class SqlSignalStore:
    """Signals in the ``execution_signals`` table (``commit_step`` consumes them)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def push(self, execution_arn: str, kind: str, payload: str, now: float) -> int:
        """Put a signal in a RUNNING execution's inbox; return its id.

        Args:
            execution_arn: The execution to signal.
            kind: What happened (``stop``, ``task_success``, ...); the store does not read it.
            payload: JSON text, stored as given.
            now: When the signal was sent.

        Raises:
            ExecutionDoesNotExistError: No execution has this ARN.
            ExecutionNotRunningError: The execution has closed.
        """
        with self._db.transaction() as tx:
            row = tx.one(_PUSH, (kind, payload, now, execution_arn))
            if row is not None:
                return int(row[0])
            status = tx.one("SELECT status FROM executions WHERE arn = ?", (execution_arn,))
        if status is None:
            raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{execution_arn}'")
        raise ExecutionNotRunningError(f"execution {execution_arn} is {status[0]}, not RUNNING")

    def pending(self, execution_arns: Sequence[str], limit: int = 100) -> list[Signal]:
        """Up to ``limit`` signals waiting for these executions, oldest first."""
        found: list[Signal] = []
        for start in range(0, len(execution_arns), _ARNS_PER_QUERY):
            chunk = execution_arns[start : start + _ARNS_PER_QUERY]
            marks = ", ".join(["?"] * len(chunk))
            rows = fetch_rows(
                self._db,
                # Only "?" marks are joined into the SQL; every value is a bound parameter.
                "SELECT id, execution_arn, kind, payload, created FROM execution_signals "  # noqa: S608
                f"WHERE execution_arn IN ({marks}) ORDER BY id LIMIT ?",
                (*chunk, limit),
            )
            found.extend(_signal(row) for row in rows)
        return sorted(found, key=lambda signal: signal.id)[:limit]

    def pending_for_owner(self, owner: str, limit: int = 100) -> list[Signal]:
        """Up to ``limit`` signals of the RUNNING executions whose lease ``owner`` holds."""
        return [_signal(row) for row in fetch_rows(self._db, _FOR_OWNER, (owner, limit))]
