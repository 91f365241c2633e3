"""``ferry db copy``: PostgreSQL and SQLite into PostgreSQL, checkpointed and resumable."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ferry.migration.drivers.db.copy import Chunk, CopyOptions, copy_database
from ferry.migration.drivers.db.dialects import CopyError
from ferry.migration.drivers.db.schema import sqlite_type
from migration.db_support import (
    PG_SOURCE_DDL,
    SQLITE_SOURCE,
    pg,
    pg_schema,
    rows,
    sqlite_db,
)

__all__ = ["pg_schema"]

MakeSchema = Callable[[], str]


def pg_source(make: MakeSchema) -> str:
    url = make()
    with pg(url) as conn:
        conn.execute(PG_SOURCE_DDL)
    return url


class Crash(Exception):
    """Raised from on_chunk to simulate a process dying mid-copy."""


def crash_after(n: int) -> Callable[[Chunk], None]:
    seen: list[Chunk] = []

    def hook(chunk: Chunk) -> None:
        seen.append(chunk)
        if len(seen) > n:
            raise Crash

    return hook


SAME_ROWS = {
    "parent": "SELECT * FROM parent ORDER BY id",
    "child": "SELECT * FROM child ORDER BY id",
    "pairs": "SELECT * FROM pairs ORDER BY k, n",
    "loose": "SELECT * FROM loose ORDER BY a, b",
}


def test_pg_to_pg_copies_rows_keys_indexes_and_sequences(pg_schema: MakeSchema) -> None:
    source, target = pg_source(pg_schema), pg_schema()
    warnings: list[str] = []
    result = copy_database(source, target, CopyOptions(chunk_rows=7, warn=warnings.append))
    for query in SAME_ROWS.values():
        assert rows(target, query) == rows(source, query)
    copied = {t.table: (t.rows_copied, t.chunks) for t in result.tables}
    assert copied == {"child": (40, 6), "loose": (3, 1), "pairs": (30, 5), "parent": (25, 4)}
    assert warnings == ["table 'loose' has no primary key: reloaded whole"]
    constraints = rows(
        target,
        "SELECT conname, contype FROM pg_constraint WHERE connamespace = "
        "current_schema()::regnamespace AND conrelid <> 'ferry_checkpoints'::regclass "
        "ORDER BY 1",
    )
    assert ("child_parent_id_fkey", "f") in constraints
    assert ("parent_name_key", "u") in constraints
    assert rows(target, "SELECT indexname FROM pg_indexes WHERE indexname = 'child_note'")
    assert rows(target, "SELECT nextval(pg_get_serial_sequence('parent', 'id'))") == [(26,)]
    assert rows(target, "SELECT nextval(pg_get_serial_sequence('child', 'id'))") == [(41,)]
    again = copy_database(source, target, CopyOptions(chunk_rows=7))
    assert all(t.skipped for t in again.tables)
    assert rows(target, "SELECT count(*) FROM child") == [(40,)]


def test_sqlite_type_mapping() -> None:
    # The table in ferry.migration.drivers.db.schema's docstring, following SQLite's affinity
    # rules (sqlite.org/datatype3.html, "Determination Of Column Affinity").
    cases = {
        "INTEGER": "bigint",
        "TINYINT": "bigint",
        "VARCHAR(5)": "text",
        "CLOB": "text",
        "BLOB": "bytea",
        "": "bytea",
        "DOUBLE PRECISION": "double precision",
        "FLOAT": "double precision",
        "BOOLEAN": "boolean",
        "DATETIME": "timestamp",
        "DATE": "date",
        "JSON": "jsonb",
        "DECIMAL(10,2)": "numeric",
        "NUMERIC": "numeric",
    }
    assert {declared: sqlite_type(declared) for declared in cases} == cases


def test_sqlite_to_pg_maps_types_and_carries_autoincrement(
    pg_schema: MakeSchema, tmp_path: Path
) -> None:
    source = sqlite_db(tmp_path / "src.db", SQLITE_SOURCE)
    target = pg_schema()
    copy_database(source, target, CopyOptions(chunk_rows=4))
    first = rows(target, "SELECT * FROM item WHERE id = 1")[0]
    assert first[:3] == (1, "longer than five", True)
    assert str(first[3]) == "2024-01-02 03:04:05"
    assert str(first[4]) == "2024-01-02"
    assert first[5:8] == (1.5, b"\x00\xff", Decimal("3.25"))
    assert first[8] == {"a": [2], "b": 1}
    # 3.25 + 7 + sum(x / 2 for x in 3..23)
    assert rows(target, "SELECT count(*), sum(amount) FROM item") == [(23, Decimal("146.75"))]
    assert rows(target, "SELECT k, n, item_id FROM tag ORDER BY n") == [
        ("b", 1, 1),
        ("a", 2, 2),
        ("ä", 3, None),
        ("a", 4, 5),
        ("Z", 5, 6),
    ]
    assert rows(target, "SELECT a, b FROM loose ORDER BY b") == [(b"1", "one"), (b"\x01", None)]
    assert rows(target, "SELECT nextval(pg_get_serial_sequence('item', 'id'))") == [(24,)]
    assert rows(
        target,
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND "
        "connamespace = current_schema()::regnamespace",
    ) == [("tag_item_id_fkey",)]


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_resume_after_a_crash_has_no_duplicates(
    kind: str, pg_schema: MakeSchema, tmp_path: Path
) -> None:
    if kind == "postgresql":
        source, table, total = pg_source(pg_schema), "child", 40
    else:
        source, table, total = sqlite_db(tmp_path / "s.db", SQLITE_SOURCE), "item", 23
    target = pg_schema()
    options = CopyOptions(tables=[table], chunk_rows=5, on_chunk=crash_after(2))
    with pytest.raises(Crash):
        copy_database(source, target, options)
    # The third chunk raised before committing: its rows and its checkpoint rolled back.
    assert rows(target, f"SELECT count(*) FROM {table}") == [(10,)]
    result = copy_database(source, target, CopyOptions(tables=[table], chunk_rows=5))
    assert result.tables[0].resumed_after == 10
    assert result.tables[0].rows_copied == total
    assert rows(target, f"SELECT count(*), count(DISTINCT id) FROM {table}") == [(total, total)]


def test_schema_only_then_data_only(pg_schema: MakeSchema) -> None:
    source, target = pg_source(pg_schema), pg_schema()
    copy_database(source, target, CopyOptions(data=False))
    assert rows(target, "SELECT count(*) FROM parent") == [(0,)]
    copy_database(source, target, CopyOptions(schema=False, tables=["parent"]))
    assert rows(target, SAME_ROWS["parent"]) == rows(source, SAME_ROWS["parent"])


def test_refuses_a_filled_target_without_its_checkpoint(pg_schema: MakeSchema) -> None:
    source, target = pg_source(pg_schema), pg_schema()
    copy_database(source, target, CopyOptions(tables=["parent"], checkpoint="first"))
    with pytest.raises(CopyError, match="'parent' already has rows and checkpoint 'second'"):
        copy_database(source, target, CopyOptions(tables=["parent"], checkpoint="second"))


def test_data_only_needs_the_target_table(pg_schema: MakeSchema) -> None:
    source, target = pg_source(pg_schema), pg_schema()
    with pytest.raises(CopyError, match="no table 'parent' \\(copy without --data-only"):
        copy_database(source, target, CopyOptions(schema=False, tables=["parent"]))


def test_a_lossy_value_stops_the_copy_naming_the_table(
    pg_schema: MakeSchema, tmp_path: Path
) -> None:
    source = sqlite_db(
        tmp_path / "bad.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT);INSERT INTO t VALUES (1, 1.5);",
    )
    with pytest.raises(CopyError, match="copying table 't': invalid input syntax for type bigint"):
        copy_database(source, pg_schema(), CopyOptions())
