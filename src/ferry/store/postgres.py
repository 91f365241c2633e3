"""The PostgreSQL backend (psycopg 3): one connection, one lock, server-side transactions.

One connection per store keeps the dependency list short (no ``psycopg_pool``); a process that
wants more parallelism opens more stores. Several processes share the work through leases
(:mod:`ferry.store.leases`), whose grab uses ``SELECT ... FOR UPDATE SKIP LOCKED`` so two
owners never pick the same execution. ``executemany`` runs in psycopg's pipeline mode, so the
events of a step cost one round trip, not one per event.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ferry.store.db import Database, Dialect, Tx
from ferry.store.errors import StoreConflictError

CONNECT_TIMEOUT_SECONDS = 5

POSTGRESQL = Dialect(
    name="postgresql",
    placeholder="%s",
    skip_locked=" FOR UPDATE SKIP LOCKED",
    share_lock=" FOR SHARE",
    # Scoped to the schema so isolated schemas (tests, tenants) migrate independently.
    migration_lock="SELECT pg_advisory_xact_lock(hashtext(current_schema()))",
)


class PostgresDatabase(Database):
    """A PostgreSQL database reached through a libpq connection URL."""

    dialect = POSTGRESQL

    def __init__(self, url: str) -> None:
        """Connect to ``url``.

        Raises:
            psycopg.Error: The server is unreachable or refused the connection.
        """
        self._lock = threading.RLock()
        self._conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """Open a server-side transaction on the shared connection."""
        del write  # PostgreSQL takes row locks as statements need them
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cursor:
                    yield Tx(cursor, POSTGRESQL)
            except psycopg.errors.IntegrityError as exc:
                raise StoreConflictError(str(exc).splitlines()[0]) from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
