"""Ferry's durable store on SQLite or PostgreSQL: executions and everything that hangs off them.

Open one with :func:`open_store`; see :class:`ferry.store.base.Store` for what it offers.
"""

from __future__ import annotations

from ferry.errors import ConfigError
from ferry.store.base import Store
from ferry.store.sql_store import SqlStore
from ferry.store.urls import open_database, redact

DEFAULT_URL = "sqlite:///ferry.db"

__all__ = ["DEFAULT_URL", "Store", "open_store", "redact"]


def open_store(url: str = DEFAULT_URL) -> Store:
    """Open the store ``url`` names and bring its schema up to date.

    Args:
        url: ``sqlite:///path.db``, ``sqlite:///:memory:``, ``postgresql://...``
            or ``postgres://...`` (see :mod:`ferry.store.urls`).

    Raises:
        ConfigError: Bad URL, unreachable database, or a schema newer than this code.
    """
    db = open_database(url)
    try:
        return SqlStore(db)
    except ConfigError:
        db.close()
        raise
    except Exception as exc:
        db.close()
        raise ConfigError(f"cannot prepare store {redact(url)}: {type(exc).__name__}") from None
