"""State machines: create, update (a new revision), describe, list, delete."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from ferry.store.db import Database, Row, fetch_one, fetch_rows
from ferry.store.errors import StateMachineAlreadyExistsError, StateMachineDoesNotExistError
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import MachineRecord, NewMachine, Page

# Column lists are spelled out in each statement: the SQL stays literal, values are bound.
_SELECT = (
    "SELECT arn, name, definition, type, role_arn, tags, revision_id, created, updated "
    "FROM state_machines "
)
_INSERT = (
    "INSERT INTO state_machines "
    "(arn, name, definition, type, role_arn, tags, revision_id, created, updated) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_REVISION = (
    "INSERT INTO state_machine_revisions "
    "(machine_arn, revision_id, definition, role_arn, created) VALUES (?, ?, ?, ?, ?)"
)


def _record(row: Row) -> MachineRecord:
    arn, name, definition, type_, role_arn, tags, revision_id, created, updated = row
    return MachineRecord(
        arn=arn,
        name=name,
        definition=definition,
        type=type_,
        role_arn=role_arn,
        tags=json.loads(tags),
        revision_id=revision_id,
        created=created,
        updated=updated,
    )


class SqlMachineStore:
    """State machines in the ``state_machines`` and ``state_machine_revisions`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, machine: NewMachine, now: float) -> MachineRecord:
        """Store a new state machine, or return the identical one that exists.

        AWS (CreateStateMachine): "idempotency check is based on the state machine name,
        definition, type ... If a following request has a different roleArn or tags, Step
        Functions will ignore these differences and treat it as an idempotent request".

        Raises:
            StateMachineAlreadyExistsError: The name is taken by a different definition/type.
        """
        revision_id = str(uuid.uuid4())
        with self._db.transaction() as tx:
            inserted = tx.execute(
                _INSERT,
                (machine.arn, machine.name, machine.definition, machine.type,
                 machine.role_arn, json.dumps(dict(machine.tags)), revision_id, now, now),
            )  # fmt: skip
            if inserted:
                tx.execute(
                    _INSERT_REVISION,
                    (machine.arn, revision_id, machine.definition, machine.role_arn, now),
                )
            row = tx.one(_SELECT + "WHERE name = ?", (machine.name,))
        assert row is not None
        existing = _record(row)
        if (existing.arn, existing.definition, existing.type) != (
            machine.arn,
            machine.definition,
            machine.type,
        ):
            raise StateMachineAlreadyExistsError(f"State Machine Already Exists: '{existing.arn}'")
        return existing

    def update(
        self, arn: str, now: float, *, definition: str | None = None, role_arn: str | None = None
    ) -> MachineRecord:
        """Change the definition and/or role; the machine gets a new revision id.

        Raises:
            StateMachineDoesNotExistError: No machine has this ARN.
        """
        revision_id = str(uuid.uuid4())
        with self._db.transaction() as tx:
            row = tx.one(
                "UPDATE state_machines SET definition = COALESCE(?, definition), "
                "role_arn = COALESCE(?, role_arn), revision_id = ?, updated = ? "
                "WHERE arn = ? RETURNING arn, name, definition, type, role_arn, tags, "
                "revision_id, created, updated",
                (definition, role_arn, revision_id, now, arn),
            )
            if row is None:
                raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{arn}'")
            record = _record(row)
            tx.execute(
                _INSERT_REVISION,
                (arn, revision_id, record.definition, record.role_arn, now),
            )
        return record

    def describe(self, arn: str) -> MachineRecord | None:
        """The machine at its latest revision, or None."""
        row = fetch_one(self._db, _SELECT + "WHERE arn = ?", (arn,))
        return None if row is None else _record(row)

    def revision(self, arn: str, revision_id: str) -> MachineRecord | None:
        """The machine as it was at ``revision_id`` (what an execution of it ran), or None."""
        row = fetch_one(
            self._db,
            "SELECT m.arn, m.name, r.definition, m.type, r.role_arn, m.tags, r.revision_id, "
            "m.created, r.created FROM state_machine_revisions r "
            "JOIN state_machines m ON m.arn = r.machine_arn "
            "WHERE r.machine_arn = ? AND r.revision_id = ?",
            (arn, revision_id),
        )
        return None if row is None else _record(row)

    def list(self, max_results: int = 0, next_token: str | None = None) -> Page[MachineRecord]:
        """One page of machines, in name order.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        size = page_size(max_results)
        after = "" if next_token is None else str(decode_token(next_token, 1)[0])
        rows = fetch_rows(
            self._db,
            _SELECT + "WHERE name > ? ORDER BY name LIMIT ?",
            (after, size + 1),
        )
        items = [_record(row) for row in rows[:size]]
        token = encode_token([items[-1].name]) if len(rows) > size else None
        return Page(items, token)

    def set_tags(self, arn: str, tags: Mapping[str, str]) -> bool:
        """Replace the resource's tags (TagResource/UntagResource); False if absent."""
        with self._db.transaction() as tx:
            sql = "UPDATE state_machines SET tags = ? WHERE arn = ?"
            return tx.execute(sql, (json.dumps(dict(tags)), arn)) > 0

    def delete(self, arn: str) -> bool:
        """Delete the machine and its revisions (its executions stay); False if absent."""
        with self._db.transaction() as tx:
            return tx.execute("DELETE FROM state_machines WHERE arn = ?", (arn,)) > 0
