"""Fixtures for the database driver tests: fresh PostgreSQL schemas and SQLite files.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, trust auth, database ``test``);
each schema a test asks for is dropped afterwards. Without the server the tests skip with the
reason — unless ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"

PgConn = psycopg.Connection[tuple[object, ...]]


def _admin() -> PgConn:
    try:
        return psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at 127.0.0.1:5432 unreachable: {str(exc).strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def pg_schema() -> Iterator[Callable[[], str]]:
    """A factory of URLs, each with its own fresh schema as search_path."""
    created: list[str] = []
    with _admin() as admin:

        def make() -> str:
            schema = f"ferry_db_{uuid.uuid4().hex[:12]}"
            admin.execute(f"CREATE SCHEMA {schema}")
            created.append(schema)
            return f"{PG_SERVER}?options=-csearch_path%3D{schema}"

        try:
            yield make
        finally:
            for schema in created:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


def pg(url: str) -> PgConn:
    """An autocommit connection to ``url``."""
    return psycopg.connect(url, autocommit=True)


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    """All rows ``query`` returns on ``url``."""
    with pg(url) as conn:
        return conn.execute(query).fetchall()


def sqlite_db(path: Path, script: str) -> str:
    """Create a SQLite database at ``path`` from ``script``; its URL."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.commit()
    finally:
        conn.close()
    return f"sqlite:///{path}"


PG_SOURCE_DDL = """
CREATE TABLE parent (
    id serial PRIMARY KEY, name text UNIQUE NOT NULL, price numeric(10,2),
    tags text[], doc jsonb, born date DEFAULT '2000-01-01'
);
CREATE TABLE child (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id int REFERENCES parent (id) ON DELETE CASCADE, note varchar(20)
);
CREATE INDEX child_note ON child (note);
CREATE TABLE pairs (k text, n int, v bytea, PRIMARY KEY (k, n));
CREATE TABLE loose (a int, b text);
INSERT INTO parent (name, price, tags, doc)
    SELECT 'n' || g, g * 1.25, ARRAY['a', 'b' || g], jsonb_build_object('g', g)
    FROM generate_series(1, 25) g;
INSERT INTO child (parent_id, note) SELECT (g % 25) + 1, 'x' || g FROM generate_series(1, 40) g;
INSERT INTO pairs SELECT chr(65 + g % 5) || 'é', g, decode(md5(g::text), 'hex')
    FROM generate_series(1, 30) g;
INSERT INTO loose VALUES (1, 'a'), (2, 'b'), (NULL, NULL);
"""

SQLITE_SOURCE = """
CREATE TABLE item (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(5) NOT NULL DEFAULT 'x', flag BOOLEAN,
    at DATETIME, day DATE, ratio REAL, raw BLOB, amount DECIMAL(10,2), meta JSON
);
CREATE TABLE tag (k TEXT, n INTEGER, item_id INTEGER REFERENCES item, PRIMARY KEY (k, n));
CREATE UNIQUE INDEX tag_n ON tag (n);
CREATE TABLE loose (a, b TEXT);
INSERT INTO item (name, flag, at, day, ratio, raw, amount, meta) VALUES
    ('longer than five', 1, '2024-01-02 03:04:05', '2024-01-02', 1.5, x'00ff', 3.25,
     '{"b": 1, "a": [2]}'),
    ('two', 0, NULL, NULL, NULL, NULL, 7, NULL);
WITH RECURSIVE g(x) AS (SELECT 3 UNION ALL SELECT x + 1 FROM g WHERE x < 23)
INSERT INTO item (name, flag, ratio, amount) SELECT 'i' || x, x % 2, x / 4.0, x * 0.5 FROM g;
INSERT INTO tag VALUES ('b', 1, 1), ('a', 2, 2), ('ä', 3, NULL), ('a', 4, 5), ('Z', 5, 6);
INSERT INTO loose VALUES (1, 'one'), (x'01', NULL);
"""
