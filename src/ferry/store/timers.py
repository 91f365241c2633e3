"""Timers stored as due times: Waits and Retry back-offs survive a restart with their
remaining time, because nothing sleeps — a runner asks what is due and delivers it.
"""

from __future__ import annotations

from ferry.store.db import Database, fetch_one, fetch_rows
from ferry.store.records import Timer


class SqlTimerStore:
    """Timers in the ``timers`` table (``commit_step`` adds and removes a step's timers)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def schedule(self, execution_arn: str, timer_id: int, due: float) -> None:
        """Add a timer, or move an existing one to ``due``."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO timers (execution_arn, timer_id, due) VALUES (?, ?, ?) "
                "ON CONFLICT (execution_arn, timer_id) DO UPDATE SET due = excluded.due",
                (execution_arn, timer_id, due),
            )

    def due(self, now: float, limit: int = 100, *, owner: str | None = None) -> list[Timer]:
        """Timers due at or before ``now``, earliest first.

        Args:
            now: The current time.
            limit: At most this many timers.
            owner: Only timers of executions this lease owner holds.
        """
        if owner is None:
            sql = "SELECT execution_arn, timer_id, due FROM timers WHERE due <= ?"
            params: tuple[object, ...] = (now,)
        else:
            sql = (
                "SELECT t.execution_arn, t.timer_id, t.due FROM timers t "
                "JOIN executions e ON e.arn = t.execution_arn WHERE t.due <= ? AND e.owner = ?"
            )
            params = (now, owner)
        rows = fetch_rows(self._db, sql + " ORDER BY due LIMIT ?", (*params, limit))
        return [Timer(arn, int(timer_id), float(due)) for arn, timer_id, due in rows]

    def next_due(self, *, owner: str | None = None) -> float | None:
        """When the earliest timer falls due (of ``owner``'s executions, when given)."""
        if owner is None:
            row = fetch_one(self._db, "SELECT MIN(due) FROM timers")
        else:
            row = fetch_one(
                self._db,
                "SELECT MIN(t.due) FROM timers t JOIN executions e ON e.arn = t.execution_arn "
                "WHERE e.owner = ?",
                (owner,),
            )
        return None if row is None or row[0] is None else float(row[0])

    def delete(self, execution_arn: str, timer_id: int) -> bool:
        """Forget a timer; False if it was not there (already delivered or cancelled)."""
        with self._db.transaction() as tx:
            return (
                tx.execute(
                    "DELETE FROM timers WHERE execution_arn = ? AND timer_id = ?",
                    (execution_arn, timer_id),
                )
                > 0
            )
