"""Store URLs: parse them, open the database they name, and redact their passwords.

* ``sqlite:///ferry.db`` — a path relative to the working directory (the CLI's default);
  ``sqlite:////var/lib/ferry.db`` — an absolute path (four slashes, as SQLAlchemy spells it);
  ``sqlite:///:memory:`` — a private in-memory database (tests). ``?synchronous=FULL`` trades
  throughput for surviving a host crash (see :mod:`ferry.store.sqlite`).
* ``postgresql://user:password@host:port/db`` (or ``postgres://``) — any libpq URL, e.g.
  ``?options=-csearch_path%3Dmyschema`` to use a schema other than ``public``.

Every failure becomes a :class:`~ferry.errors.ConfigError` whose message names the URL with
its password replaced by ``***`` and never carries the driver's traceback.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from ferry.errors import ConfigError
from ferry.store.db import Database
from ferry.store.sqlite import SqliteDatabase, Synchronous

SCHEMES = ("sqlite", "postgresql", "postgres")


def redact(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparseable URL>"
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(message: str, url: str) -> str:
    """``message`` with every occurrence of the URL's password (raw or decoded) removed."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in {password, unquote(password or "")} - {None, ""}:
        assert secret is not None
        message = message.replace(secret, "***")
    return message


def open_database(url: str) -> Database:
    """Connect to the database ``url`` names (no migrations yet).

    Raises:
        ConfigError: Bad URL, unsupported scheme, unreachable or unusable database.
    """
    scheme = url.partition(":")[0].lower()
    if "://" not in url or scheme not in SCHEMES:
        raise ConfigError(
            f"unsupported store URL {redact(url)!r}: expected sqlite:///path/to/ferry.db "
            "or postgresql://user@host:port/database"
        )
    if scheme == "sqlite":
        return _open_sqlite(url)
    return _open_postgres(url)


def _open_sqlite(url: str) -> SqliteDatabase:
    parts = urlsplit(url)
    if parts.netloc:
        raise ConfigError(
            f"bad SQLite store URL {url!r}: use sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db (no host)"
        )
    path = parts.path[1:]
    if not path:
        raise ConfigError(f"bad SQLite store URL {url!r}: no database path")
    synchronous = _synchronous(url, parse_qs(parts.query))
    try:
        return SqliteDatabase(path, synchronous)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open SQLite store {path!r}: {exc}") from None


def _synchronous(url: str, query: dict[str, list[str]]) -> Synchronous:
    unknown = set(query) - {"synchronous"}
    if unknown:
        raise ConfigError(f"bad SQLite store URL {url!r}: unknown option {sorted(unknown)[0]!r}")
    value = query.get("synchronous", ["NORMAL"])[-1].upper()
    if value == "NORMAL":
        return "NORMAL"
    if value == "FULL":
        return "FULL"
    raise ConfigError(f"bad SQLite store URL {url!r}: synchronous must be NORMAL or FULL")


def _open_postgres(url: str) -> Database:
    import psycopg  # noqa: PLC0415 - a SQLite-only deployment never loads the driver

    from ferry.store.postgres import PostgresDatabase  # noqa: PLC0415 - same reason

    try:
        return PostgresDatabase(url)
    except psycopg.Error as exc:
        reason = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else "", url)
        raise ConfigError(
            f"cannot connect to PostgreSQL store {redact(url)}: {reason or type(exc).__name__}"
        ) from None
