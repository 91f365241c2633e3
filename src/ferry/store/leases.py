"""Leases: which process owns which RUNNING execution, so no step runs twice concurrently.

An owner (one ``ferry server`` process) grabs executions that are RUNNING and either unowned
or whose lease expired — its previous owner died — and renews its leases while it lives. On
PostgreSQL the grab picks rows with ``FOR UPDATE SKIP LOCKED``, so concurrent owners take
disjoint sets without waiting on each other; on SQLite the grab runs in a ``BEGIN IMMEDIATE``
transaction, which admits one writer at a time. ``commit_step(owner=...)`` refuses to write
for an owner whose lease was taken over, closing the gap between expiry and takeover.
"""

from __future__ import annotations

from collections.abc import Sequence

from ferry.store.db import Database, fetch_one

_GRAB = (
    "UPDATE executions SET owner = ?, lease_until = ? WHERE arn IN ("
    "SELECT arn FROM executions WHERE status = 'RUNNING' "
    "AND (owner IS NULL OR lease_until < ?) ORDER BY start_date, arn LIMIT ?{skip_locked}"
    ") RETURNING arn"
)


class SqlLeaseStore:
    """Leases as ``owner``/``lease_until`` columns of the ``executions`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, owner: str, now: float, lease_seconds: float, limit: int = 100) -> list[str]:
        """Take up to ``limit`` unowned or expired RUNNING executions; return their ARNs."""
        with self._db.transaction() as tx:
            rows = tx.rows(_GRAB, (owner, now + lease_seconds, now, limit))
        return sorted(str(row[0]) for row in rows)

    def claim(self, owner: str, arn: str, now: float, lease_seconds: float) -> bool:
        """Take one RUNNING execution if it is unowned, expired or already ``owner``'s.

        What a process that has just started an execution uses to run it itself.
        """
        with self._db.transaction() as tx:
            rows = tx.rows(
                "UPDATE executions SET owner = ?, lease_until = ? WHERE arn = ? "
                "AND status = 'RUNNING' AND (owner IS NULL OR owner = ? OR lease_until < ?) "
                "RETURNING arn",
                (owner, now + lease_seconds, arn, owner, now),
            )
        return bool(rows)

    def renew(self, owner: str, now: float, lease_seconds: float) -> list[str]:
        """Extend every lease ``owner`` still holds; return those ARNs.

        An execution missing from the answer was taken over (or closed): stop running it.
        """
        with self._db.transaction() as tx:
            rows = tx.rows(
                "UPDATE executions SET lease_until = ? "
                "WHERE owner = ? AND status = 'RUNNING' RETURNING arn",
                (now + lease_seconds, owner),
            )
        return sorted(str(row[0]) for row in rows)

    def release(self, owner: str, arns: Sequence[str] | None = None) -> int:
        """Give up ``arns`` (all of ``owner``'s leases when None); return how many."""
        sql = "UPDATE executions SET owner = NULL, lease_until = NULL WHERE owner = ?"
        with self._db.transaction() as tx:
            if arns is None:
                return tx.execute(sql, (owner,))
            return sum(tx.execute(sql + " AND arn = ?", (owner, arn)) for arn in arns)

    def holder(self, arn: str) -> tuple[str, float] | None:
        """Who holds the execution's lease and until when, or None when nobody does."""
        row = fetch_one(self._db, "SELECT owner, lease_until FROM executions WHERE arn = ?", (arn,))
        if row is None or row[0] is None:
            return None
        return str(row[0]), float(row[1])
