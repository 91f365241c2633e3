"""Connections to the databases a URL names, with every failure a one-line, password-free error.

PostgreSQL goes through psycopg 3, SQLite through the standard library (a source opens
read-only, so a mistyped path is an error rather than a new, empty database).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from ferry.errors import ConfigError, FerryError
from ferry.migration.drivers.db.urls import DbUrl

CONNECT_TIMEOUT_SECONDS = 5

PgConnection = psycopg.Connection[tuple[object, ...]]


class CopyError(FerryError):
    """A copy or verification could not proceed: a missing table, a value the target rejects."""

    exit_code = 1


def connect_postgres(url: DbUrl, *, autocommit: bool = True) -> PgConnection:
    """Open a psycopg connection to ``url``.

    Raises:
        ConfigError: The server is unreachable or refused the connection.
    """
    try:
        return psycopg.connect(
            url.libpq(), autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
    except psycopg.Error as exc:
        raise ConfigError(f"cannot connect to {url.redacted}: {reason(exc, url)}") from None


def connect_sqlite(url: DbUrl) -> sqlite3.Connection:
    """Open the SQLite database ``url`` names, read-only.

    Raises:
        ConfigError: No such file, or not a SQLite database.
    """
    if not Path(url.path).is_file():
        raise ConfigError(f"cannot open {url.redacted}: no such file {url.path!r}")
    try:
        conn = sqlite3.connect(f"{Path(url.path).resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open {url.redacted}: {exc}") from None
    return conn


def reason(exc: BaseException, url: DbUrl) -> str:
    """The first line of a driver error, with the URL's password scrubbed out."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return url.scrub(first)


def quote_sqlite(name: str) -> str:
    """``name`` as a quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'
