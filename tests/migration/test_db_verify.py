"""``ferry db verify``: counts and per-range checksums catch an altered, missing or extra row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ferry.migration.drivers.db.copy import CopyOptions, copy_database
from ferry.migration.drivers.db.verify import RangeMismatch, verify_database
from migration.db_support import PG_SOURCE_DDL, SQLITE_SOURCE, pg, pg_schema, sqlite_db

__all__ = ["pg_schema"]

MakeSchema = Callable[[], str]


def copied_pair(kind: str, make: MakeSchema, tmp_path: Path) -> tuple[str, str]:
    if kind == "postgresql":
        source = make()
        with pg(source) as conn:
            conn.execute(PG_SOURCE_DDL)
    else:
        source = sqlite_db(tmp_path / "s.db", SQLITE_SOURCE)
    target = make()
    copy_database(source, target, CopyOptions(chunk_rows=6))
    return source, target


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_a_faithful_copy_verifies(kind: str, pg_schema: MakeSchema, tmp_path: Path) -> None:
    source, target = copied_pair(kind, pg_schema, tmp_path)
    result = verify_database(source, target, chunk_rows=4)
    assert result.ok, [(t.table, t.mismatches) for t in result.tables]
    counts = {t.table: (t.source_rows, t.target_rows) for t in result.tables}
    if kind == "postgresql":
        assert counts == {"child": (40, 40), "loose": (3, 3), "pairs": (30, 30), "parent": (25, 25)}
    else:
        assert counts == {"item": (23, 23), "loose": (2, 2), "tag": (5, 5)}


def test_an_altered_row_is_reported_with_its_key_range(
    pg_schema: MakeSchema, tmp_path: Path
) -> None:
    source, target = copied_pair("postgresql", pg_schema, tmp_path)
    with pg(target) as conn:
        conn.execute("UPDATE child SET note = 'changed' WHERE id = 10")
    result = verify_database(source, target, tables=["child", "parent"], chunk_rows=4)
    assert not result.ok
    child, parent = result.tables
    assert parent.ok
    # Ranges of 4 keys: (8, 12] holds id 10.
    assert child.mismatches == [RangeMismatch(["8"], ["12"], 4, 4)]


def test_missing_and_extra_rows_are_reported(pg_schema: MakeSchema, tmp_path: Path) -> None:
    source, target = copied_pair("sqlite", pg_schema, tmp_path)
    with pg(target) as conn:
        conn.execute("DELETE FROM tag WHERE k = 'ä'")
        conn.execute("INSERT INTO item (id, name) VALUES (100, 'extra')")
    result = verify_database(source, target, tables=["item", "tag"], chunk_rows=2)
    item, tag = result.tables
    assert (item.source_rows, item.target_rows) == (23, 24)
    # The last range is open-ended so rows past the source's last key are counted.
    assert item.mismatches == [RangeMismatch([22], None, 1, 2)]
    # Byte order ("C"): 'Z' < 'a' < 'b' < 'ä'; ranges of 2 keys: (start, a/2], (a/2, b/1], rest.
    assert tag.mismatches == [RangeMismatch(["b", 1], None, 1, 0)]
