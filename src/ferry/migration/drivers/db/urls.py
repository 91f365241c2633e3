"""SQLAlchemy-style database URLs, parsed once, with their passwords never shown.

* ``postgresql://user:password@host:port/database`` (``postgres://`` and
  ``postgresql+psycopg://`` too); query options pass through to libpq, e.g.
  ``?options=-csearch_path%3Dmyschema``.
* ``mysql://user:password@host:port/database`` or ``mariadb://...`` (``+pymysql`` accepted).
* ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (SQLAlchemy's four slashes).

:func:`parse_url` raises :class:`~ferry.errors.ConfigError` naming the URL with its password
replaced by ``***``; :attr:`DbUrl.redacted` is the form every message uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from ferry.errors import ConfigError

Dialect = Literal["postgresql", "mysql", "sqlite"]

_DIALECTS: dict[str, Dialect] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
_DRIVERS = {"psycopg", "psycopg2", "pymysql", "pysqlite"}
_EXPECTED = (
    "expected postgresql://user@host:port/database, mysql://user@host:port/database, "
    "mariadb://..., or sqlite:///path/to/file.db"
)


@dataclass(frozen=True, slots=True)
class DbUrl:
    """A parsed database URL. ``raw`` keeps the password; never print it — use ``redacted``."""

    dialect: Dialect
    raw: str
    redacted: str
    host: str = ""
    port: int | None = None
    user: str = ""
    password: str = ""
    database: str = ""
    path: str = ""
    query: str = ""

    def libpq(self) -> str:
        """The URL as libpq accepts it (scheme ``postgresql``, driver suffix dropped)."""
        rest = self.raw.split("://", 1)[1]
        return f"postgresql://{rest}"

    def scrub(self, message: str) -> str:
        """``message`` with the password (raw or URL-encoded) replaced by ``***``."""
        for secret in {self.password, _encoded_password(self.raw)} - {""}:
            message = message.replace(secret, "***")
        return message


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
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _encoded_password(url: str) -> str:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return ""
    userinfo, at, _ = netloc.rpartition("@")
    return userinfo.partition(":")[2] if at else ""


def parse_url(url: str) -> DbUrl:
    """Parse a SQLAlchemy-style database URL.

    Raises:
        ConfigError: Unknown scheme or driver, no database, bad port or SQLite path.
    """
    shown = redact(url)
    scheme, sep, _ = url.partition("://")
    dialect_name, _, driver = scheme.lower().partition("+")
    dialect = _DIALECTS.get(dialect_name)
    if not sep or dialect is None:
        raise ConfigError(f"unsupported database URL {shown!r}: {_EXPECTED}")
    if driver and driver not in _DRIVERS:
        raise ConfigError(f"database URL {shown!r}: unknown driver {driver!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"bad database URL {shown!r}: {_scrubbed(str(exc), url)}") from None
    if dialect == "sqlite":
        return _sqlite(url, shown, parts.netloc, parts.path)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise ConfigError(f"bad database URL {shown!r}: {_EXPECTED}")
    return DbUrl(
        dialect=dialect,
        raw=url,
        redacted=shown,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=database,
        query=parts.query,
    )


def _sqlite(url: str, shown: str, netloc: str, path: str) -> DbUrl:
    if netloc:
        raise ConfigError(
            f"bad SQLite URL {shown!r}: use sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db (no host)"
        )
    if len(path) < 2:  # "/" plus at least one character
        raise ConfigError(f"bad SQLite URL {shown!r}: no database path")
    return DbUrl(dialect="sqlite", raw=url, redacted=shown, path=unquote(path[1:]))


def _scrubbed(message: str, url: str) -> str:
    try:
        password = urlsplit(url).password or ""
    except ValueError:
        password = ""
    for secret in {password, unquote(password), _encoded_password(url)} - {""}:
        message = message.replace(secret, "***")
    return message
