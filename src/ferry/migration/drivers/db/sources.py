"""Read a source database in primary-key order, one keyset chunk at a time.

A chunk is the key range ``(after, upto]``: :meth:`Source.keys` finds the next ``limit`` keys
after the last checkpointed one (``WHERE pk > last ORDER BY pk LIMIT n``), then the rows of
that range are read. Keys travel as JSON-able lists so they can be checkpointed: a PostgreSQL
key column is read as text and cast back to its type in the next query; SQLite keys are
integers, reals or text already. With ``c_order`` text keys compare in byte order
(``COLLATE "C"``, SQLite's ``BINARY``), so two databases agree on what a range holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Protocol

import psycopg
from psycopg import sql

from ferry.errors import ConfigError
from ferry.migration.drivers.db import schema
from ferry.migration.drivers.db.dialects import (
    CopyError,
    PgConnection,
    connect_postgres,
    connect_sqlite,
    quote_sqlite,
    reason,
)
from ferry.migration.drivers.db.schema import Table
from ferry.migration.drivers.db.urls import DbUrl

Key = list[object]


class Source(Protocol):
    """What the copy and verification need from a source database."""

    url: DbUrl

    def table_names(self) -> list[str]:
        """The tables, by name."""

    def describe(self, name: str) -> Table:
        """Table ``name``; CopyError when there is none."""

    def keys(self, table: Table, after: Key | None, limit: int, *, c_order: bool) -> list[Key]:
        """Up to ``limit`` primary keys after ``after`` (None: from the start), in order."""

    def rows(
        self, table: Table, after: Key | None, upto: Key | None, *, c_order: bool
    ) -> Iterator[tuple[object, ...]]:
        """The copied columns of the rows in ``(after, upto]`` (None: unbounded)."""

    def identity_values(self, table: Table) -> dict[str, tuple[int, bool]]:
        """Per identity column, the sequence position ``(value, is_called)`` to carry over."""

    def close(self) -> None:
        """Close the connection."""


def open_source(url: DbUrl) -> Source:
    """Connect to a source database.

    Raises:
        ConfigError: Unsupported dialect, unreachable server, missing file.
    """
    match url.dialect:
        case "postgresql":
            return PgSource(url)
        case "sqlite":
            return SqliteSource(url)
        case _:
            raise ConfigError(f"{url.redacted}: MySQL/MariaDB sources are not supported yet")


def pg_range(
    table: Table, after: Key | None, upto: Key | None, *, c_order: bool
) -> tuple[sql.Composable, list[object]]:
    """A PostgreSQL ``WHERE`` clause (or nothing) for the key range ``(after, upto]``."""
    cols = [table.column(name) for name in table.primary_key]

    def side(op: str) -> sql.Composable:
        left = sql.SQL(", ").join(_pg_key(c.name, c.collatable and c_order) for c in cols)
        right = sql.SQL(", ").join(
            sql.SQL("%s::{}{}").format(
                sql.SQL(c.type), sql.SQL(' COLLATE "C"' if c.collatable and c_order else "")
            )
            for c in cols
        )
        return sql.SQL("({}) {} ({})").format(left, sql.SQL(op), right)

    clauses, params = [], []
    if after is not None:
        clauses.append(side(">"))
        params.extend(after)
    if upto is not None:
        clauses.append(side("<="))
        params.extend(upto)
    if not clauses:
        return sql.SQL(""), []
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses), params


def pg_order(table: Table, *, c_order: bool) -> sql.Composable:
    """``ORDER BY`` the primary key."""
    return sql.SQL(", ").join(
        _pg_key(n, table.column(n).collatable and c_order) for n in table.primary_key
    )


def _pg_key(name: str, c_order: bool) -> sql.Composable:
    return sql.Identifier(name) + sql.SQL(' COLLATE "C"' if c_order else "")


class PgSource:
    """A PostgreSQL source: the tables of the URL's current schema."""

    def __init__(self, url: DbUrl) -> None:
        self.url = url
        self.conn: PgConnection = connect_postgres(url)

    def table_names(self) -> list[str]:
        return schema.pg_table_names(self.conn)

    def describe(self, name: str) -> Table:
        oid = schema.pg_table_oid(self.conn, name)
        if oid is None:
            raise CopyError(f"{self.url.redacted}: no table {name!r}")
        return schema.describe_pg(self.conn, name, oid)

    def keys(self, table: Table, after: Key | None, limit: int, *, c_order: bool) -> list[Key]:
        where, params = pg_range(table, after, None, c_order=c_order)
        query = sql.SQL("SELECT {} FROM {}{} ORDER BY {} LIMIT {}").format(
            # Aliased: ORDER BY "id" would otherwise sort by the text output column "id".
            sql.SQL(", ").join(
                sql.SQL("{}::text AS {}").format(sql.Identifier(n), sql.Identifier(f"_k{i}"))
                for i, n in enumerate(table.primary_key)
            ),
            sql.Identifier(table.name),
            where,
            pg_order(table, c_order=c_order),
            sql.Literal(limit),
        )
        return [list(row) for row in self._run(table, query, params)]

    def rows(
        self, table: Table, after: Key | None, upto: Key | None, *, c_order: bool
    ) -> Iterator[tuple[object, ...]]:
        where, params = pg_range(table, after, upto, c_order=c_order)
        query = sql.SQL("SELECT {} FROM {}{}").format(
            sql.SQL(", ").join(sql.Identifier(c.name) for c in table.copied),
            sql.Identifier(table.name),
            where,
        )
        yield from self._run(table, query, params)

    def copy_binary(self, table: Table, after: Key | None, upto: Key | None) -> Iterator[bytes]:
        """The rows of ``(after, upto]`` in COPY's binary format, streamed."""
        where, params = pg_range(table, after, upto, c_order=False)
        query = sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT (FORMAT BINARY)").format(
            sql.SQL(", ").join(sql.Identifier(c.name) for c in table.copied),
            sql.Identifier(table.name),
            where,
        )
        with self.conn.cursor() as cur, cur.copy(query, params) as copy:
            for block in copy:
                yield bytes(block)

    def identity_values(self, table: Table) -> dict[str, tuple[int, bool]]:
        qname = sql.Identifier(table.name).as_string(self.conn)
        found = {}
        for col in table.columns:
            if col.identity is None:
                continue
            seq = self.conn.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", (qname, col.name)
            ).fetchone()
            if seq is None or seq[0] is None:
                continue
            row = self.conn.execute(
                sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(str(seq[0])))
            ).fetchone()
            if row is not None:
                found[col.name] = (int(str(row[0])), bool(row[1]))
        return found

    def _run(
        self, table: Table, query: sql.Composed, params: Sequence[object]
    ) -> Iterator[tuple[object, ...]]:
        try:
            yield from self.conn.execute(query, params)
        except psycopg.Error as exc:
            raise CopyError(
                f"{self.url.redacted}: reading table {table.name!r}: {reason(exc, self.url)}"
            ) from None

    def close(self) -> None:
        self.conn.close()


