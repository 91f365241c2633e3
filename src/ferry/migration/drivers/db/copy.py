"""Copy tables into PostgreSQL in checkpointed keyset chunks, resumable without duplicates.

Each chunk — the next ``chunk_rows`` primary keys after the last checkpoint — is loaded with
``COPY ... FROM STDIN`` (binary from a PostgreSQL source, text from SQLite, whose loose typing
binary COPY would reject) and its row in the target's ``ferry_checkpoints`` table is written
in the same transaction. A copy stopped at any point therefore resumes after the last
committed chunk: never from zero, never with a duplicate. A table without a primary key cannot
be chunked; it is truncated and reloaded whole in one transaction, with a warning.

Order: tables (with primary keys and unique constraints), then data, then secondary indexes
and foreign keys, then identity sequences set to the source's positions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from ferry.migration.drivers.db import ddl
from ferry.migration.drivers.db.dialects import CopyError, PgConnection, connect_postgres, reason
from ferry.migration.drivers.db.schema import Table
from ferry.migration.drivers.db.sources import Key, PgSource, Source, open_source
from ferry.migration.drivers.db.urls import DbUrl, parse_url

DEFAULT_CHUNK_ROWS = 10_000

CHECKPOINTS_DDL = """
CREATE TABLE IF NOT EXISTS ferry_checkpoints (
    checkpoint_id text NOT NULL,
    table_name text NOT NULL,
    last_key jsonb,
    rows_copied bigint NOT NULL DEFAULT 0,
    done boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (checkpoint_id, table_name)
)
"""
_SAVE = """
INSERT INTO ferry_checkpoints (checkpoint_id, table_name, last_key, rows_copied, done)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (checkpoint_id, table_name) DO UPDATE SET last_key = excluded.last_key,
    rows_copied = excluded.rows_copied, done = excluded.done, updated_at = now()
"""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A chunk about to commit: passed to ``on_chunk`` inside its transaction."""

    table: str
    rows: int
    rows_copied: int
    last_key: Key | None


@dataclass(slots=True)
class CopyOptions:
    """What to copy and how.

    ``on_chunk`` runs inside each chunk's transaction just before it commits; raising from it
    rolls that chunk (and its checkpoint) back — how tests simulate a crash.
    """

    tables: list[str] | None = None
    schema: bool = True
    data: bool = True
    checkpoint: str | None = None
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    on_chunk: Callable[[Chunk], None] | None = None
    warn: Callable[[str], None] = lambda _: None


@dataclass(slots=True)
class TableResult:
    """What happened to one table."""

    table: str
    rows_copied: int = 0
    chunks: int = 0
    resumed_after: int = 0
    skipped: bool = False


