"""The SQLite backend: one connection in WAL mode, one lock around it.

Choices and their trade-offs:

* **WAL** lets readers in other processes (``ferry`` CLI commands) read while the server
  writes, and makes a commit one sequential append to the log.
* **synchronous=NORMAL** (the default; ``?synchronous=FULL`` in the URL overrides it). In WAL
  mode NORMAL never corrupts the database and never loses a commit when the *process* dies —
  a SIGKILL, a crash, an OOM kill: the committed pages are in the OS page cache and reach the
  file. Only a power loss or kernel crash can roll back the last transactions, and then the
  database stays consistent: those steps are re-run on recovery, which the Task contract
  (at-least-once invocation) already allows. FULL would fsync on every commit, capping the
  store at the disk's fsync rate (a few hundred commits per second on many disks), far from
  the 5,000 transitions per second target. Choose FULL when a host crash must not lose a step.
* **foreign_keys=ON** so history, timers and tokens cannot outlive their execution.
* **busy_timeout** so a second process (a CLI reading the file) waits rather than failing.
* One connection shared by the runner's threads, guarded by an ``RLock``: SQLite has one writer
  at a time anyway, and a single connection keeps its page cache warm. Write transactions
  begin with ``BEGIN IMMEDIATE`` so they take the write lock up front and never deadlock on a
  read-to-write upgrade.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from ferry.store.db import Database, Dialect, Tx
from ferry.store.errors import StoreConflictError

BUSY_TIMEOUT_MS = 5000

SQLITE = Dialect(
    name="sqlite",
    placeholder="?",
    skip_locked="",
    share_lock="",
    migration_lock=None,
)

Synchronous = Literal["NORMAL", "FULL"]


class SqliteDatabase(Database):
    """A SQLite file (or ``:memory:``) behind one lock."""

    dialect = SQLITE

    def __init__(self, path: str, synchronous: Synchronous = "NORMAL") -> None:
        """Open (creating if needed) the database at ``path``.

        Raises:
            sqlite3.Error: The file cannot be opened or is not a SQLite database.
        """
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        try:
            self._configure(synchronous)
        except sqlite3.Error:
            self._conn.close()
            raise

    def _configure(self, synchronous: Synchronous) -> None:
        conn = self._conn
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """Open a transaction (``BEGIN IMMEDIATE`` when it writes)."""
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(cursor, SQLITE)
            except sqlite3.IntegrityError as exc:
                self._rollback()
                raise StoreConflictError(str(exc)) from exc
            except BaseException:
                self._rollback()
                raise
            else:
                cursor.execute("COMMIT")
            finally:
                cursor.close()

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
