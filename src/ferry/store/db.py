"""The thin SQL layer both backends share: a dialect, a transaction handle, a database.

SQL in this package is written once, in the subset SQLite and PostgreSQL agree on
(``INSERT ... ON CONFLICT``, ``RETURNING``, row-value comparisons), with ``?`` placeholders.
The backends differ only in the hooks of :class:`Dialect`: the placeholder style, the
row-locking clauses of lease grabs and signal pushes, and the lock that serialises
migrations. Everything else is shared.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal

Row = tuple[Any, ...]
Params = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Dialect:
    """The handful of places where SQLite and PostgreSQL SQL differ.

    Attributes:
        name: ``sqlite`` or ``postgresql``.
        placeholder: What ``?`` becomes in the driver's paramstyle.
        skip_locked: Appended to the row-picking subquery of a lease grab. PostgreSQL needs
            ``FOR UPDATE SKIP LOCKED`` so concurrent owners pick disjoint rows; SQLite has one
            writer at a time (``BEGIN IMMEDIATE``) so it needs nothing.
        share_lock: Appended to a query that must see a row stay as read until commit.
            PostgreSQL needs ``FOR SHARE`` (a writer of that row waits, and a reader waiting
            on a writer re-checks the row after it commits); SQLite's single writer needs
            nothing.
        migration_lock: A statement that serialises concurrent migrators, if one is needed.
    """

    name: Literal["sqlite", "postgresql"]
    placeholder: str
    skip_locked: str
    share_lock: str
    migration_lock: str | None
    _cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def sql(self, text: str) -> str:
        """Translate shared SQL (``?``, ``{skip_locked}``, ``{share_lock}``) to this dialect."""
        translated = self._cache.get(text)
        if translated is None:
            translated = text.replace("{skip_locked}", self.skip_locked)
            translated = translated.replace("{share_lock}", self.share_lock)
            if self.placeholder != "?":
                translated = translated.replace("?", self.placeholder)
            self._cache[text] = translated
        return translated


class Tx:
    """A transaction in progress: run shared SQL through the dialect on one cursor."""

    __slots__ = ("_cursor", "_dialect")

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self._cursor = cursor
        self._dialect = dialect

    @property
    def dialect(self) -> Dialect:
        """The dialect the SQL is translated to."""
        return self._dialect

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        self._cursor.execute(self._dialect.sql(sql), params)
        count: int = self._cursor.rowcount
        return count

    def rows(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query (or a statement with ``RETURNING``) and fetch every row."""
        self._cursor.execute(self._dialect.sql(sql), params)
        return [tuple(row) for row in self._cursor.fetchall()]

    def one(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query and fetch its first row, or None."""
        self._cursor.execute(self._dialect.sql(sql), params)
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    def many(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows in a single driver call."""
        self._cursor.executemany(self._dialect.sql(sql), rows)


class Database(ABC):
    """A connection to one database, safe to share between the runner's threads."""

    dialect: Dialect

    @abstractmethod
    def transaction(self, *, write: bool = True) -> AbstractContextManager[Tx]:
        """Open a transaction; commit when the block ends, roll back if it raises.

        Raises:
            StoreConflictError: The transaction broke a uniqueness or foreign-key rule.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the connection; the database is unusable afterwards."""


def fetch_rows(db: Database, sql: str, params: Params = ()) -> list[Row]:
    """Run one read-only query in its own transaction."""
    with db.transaction(write=False) as tx:
        return tx.rows(sql, params)


def fetch_one(db: Database, sql: str, params: Params = ()) -> Row | None:
    """Run one read-only query in its own transaction and return its first row."""
    with db.transaction(write=False) as tx:
        return tx.one(sql, params)
