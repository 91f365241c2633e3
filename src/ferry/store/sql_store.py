""":class:`SqlStore`: the :class:`~ferry.store.base.Store` over a SQLite or PostgreSQL database."""

from __future__ import annotations

from typing import Literal

from ferry.store.activities import SqlActivityStore
from ferry.store.db import Database
from ferry.store.executions import SqlExecutionStore
from ferry.store.history import SqlHistoryStore
from ferry.store.leases import SqlLeaseStore
from ferry.store.machines import SqlMachineStore
from ferry.store.map_runs import SqlMapRunStore
from ferry.store.migrate import migrate
from ferry.store.signals import SqlSignalStore
from ferry.store.timers import SqlTimerStore
from ferry.store.tokens import SqlTokenStore
from ferry.store.versions import SqlVersionStore


class SqlStore:
    """All aggregate stores over one migrated database."""

    def __init__(self, db: Database) -> None:
        """Migrate ``db`` to the newest schema and build the aggregate stores.

        Raises:
            ConfigError: The database's schema is newer than this code.
        """
        self._db = db
        self._schema_version = migrate(db)
        self._machines = SqlMachineStore(db)
        self._executions = SqlExecutionStore(db)
        self._history = SqlHistoryStore(db)
        self._timers = SqlTimerStore(db)
        self._tokens = SqlTokenStore(db)
        self._leases = SqlLeaseStore(db)
        self._signals = SqlSignalStore(db)
        self._activities = SqlActivityStore(db)
        self._versions = SqlVersionStore(db)
        self._map_runs = SqlMapRunStore(db)

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        """Which database this store runs on."""
        return self._db.dialect.name

    @property
    def schema_version(self) -> int:
        """The schema version after opening."""
        return self._schema_version

    @property
    def machines(self) -> SqlMachineStore:
        """State machines."""
        return self._machines

    @property
    def executions(self) -> SqlExecutionStore:
        """Executions."""
        return self._executions

    @property
    def history(self) -> SqlHistoryStore:
        """History events."""
        return self._history

    @property
    def timers(self) -> SqlTimerStore:
        """Timers."""
        return self._timers

    @property
    def tokens(self) -> SqlTokenStore:
        """Task tokens."""
        return self._tokens

    @property
    def leases(self) -> SqlLeaseStore:
        """Leases."""
        return self._leases

    @property
    def signals(self) -> SqlSignalStore:
        """Execution signals."""
        return self._signals

    @property
    def versions(self) -> SqlVersionStore:
        """State machine versions and aliases."""
        return self._versions

    @property
    def activities(self) -> SqlActivityStore:
        """Activities."""
        return self._activities

    @property
    def map_runs(self) -> SqlMapRunStore:
        """Map Runs of Distributed Map states."""
        return self._map_runs

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