@dataclass(slots=True)
class CopyResult:
    """The outcome of :func:`copy_database`."""

    checkpoint: str
    tables: list[TableResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def default_checkpoint(source: DbUrl, target: DbUrl) -> str:
    """A checkpoint id derived from the two URLs (passwords left out)."""
    digest = hashlib.sha256(f"{source.redacted}\n{target.redacted}".encode()).hexdigest()
    return f"auto-{digest[:16]}"


def copy_database(source_url: str, target_url: str, options: CopyOptions) -> CopyResult:
    """Copy the schema and/or data of ``source_url`` into the PostgreSQL ``target_url``.

    Raises:
        ConfigError: Bad URL, unreachable database, unsupported dialect.
        CopyError: A missing table, a value the target refuses, a non-empty target table.
    """
    src_url, dst_url = parse_url(source_url), parse_url(target_url)
    if dst_url.dialect != "postgresql":
        raise CopyError(f"{dst_url.redacted}: only PostgreSQL targets are supported yet")
    if options.chunk_rows < 1:
        raise CopyError(f"chunk size must be at least 1, got {options.chunk_rows}")
    result = CopyResult(options.checkpoint or default_checkpoint(src_url, dst_url))
    warn = options.warn

    def note(message: str) -> None:
        result.warnings.append(message)
        warn(message)

    source = open_source(src_url)
    try:
        target = connect_postgres(dst_url)
        try:
            _Copier((source, target, dst_url), options, result, note).run()
        finally:
            target.close()
    finally:
        source.close()
    return result


class _Copier:
    def __init__(
        self,
        ends: tuple[Source, PgConnection, DbUrl],
        options: CopyOptions,
        result: CopyResult,
        note: Callable[[str], None],
    ) -> None:
        self.source, self.target, self.target_url = ends
        self.options, self.result, self.note = options, result, note

    def run(self) -> None:
        tables = self._tables()
        for table in tables:
            for message in table.warnings:
                self.note(message)
        if self.options.schema:
            for table in tables:
                self._ddl(ddl.create_table(table), table.name)
        if self.options.data:
            self._ddl(sql.SQL(CHECKPOINTS_DDL), "ferry_checkpoints")
            for table in tables:
                self._require_target(table.name)
                self.result.tables.append(self._copy_table(table))
        if self.options.schema:
            self._after_data(tables)
        if self.options.data:
            for table in tables:
                self._carry_identity(table)

    def _tables(self) -> list[Table]:
        names = self.options.tables or self.source.table_names()
        return [self.source.describe(name) for name in names]

    def _ddl(self, statement: sql.SQL | sql.Composed, name: str) -> None:
        try:
            self.target.execute(statement)
        except psycopg.Error as exc:
            raise CopyError(
                f"{self.target_url.redacted}: creating {name!r}: {reason(exc, self.target_url)}"
            ) from None

    def _require_target(self, name: str) -> None:
        row = self.target.execute(
            "SELECT to_regclass(quote_ident(current_schema()) || '.' || quote_ident(%s))",
            (name,),
        ).fetchone()
        if row is None or row[0] is None:
            raise CopyError(
                f"{self.target_url.redacted}: no table {name!r} "
                "(copy without --data-only to create it)"
            )

    def _after_data(self, tables: list[Table]) -> None:
        for table in tables:
            for index in table.indexes:
                self._ddl(ddl.create_index(table.name, index), index.name)
        for table in tables:
            for fk in table.foreign_keys:
                try:
                    ddl.add_foreign_key(self.target, table.name, fk)
                except psycopg.Error as exc:
                    self.note(
                        f"table {table.name!r}: foreign key {fk.name!r} not created: "
                        f"{reason(exc, self.target_url)}"
                    )

    def _checkpoint(self, name: str) -> tuple[Key | None, int, bool] | None:
        row = self.target.execute(
            "SELECT last_key, rows_copied, done FROM ferry_checkpoints "
            "WHERE checkpoint_id = %s AND table_name = %s",
            (self.result.checkpoint, name),
        ).fetchone()
        if row is None:
            return None
        last = row[0]
        return (list(last) if isinstance(last, list) else None), int(str(row[1])), bool(row[2])

    def _copy_table(self, table: Table) -> TableResult:
        state = self._checkpoint(table.name)
        if state is not None and state[2]:
            return TableResult(table.name, rows_copied=state[1], skipped=True)
        if not table.primary_key:
            self.note(f"table {table.name!r} has no primary key: reloaded whole")
            return self._reload_whole(table)
        if state is None:
            self._require_empty(table.name)
        last, copied, _ = state or (None, 0, False)
        outcome = TableResult(table.name, rows_copied=copied, resumed_after=copied)
        while True:
            keys = self.source.keys(table, last, self.options.chunk_rows, c_order=False)
            done = len(keys) < self.options.chunk_rows
            upto = keys[-1] if keys else None
            if keys:
                copied += len(keys)
                self._load(table, last, Chunk(table.name, len(keys), copied, upto), done=done)
                outcome.chunks += 1
                last = upto
            elif done:
                self._finish(table.name, last, copied)
            if done:
                break
        outcome.rows_copied = copied
        return outcome

    def _require_empty(self, name: str) -> None:
        query = sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(name))
        if self.target.execute(query).fetchone() is not None:
            raise CopyError(
                f"{self.target_url.redacted}: table {name!r} already has rows and checkpoint "
                f"{self.result.checkpoint!r} has no record of copying it; empty it, or pass "
                "the --checkpoint of the copy that filled it"
            )

    def _reload_whole(self, table: Table) -> TableResult:
        with self._chunk_transaction(table.name):
            self.target.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table.name)))
            rows = self._copy_in(table, None, None)
            self._save(table.name, None, rows, done=True)
        return TableResult(table.name, rows_copied=rows, chunks=1)

    def _load(self, table: Table, after: Key | None, chunk: Chunk, *, done: bool) -> None:
        with self._chunk_transaction(table.name):
            self._copy_in(table, after, chunk.last_key)
            self._save(table.name, chunk.last_key, chunk.rows_copied, done=done)
            if self.options.on_chunk is not None:
                self.options.on_chunk(chunk)

    def _finish(self, name: str, last: Key | None, copied: int) -> None:
        with self._chunk_transaction(name):
            self._save(name, last, copied, done=True)

    def _save(self, name: str, last: Key | None, copied: int, *, done: bool) -> None:
        self.target.execute(
            _SAVE,
            (self.result.checkpoint, name, None if last is None else Jsonb(last), copied, done),
        )

    def _chunk_transaction(self, name: str) -> _Guard:
        return _Guard(self.target, self.target_url, name)

    def _copy_in(self, table: Table, after: Key | None, upto: Key | None) -> int:
        cols = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.copied)
        with self.target.cursor() as cur:
            if isinstance(self.source, PgSource):
                statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)")
                with cur.copy(statement.format(sql.Identifier(table.name), cols)) as copy:
                    for block in self.source.copy_binary(table, after, upto):
                        copy.write(block)
            else:
                statement = sql.SQL("COPY {} ({}) FROM STDIN")
                with cur.copy(statement.format(sql.Identifier(table.name), cols)) as copy:
                    for row in self.source.rows(table, after, upto, c_order=False):
                        copy.write_row(row)
            return max(cur.rowcount, 0)

    def _carry_identity(self, table: Table) -> None:
        qname = sql.Identifier(table.name).as_string(self.target)
        for column, (value, called) in self.source.identity_values(table).items():
            try:
                self.target.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                    (qname, column, value, called),
                )
            except psycopg.Error as exc:
                self.note(
                    f"table {table.name!r}: identity {column!r} not carried over: "
                    f"{reason(exc, self.target_url)}"
                )


class _Guard:
    """A target transaction whose driver errors become a :class:`CopyError` naming the table."""

    def __init__(self, conn: PgConnection, url: DbUrl, name: str) -> None:
        self.conn, self.url, self.name = conn, url, name
        self.tx = conn.transaction()

    def __enter__(self) -> None:
        self.tx.__enter__()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.tx.__exit__(kind, exc, tb)
        if isinstance(exc, psycopg.Error):
            raise CopyError(
                f"{self.url.redacted}: copying table {self.name!r}: {reason(exc, self.url)}"
            ) from None