class SqliteSource:
    """A SQLite source, opened read-only."""

    def __init__(self, url: DbUrl) -> None:
        self.url = url
        self.conn = connect_sqlite(url)

    def table_names(self) -> list[str]:
        return schema.sqlite_table_names(self.conn)

    def describe(self, name: str) -> Table:
        if name not in self.table_names():
            raise CopyError(f"{self.url.redacted}: no table {name!r}")
        return schema.describe_sqlite(self.conn, name)

    def keys(self, table: Table, after: Key | None, limit: int, *, c_order: bool) -> list[Key]:
        del c_order  # SQLite compares text in byte order (BINARY) already
        where, params = self._range(table, after, None)
        cols = ", ".join(quote_sqlite(n) for n in table.primary_key)
        name = quote_sqlite(table.name)
        query = f"SELECT {cols} FROM {name}{where} ORDER BY {cols} LIMIT ?"  # noqa: S608 - quoted
        return [list(row) for row in self._run(table, query, [*params, limit])]

    def rows(
        self, table: Table, after: Key | None, upto: Key | None, *, c_order: bool
    ) -> Iterator[tuple[object, ...]]:
        del c_order
        where, params = self._range(table, after, upto)
        cols = ", ".join(quote_sqlite(c.name) for c in table.copied)
        query = f"SELECT {cols} FROM {quote_sqlite(table.name)}{where}"  # noqa: S608 - quoted
        yield from self._run(table, query, params)

    def identity_values(self, table: Table) -> dict[str, tuple[int, bool]]:
        found = {}
        for col in table.columns:
            if col.identity is None:
                continue
            row = self.conn.execute(
                f"SELECT max({quote_sqlite(col.name)}) FROM {quote_sqlite(table.name)}"  # noqa: S608
            ).fetchone()
            highest = [row[0] if row else None, self._autoincrement(table.name)]
            values = [int(str(v)) for v in highest if v is not None]
            if values:
                found[col.name] = (max(values), True)
        return found

    def _autoincrement(self, name: str) -> object:
        try:
            row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (name,))
            found = row.fetchone()
        except sqlite3.Error:  # no AUTOINCREMENT table in this database
            return None
        return None if found is None else found[0]

    @staticmethod
    def _range(table: Table, after: Key | None, upto: Key | None) -> tuple[str, list[object]]:
        cols = ", ".join(quote_sqlite(n) for n in table.primary_key)
        marks = ", ".join("?" for _ in table.primary_key)
        clauses, params = [], []
        if after is not None:
            clauses.append(f"({cols}) > ({marks})")
            params.extend(after)
        if upto is not None:
            clauses.append(f"({cols}) <= ({marks})")
            params.extend(upto)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _run(
        self, table: Table, query: str, params: Sequence[object]
    ) -> Iterator[tuple[object, ...]]:
        try:
            yield from self.conn.execute(query, params)
        except sqlite3.Error as exc:
            raise CopyError(f"{self.url.redacted}: reading table {table.name!r}: {exc}") from None

    def close(self) -> None:
        self.conn.close()
