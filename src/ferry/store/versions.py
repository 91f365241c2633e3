"""State machine versions and aliases, and the version or alias an execution started from.

A version is an immutable, numbered pointer at one stored revision of a machine (its ARN is the
machine's plus ``:N``); an alias is a named routing of executions between one or two versions
(``:NAME``). Both vanish with their machine (foreign keys cascade), as on AWS.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

from ferry.errors import FerryError
from ferry.store.db import Database, Row, Tx, fetch_one, fetch_rows
from ferry.store.errors import StateMachineDoesNotExistError
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import Page

Routing = tuple[tuple[int, int], ...]
"""An alias's routing: ``(version number, weight)`` pairs, weights summing to 100."""


class RevisionConflictError(FerryError):
    """PublishStateMachineVersion named a revision that is no longer the machine's current one."""

    http_status = 400


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One published version of a machine."""

    machine_arn: str
    version: int
    revision_id: str
    description: str | None
    created: float

    @property
    def arn(self) -> str:
        """The version's ARN (the machine's ARN and ``:N``)."""
        return f"{self.machine_arn}:{self.version}"


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """One alias of a machine."""

    machine_arn: str
    name: str
    description: str | None
    routing: Routing
    created: float
    updated: float

    @property
    def arn(self) -> str:
        """The alias's ARN (the machine's ARN and ``:NAME``)."""
        return f"{self.machine_arn}:{self.name}"


@dataclass(frozen=True, slots=True)
class ExecutionOrigin:
    """The version (and alias, if any) an execution was started through."""

    version_arn: str | None
    alias_arn: str | None


_VERSION_COLUMNS = "SELECT machine_arn, version, revision_id, description, created "
_ALIAS_COLUMNS = "SELECT machine_arn, name, description, routing, created, updated "


def _version(row: Row) -> VersionRecord:
    machine_arn, version, revision_id, description, created = row
    return VersionRecord(machine_arn, int(version), revision_id, description, created)


def _alias(row: Row) -> AliasRecord:
    machine_arn, name, description, routing, created, updated = row
    pairs = tuple((int(v), int(w)) for v, w in json.loads(routing))
    return AliasRecord(machine_arn, name, description, pairs, created, updated)


def _routing_text(routing: Routing) -> str:
    return json.dumps([list(pair) for pair in routing])


class SqlVersionStore:
    """Versions, aliases and execution origins in the tables of migration 0004."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- versions -----------------------------------------------------------------------
    def publish(
        self,
        machine_arn: str,
        now: float,
        *,
        revision_id: str | None = None,
        description: str | None = None,
    ) -> VersionRecord:
        """Publish the machine's current revision, or return the version that already has it.

        Raises:
            StateMachineDoesNotExistError: No machine has this ARN.
            RevisionConflictError: ``revision_id`` is not the machine's current revision.
        """
        with self._db.transaction() as tx:
            row = tx.one("SELECT revision_id FROM state_machines WHERE arn = ?", (machine_arn,))
            if row is None:
                raise StateMachineDoesNotExistError(
                    f"State Machine Does Not Exist: '{machine_arn}'"
                )
            current = str(row[0])
            if revision_id is not None and revision_id not in (current, "INITIAL"):
                raise RevisionConflictError(
                    f"Failed to publish the State Machine version for revision {revision_id}. "
                    f"The current State Machine revision is {current}."
                )
            existing = tx.one(
                _VERSION_COLUMNS
                + "FROM state_machine_versions WHERE machine_arn = ? AND revision_id = ?",
                (machine_arn, current),
            )
            if existing is not None:
                return _version(existing)
            number = _next_number(tx, machine_arn)
            tx.execute(
                "INSERT INTO state_machine_versions "
                "(machine_arn, version, revision_id, description, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (machine_arn, number, current, description, now),
            )
        return VersionRecord(machine_arn, number, current, description, now)

    def get(self, machine_arn: str, version: int) -> VersionRecord | None:
        """Version ``version`` of the machine, or None."""
        row = fetch_one(
            self._db,
            _VERSION_COLUMNS + "FROM state_machine_versions WHERE machine_arn = ? AND version = ?",
            (machine_arn, version),
        )
        return None if row is None else _version(row)

    def list(
        self, machine_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[VersionRecord]:
        """One page of the machine's versions, newest (highest number) first.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        size = page_size(max_results)
        before = 2**62 if next_token is None else int(str(decode_token(next_token, 1)[0]))
        rows = fetch_rows(
            self._db,
            _VERSION_COLUMNS + "FROM state_machine_versions WHERE machine_arn = ? AND version < ? "
            "ORDER BY version DESC LIMIT ?",
            (machine_arn, before, size + 1),
        )
        items = [_version(row) for row in rows[:size]]
        token = encode_token([str(items[-1].version)]) if len(rows) > size else None
        return Page(items, token)

    def delete(self, machine_arn: str, version: int) -> bool:
        """Delete a version; False when it did not exist."""
        with self._db.transaction() as tx:
            return (
                tx.execute(
                    "DELETE FROM state_machine_versions WHERE machine_arn = ? AND version = ?",
                    (machine_arn, version),
                )
                > 0
            )

    # -- aliases ------------------------------------------------------------------------
    def create_alias(self, alias: AliasRecord) -> tuple[AliasRecord, bool]:
        """Store ``alias``; when the name is taken, return the stored one and False."""
        with self._db.transaction() as tx:
            inserted = tx.execute(
                "INSERT INTO state_machine_aliases "
                "(machine_arn, name, description, routing, created, updated) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (alias.machine_arn, alias.name, alias.description,
                 _routing_text(alias.routing), alias.created, alias.updated),
            )  # fmt: skip
            row = _alias_row(tx, alias.machine_arn, alias.name)
        assert row is not None
        return _alias(row), inserted > 0

    def alias(self, machine_arn: str, name: str) -> AliasRecord | None:
        """The alias ``name`` of the machine, or None."""
        row = fetch_one(
            self._db,
            _ALIAS_COLUMNS + "FROM state_machine_aliases WHERE machine_arn = ? AND name = ?",
            (machine_arn, name),
        )
        return None if row is None else _alias(row)

    def update_alias(
        self,
        machine_arn: str,
        name: str,
        now: float,
        *,
        description: str | None = None,
        routing: Routing | None = None,
    ) -> AliasRecord | None:
        """Change an alias's description and/or routing; None when it does not exist."""
        with self._db.transaction() as tx:
            changed = tx.execute(
                "UPDATE state_machine_aliases SET description = COALESCE(?, description), "
                "routing = COALESCE(?, routing), updated = ? WHERE machine_arn = ? AND name = ?",
                (description, None if routing is None else _routing_text(routing), now,
                 machine_arn, name),
            )  # fmt: skip
            row = _alias_row(tx, machine_arn, name) if changed else None
        return None if row is None else _alias(row)

    def delete_alias(self, machine_arn: str, name: str) -> bool:
        """Delete an alias; False when it did not exist."""
        with self._db.transaction() as tx:
            return (
                tx.execute(
                    "DELETE FROM state_machine_aliases WHERE machine_arn = ? AND name = ?",
                    (machine_arn, name),
                )
                > 0
            )

    def list_aliases(
        self, machine_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[AliasRecord]:
        """One page of the machine's aliases, in name order.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        size = page_size(max_results)
        after = "" if next_token is None else str(decode_token(next_token, 1)[0])
        rows = fetch_rows(
            self._db,
            _ALIAS_COLUMNS + "FROM state_machine_aliases WHERE machine_arn = ? AND name > ? "
            "ORDER BY name LIMIT ?",
            (machine_arn, after, size + 1),
        )
        items = [_alias(row) for row in rows[:size]]
        token = encode_token([items[-1].name]) if len(rows) > size else None
        return Page(items, token)

    def aliases_of_version(self, machine_arn: str, version: int) -> tuple[str, ...]:
        """The names of the aliases routing to ``version``, in name order."""
        rows = fetch_rows(
            self._db,
            _ALIAS_COLUMNS + "FROM state_machine_aliases WHERE machine_arn = ? ORDER BY name",
            (machine_arn,),
        )
        aliases = [_alias(row) for row in rows]
        return tuple(a.name for a in aliases if any(v == version for v, _ in a.routing))

    # -- execution origins --------------------------------------------------------------
    def record_origin(self, execution_arn: str, origin: ExecutionOrigin) -> None:
        """Remember the version/alias ``execution_arn`` started through (first write wins)."""
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO execution_origins (execution_arn, version_arn, alias_arn) "
                "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (execution_arn, origin.version_arn, origin.alias_arn),
            )

    def origin(self, execution_arn: str) -> ExecutionOrigin | None:
        """The version/alias the execution started through; None when started unqualified."""
        row = fetch_one(
            self._db,
            "SELECT version_arn, alias_arn FROM execution_origins WHERE execution_arn = ?",
            (execution_arn,),
        )
        return None if row is None else ExecutionOrigin(row[0], row[1])


def _next_number(tx: Tx, machine_arn: str) -> int:
    row = tx.one(
        "SELECT last_version FROM state_machine_version_counters WHERE machine_arn = ?",
        (machine_arn,),
    )
    number = 1 if row is None else int(row[0]) + 1
    if row is None:
        tx.execute(
            "INSERT INTO state_machine_version_counters (machine_arn, last_version) VALUES (?, ?)",
            (machine_arn, number),
        )
    else:
        tx.execute(
            "UPDATE state_machine_version_counters SET last_version = ? WHERE machine_arn = ?",
            (number, machine_arn),
        )
    return number


def _alias_row(tx: Tx, machine_arn: str, name: str) -> Row | None:
    return tx.one(
        _ALIAS_COLUMNS + "FROM state_machine_aliases WHERE machine_arn = ? AND name = ?",
        (machine_arn, name),
    )


@dataclass(frozen=True, slots=True)
class StartTarget:
    """What StartExecution with a version or alias ARN runs: a stored revision of a machine."""

    machine_arn: str
    revision_id: str
    origin: ExecutionOrigin


def split_qualified(arn: str) -> tuple[str, str | None]:
    """``(machine ARN, qualifier)`` for ``...:stateMachine:NAME[:QUALIFIER]``.

    The qualifier is a version number (digits) or an alias name; None for a plain machine ARN.
    """
    fields = arn.split(":")
    if len(fields) == 8 and fields[5] == "stateMachine" and fields[7]:
        return ":".join(fields[:7]), fields[7]
    return arn, None


def route(routing: Routing, draw: str) -> int:
    """The version an alias sends one execution to, weighted, chosen by hashing ``draw``.

    ``draw`` is the execution's name: a uuid when the caller gives none, so executions spread
    by the weights, and a retried StartExecution with the same name lands on the same version.
    """
    point = int(hashlib.sha256(draw.encode("utf-8")).hexdigest()[:8], 16) % 100
    for version, weight in routing:
        if point < weight:
            return version
        point -= weight
    return routing[-1][0]


class VersionLookup(Protocol):
    """What :func:`resolve_target` reads: a store's versions and aliases."""

    def get(self, machine_arn: str, version: int) -> VersionRecord | None: ...
    def alias(self, machine_arn: str, name: str) -> AliasRecord | None: ...


def resolve_target(
    versions: VersionLookup, machine_arn: str, qualifier: str, draw: str
) -> StartTarget:
    """The revision a start through version or alias ``qualifier`` runs.

    Raises:
        StateMachineDoesNotExistError: No such version or alias (AWS names the qualified ARN).
    """
    qualified = f"{machine_arn}:{qualifier}"
    alias_arn = None
    number = int(qualifier) if qualifier.isdigit() else None
    if number is None:
        alias = versions.alias(machine_arn, qualifier)
        if alias is not None:
            number, alias_arn = route(alias.routing, draw), alias.arn
    version = None if number is None else versions.get(machine_arn, number)
    if version is None:
        raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{qualified}'")
    return StartTarget(machine_arn, version.revision_id, ExecutionOrigin(version.arn, alias_arn))
