"""Verify a copy: row counts and order-independent checksums per primary-key range.

The source is walked in keyset chunks; for each key range ``(after, upto]`` (the last one open
ended, so extra target rows are caught) both sides' rows are hashed one by one and the hashes
summed modulo 2**64 — a checksum that ignores row order. A range whose count or checksum
differs is reported with its bounds. Text keys compare in byte order on both sides
(``COLLATE "C"``), so both databases agree on what a range holds. A table without a primary
key is one range.

Values are compared as the target holds them: a SQLite value is first read as its mapped
PostgreSQL type would return it (``1`` in a ``boolean`` column is ``True``, ISO text in a
``timestamp`` column a datetime), so a faithful copy verifies equal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from ferry.migration.drivers.db.dialects import CopyError, reason
from ferry.migration.drivers.db.schema import Table
from ferry.migration.drivers.db.sources import Key, PgSource, Source, open_source, pg_range
from ferry.migration.drivers.db.urls import parse_url

_MASK = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class RangeMismatch:
    """A key range whose rows differ: ``(after, upto]``, None for an open end."""

    after: Key | None
    upto: Key | None
    source_rows: int
    target_rows: int


@dataclass(slots=True)
class TableCheck:
    """One table's verification."""

    table: str
    source_rows: int = 0
    target_rows: int = 0
    mismatches: list[RangeMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every range matched."""
        return not self.mismatches


@dataclass(slots=True)
class VerifyResult:
    """The outcome of :func:`verify_database`."""

    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every table matched."""
        return all(t.ok for t in self.tables)


def verify_database(
    source_url: str, target_url: str, tables: list[str] | None = None, chunk_rows: int = 10_000
) -> VerifyResult:
    """Compare every (or each named) table of ``source_url`` with its copy in ``target_url``.

    Raises:
        ConfigError: Bad URL, unreachable database, unsupported dialect.
        CopyError: A table missing on either side.
    """
    src_url, dst_url = parse_url(source_url), parse_url(target_url)
    if dst_url.dialect != "postgresql":
        raise CopyError(f"{dst_url.redacted}: only PostgreSQL targets are supported yet")
    source = open_source(src_url)
    try:
        target = PgSource(dst_url)
        try:
            names = tables or source.table_names()
            result = VerifyResult()
            for name in names:
                result.tables.append(_verify_table(source, target, name, chunk_rows))
            return result
        finally:
            target.close()
    finally:
        source.close()


def _verify_table(source: Source, target: PgSource, name: str, chunk_rows: int) -> TableCheck:
    src_table = source.describe(name)
    dst_table = target.describe(name)
    coerce = _coercer(dst_table) if not isinstance(source, PgSource) else None
    check = TableCheck(name)
    after: Key | None = None
    while True:
        keys = (
            source.keys(src_table, after, chunk_rows, c_order=True) if src_table.primary_key else []
        )
        upto = keys[-1] if len(keys) == chunk_rows else None
        src_count, src_sum = _digest(source.rows(src_table, after, upto, c_order=True), coerce)
        dst_count, dst_sum = _digest(_target_rows(target, dst_table, after, upto), None)
        check.source_rows += src_count
        check.target_rows += dst_count
        if (src_count, src_sum) != (dst_count, dst_sum):
            check.mismatches.append(RangeMismatch(after, upto, src_count, dst_count))
        if upto is None:
            return check
        after = upto


def _target_rows(
    target: PgSource, table: Table, after: Key | None, upto: Key | None
) -> Iterable[tuple[object, ...]]:
    where, params = pg_range(table, after, upto, c_order=True)
    query = sql.SQL("SELECT {} FROM {}{}").format(
        sql.SQL(", ").join(sql.Identifier(c.name) for c in table.copied),
        sql.Identifier(table.name),
        where,
    )
    try:
        return target.conn.execute(query, [str(p) for p in params]).fetchall()
    except psycopg.Error as exc:
        raise CopyError(
            f"{target.url.redacted}: reading table {table.name!r}: {reason(exc, target.url)}"
        ) from None


Row = tuple[object, ...]


def _digest(rows: Iterable[Row], coerce: Callable[[Row], Row] | None) -> tuple[int, int]:
    count = total = 0
    for row in rows:
        values = coerce(row) if coerce is not None else row
        digest = hashlib.blake2b(repr(tuple(_canonical(v) for v in values)).encode(), digest_size=8)
        total = (total + int.from_bytes(digest.digest(), "big")) & _MASK
        count += 1
    return count, total


def _canonical(value: object) -> object:
    match value:
        case Decimal():
            return ("numeric", str(value.normalize()))
        case memoryview():
            return bytes(value)
        case dict() | list():
            return ("json", json.dumps(value, sort_keys=True))
        case datetime() | date() | time():
            return value.isoformat()
        case _:
            return value


def _coercer(table: Table) -> Callable[[tuple[object, ...]], tuple[object, ...]]:
    converters = [_CONVERTERS.get(c.type.split("(")[0], _same) for c in table.copied]

    def coerce(row: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(
            None if v is None else convert(v) for convert, v in zip(converters, row, strict=True)
        )

    return coerce


def _same(value: Any) -> object:
    return value


def _to_bytes(value: Any) -> object:
    # COPY's text format sends a number as its digits, which bytea stores as those bytes.
    return value if isinstance(value, bytes) else str(value).encode()


def _from_text(parse: Callable[[str], object]) -> Callable[[Any], object]:
    return lambda value: parse(value) if isinstance(value, str) else value


_CONVERTERS: dict[str, Callable[[Any], object]] = {
    "bigint": int,
    "boolean": bool,
    "numeric": lambda v: Decimal(str(v)),
    "double precision": float,
    "text": str,
    "bytea": _to_bytes,
    "timestamp without time zone": _from_text(datetime.fromisoformat),
    "timestamp": _from_text(datetime.fromisoformat),
    "date": _from_text(date.fromisoformat),
    "time without time zone": _from_text(time.fromisoformat),
    "time": _from_text(time.fromisoformat),
    "jsonb": _from_text(json.loads),
}
