"""Execution history: append events, read them in order or reversed, a page at a time.

Events are stored as the AWS-shaped dicts the engine emits (JSON text in ``body``), keyed by
``(execution_arn, event_id)`` so an event can never be written twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from ferry.jsontypes import JSON, dumps
from ferry.store.db import Database, fetch_rows
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import Page

INSERT_EVENT = (
    "INSERT INTO history_events (execution_arn, event_id, type, timestamp, body) "
    "VALUES (?, ?, ?, ?, ?)"
)


def event_rows(arn: str, events: Sequence[Mapping[str, JSON]]) -> list[tuple[JSON, ...]]:
    """Parameter rows for :data:`INSERT_EVENT`: the indexed fields, then the whole event."""
    return [(arn, e["id"], e["type"], e["timestamp"], dumps(e)) for e in events]


class SqlHistoryStore:
    """History events in the ``history_events`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def append(self, execution_arn: str, events: Sequence[Mapping[str, JSON]]) -> None:
        """Append events outside a step (``commit_step`` appends a step's own events).

        Raises:
            StoreConflictError: An event id is already in the history; none was written.
        """
        with self._db.transaction() as tx:
            tx.many(INSERT_EVENT, event_rows(execution_arn, events))

    def read(
        self,
        execution_arn: str,
        *,
        reverse: bool = False,
        max_results: int = 0,
        next_token: str | None = None,
    ) -> Page[dict[str, JSON]]:
        """One page of events, oldest first (newest first when ``reverse``).

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        size = page_size(max_results)
        where, params = "execution_arn = ?", [execution_arn]
        if next_token is not None:
            after = decode_token(next_token, 1)[0]
            where += " AND event_id < ?" if reverse else " AND event_id > ?"
            params.append(after)
        order = "DESC" if reverse else "ASC"
        rows = fetch_rows(
            self._db,
            # Only constant fragments are joined; every value is a bound parameter.
            f"SELECT event_id, body FROM history_events WHERE {where} "  # noqa: S608
            f"ORDER BY event_id {order} LIMIT ?",
            (*params, size + 1),
        )
        events: list[dict[str, JSON]] = [json.loads(body) for _, body in rows[:size]]
        token = encode_token([rows[size - 1][0]]) if len(rows) > size else None
        return Page(events, token)

    def last_event_id(self, execution_arn: str) -> int:
        """The id of the newest event, 0 for an empty history."""
        rows = fetch_rows(
            self._db,
            "SELECT MAX(event_id) FROM history_events WHERE execution_arn = ?",
            (execution_arn,),
        )
        return int(rows[0][0] or 0)
