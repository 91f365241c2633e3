"""Numbered, forward-only schema migrations, applied when a store opens.

A migration is a file ``migrations/NNNN_name.sql`` holding statements separated by ``;`` at
the end of a line. Where SQLite and PostgreSQL truly differ, ``NNNN_name.<dialect>.sql``
(``sqlite`` or ``postgresql``) replaces the shared file for that dialect. The applied versions
are rows of ``schema_version``; all pending migrations run in one transaction, so a failure
leaves the schema as it was. A database migrated by newer code is refused, not guessed at.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from ferry.errors import ConfigError
from ferry.store.db import Database, Tx

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_FILE_NAME = re.compile(r"^(\d{4})_(\w+?)(?:\.(sqlite|postgresql))?\.sql$")

_CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL
)"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration, as statements for one dialect."""

    version: int
    name: str
    statements: tuple[str, ...]


def load_migrations(dialect: str, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations for ``dialect``, in version order."""
    chosen: dict[int, tuple[str, Path, bool]] = {}
    for path in directory.glob("*.sql"):
        match = _FILE_NAME.match(path.name)
        if match is None or match.group(3) not in (None, dialect):
            continue
        version, specific = int(match.group(1)), match.group(3) is not None
        if version not in chosen or specific:
            chosen[version] = (match.group(2), path, specific)
    return [
        Migration(version, name, split_statements(path.read_text(encoding="utf-8")))
        for version, (name, path, _) in sorted(chosen.items())
    ]


def split_statements(script: str) -> tuple[str, ...]:
    """Split a script into statements, dropping ``--`` comment lines."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    parts = re.split(r";\s*$", "\n".join(lines), flags=re.MULTILINE)
    return tuple(part.strip() for part in parts if part.strip())


def migrate(db: Database, migrations: list[Migration] | None = None) -> int:
    """Apply every pending migration in one transaction; return the schema version.

    Raises:
        ConfigError: The database has a newer schema than this code knows.
    """
    known = load_migrations(db.dialect.name) if migrations is None else migrations
    latest = known[-1].version if known else 0
    with db.transaction() as tx:
        current = _current_version(db, tx)
        if current > latest:
            raise ConfigError(
                f"the store's schema is version {current}, newer than this Ferry "
                f"understands (version {latest}); upgrade Ferry to use this store"
            )
        for migration in known:
            if migration.version > current:
                _apply(tx, migration)
    return max(current, latest)


def _current_version(db: Database, tx: Tx) -> int:
    if db.dialect.migration_lock is not None:
        tx.execute(db.dialect.migration_lock)
    tx.execute(_CREATE_VERSION_TABLE)
    row = tx.one("SELECT MAX(version) FROM schema_version")
    return int(row[0]) if row is not None and row[0] is not None else 0


def _apply(tx: Tx, migration: Migration) -> None:
    for statement in migration.statements:
        tx.execute(statement)
    tx.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, time.time()),
    )
