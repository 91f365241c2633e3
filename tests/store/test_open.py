"""Opening stores: URLs, migrations, refusal of newer schemas, secrets kept out of errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ferry.errors import ConfigError
from ferry.store import open_store
from ferry.store.migrate import Migration, load_migrations, migrate, split_statements
from ferry.store.sqlite import SqliteDatabase
from ferry.store.urls import redact
from store.builders import new_machine


def _versions(url: str) -> list[int]:
    store = open_store(url)
    try:
        db = store._db  # type: ignore[attr-defined]
        with db.transaction(write=False) as tx:
            return [int(row[0]) for row in tx.rows("SELECT version FROM schema_version")]
    finally:
        store.close()


def test_migrations_apply_once_and_reopen_is_idempotent(store_url: str) -> None:
    latest = load_migrations("sqlite")[-1].version
    assert _versions(store_url) == list(range(1, latest + 1))
    # Reopening finds the schema current: nothing re-applied, no duplicate version row.
    assert _versions(store_url) == list(range(1, latest + 1))


def test_data_survives_reopen(store_url: str) -> None:
    first = open_store(store_url)
    first.machines.create(new_machine("Kept"), now=1.0)
    first.close()
    second = open_store(store_url)
    try:
        described = second.machines.describe(new_machine("Kept").arn)
        assert described is not None
        assert described.name == "Kept"
    finally:
        second.close()


def test_newer_schema_is_refused(store_url: str) -> None:
    open_store(store_url).close()
    store = open_store(store_url)
    db = store._db  # type: ignore[attr-defined]
    with db.transaction() as tx:
        tx.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'x', 0)")
    store.close()
    with pytest.raises(ConfigError, match=r"schema is version 999, newer than this Ferry"):
        open_store(store_url)


def test_failed_migration_leaves_schema_untouched(tmp_path: Path) -> None:
    db = SqliteDatabase(str(tmp_path / "m.db"))
    broken = [
        Migration(1, "ok", ("CREATE TABLE a (x INTEGER)",)),
        Migration(2, "bad", ("CREATE TABLE b (x INTEGER)", "NOT SQL AT ALL")),
    ]
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, broken)
    with db.transaction(write=False) as tx:
        tables = {r[0] for r in tx.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set()  # one transaction: even migration 1 and schema_version rolled back
    db.close()


def test_split_statements_drops_comments_and_blank_parts() -> None:
    script = "-- a comment; with a semicolon\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n"
    assert split_statements(script) == ("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)")


def test_dialect_specific_migration_replaces_shared_one(tmp_path: Path) -> None:
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE shared (x INT);")
    (tmp_path / "0001_first.postgresql.sql").write_text("CREATE TABLE pg_only (x INT);")
    (tmp_path / "0002_second.sql").write_text("CREATE TABLE second (x INT);")
    assert [m.statements for m in load_migrations("sqlite", tmp_path)] == [
        ("CREATE TABLE shared (x INT)",),
        ("CREATE TABLE second (x INT)",),
    ]
    pg_first = load_migrations("postgresql", tmp_path)[0]
    assert pg_first.statements == ("CREATE TABLE pg_only (x INT)",)


def test_sqlite_relative_path_is_under_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    open_store("sqlite:///ferry.db").close()
    assert (tmp_path / "ferry.db").is_file()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    db = store._db  # type: ignore[attr-defined]
    with db.transaction(write=False) as tx:
        assert tx.one("PRAGMA journal_mode") == ("wal",)
        assert tx.one("PRAGMA foreign_keys") == (1,)
        assert tx.one("PRAGMA synchronous") == (1,)  # NORMAL
    store.close()
    full = open_store(f"sqlite:///{tmp_path / 'p.db'}?synchronous=full")
    with full._db.transaction(write=False) as tx:  # type: ignore[attr-defined]
        assert tx.one("PRAGMA synchronous") == (2,)  # FULL
    full.close()


def test_sqlite_memory_store() -> None:
    store = open_store("sqlite:///:memory:")
    assert store.backend == "sqlite"
    assert store.schema_version == load_migrations("sqlite")[-1].version
    store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "unsupported store URL"),
        ("ferry.db", "unsupported store URL"),
        ("sqlite://host/ferry.db", "no host"),
        ("sqlite:///", "no database path"),
        ("sqlite:///x.db?journal=off", "unknown option 'journal'"),
        ("sqlite:///x.db?synchronous=OFF", "synchronous must be NORMAL or FULL"),
        ("sqlite:////nonexistent-dir/sub/ferry.db", "cannot open SQLite store"),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_store(url)


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a SQLite file" * 100)
    with pytest.raises(ConfigError, match="cannot open SQLite store"):
        open_store(f"sqlite:///{junk}")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_unreachable_postgres_hides_password(scheme: str) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    url = f"{scheme}://ferry:s3cr%40tPW@127.0.0.1:1/ferry"
    with pytest.raises(ConfigError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "cannot connect to PostgreSQL store" in message
    assert "127.0.0.1" in message
    assert "s3cr" not in message
    assert "***" in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_redact() -> None:
    assert redact("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact("sqlite:///ferry.db") == "sqlite:///ferry.db"


def test_postgres_wrong_database_is_config_error(pg_schema_url: str) -> None:
    url = pg_schema_url.replace("/test?", "/ferry_no_such_database?")
    with pytest.raises(ConfigError, match="ferry_no_such_database"):
        open_store(url)


def test_postgres_scheme_alias(pg_schema_url: str) -> None:
    store = open_store(pg_schema_url.replace("postgresql://", "postgres://", 1))
    try:
        assert store.backend == "postgresql"
        assert store.schema_version == load_migrations("postgresql")[-1].version
    finally:
        store.close()
