"""One store suite, two backends: every test that takes ``store`` runs on SQLite and PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, trust auth, database ``test``);
each test gets its own schema, dropped afterwards. Without the server the PostgreSQL half is
skipped with the reason — unless ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ferry.store import open_store
from ferry.store.sql_store import SqlStore

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at 127.0.0.1:5432 unreachable: {str(exc).strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped after the test."""
    schema = f"ferry_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ferry.db'}"
    else:
        yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """An open, migrated store on each backend."""
    opened = open_store(store_url)
    assert isinstance(opened, SqlStore)
    try:
        yield opened
    finally:
        opened.close()
