"""State machines: create (idempotent), update → new revision, describe, list paging, delete."""

from __future__ import annotations

import dataclasses

import pytest

from ferry.store.errors import (
    InvalidPageTokenError,
    StateMachineAlreadyExistsError,
    StateMachineDoesNotExistError,
)
from ferry.store.sql_store import SqlStore
from store.builders import machine_arn, new_machine


def test_create_then_describe(store: SqlStore) -> None:
    created = store.machines.create(new_machine("Orders"), now=10.0)
    described = store.machines.describe(machine_arn("Orders"))
    assert described == created
    assert described.name == "Orders"
    assert described.definition == '{"StartAt":"A"}'
    assert described.type == "STANDARD"
    assert described.tags == {"team": "ferry"}
    assert described.created == described.updated == 10.0
    assert described.revision_id


def test_describe_missing_is_none(store: SqlStore) -> None:
    assert store.machines.describe(machine_arn("Nope")) is None


def test_create_same_definition_is_idempotent(store: SqlStore) -> None:
    # AWS CreateStateMachine: a repeat with the same name, definition and type returns the
    # original; roleArn and tag differences are ignored.
    first = store.machines.create(new_machine("Orders"), now=10.0)
    other_role = dataclasses.replace(new_machine("Orders"), role_arn="arn:aws:iam::1:role/x")
    again = store.machines.create(other_role, now=20.0)
    assert again == first


def test_create_different_definition_is_already_exists(store: SqlStore) -> None:
    store.machines.create(new_machine("Orders"), now=10.0)
    with pytest.raises(StateMachineAlreadyExistsError, match="State Machine Already Exists"):
        store.machines.create(new_machine("Orders", definition='{"StartAt":"B"}'), now=11.0)
    express = dataclasses.replace(new_machine("Orders"), type="EXPRESS")
    with pytest.raises(StateMachineAlreadyExistsError):
        store.machines.create(express, now=12.0)


def test_update_makes_a_new_revision_and_keeps_the_old_one(store: SqlStore) -> None:
    first = store.machines.create(new_machine("Orders"), now=10.0)
    updated = store.machines.update(first.arn, 20.0, definition='{"StartAt":"B"}')
    assert updated.revision_id != first.revision_id
    assert updated.definition == '{"StartAt":"B"}'
    assert updated.role_arn == first.role_arn  # not given: unchanged
    assert updated.created == 10.0
    assert updated.updated == 20.0
    assert store.machines.describe(first.arn) == updated
    old = store.machines.revision(first.arn, first.revision_id)
    assert old is not None
    assert old.definition == '{"StartAt":"A"}'
    role_only = store.machines.update(first.arn, 30.0, role_arn="arn:aws:iam::1:role/new")
    assert role_only.definition == '{"StartAt":"B"}'
    assert role_only.role_arn == "arn:aws:iam::1:role/new"
    assert len({first.revision_id, updated.revision_id, role_only.revision_id}) == 3


def test_update_missing_machine(store: SqlStore) -> None:
    with pytest.raises(StateMachineDoesNotExistError):
        store.machines.update(machine_arn("Nope"), 1.0, definition="{}")


def test_list_pages_through_every_machine_once(store: SqlStore) -> None:
    names = [f"M{i:02d}" for i in range(7)]
    for name in reversed(names):
        store.machines.create(new_machine(name), now=1.0)
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = store.machines.list(max_results=3, next_token=token)
        assert len(page.items) <= 3
        seen += [m.name for m in page.items]
        pages += 1
        token = page.next_token
        if token is None:
            break
    assert seen == names
    assert pages == 3


def test_list_exact_page_has_no_token(store: SqlStore) -> None:
    for name in ("A", "B"):
        store.machines.create(new_machine(name), now=1.0)
    page = store.machines.list(max_results=2)
    assert [m.name for m in page.items] == ["A", "B"]
    assert page.next_token is None


def test_list_default_page_size_is_100(store: SqlStore) -> None:
    for i in range(101):
        store.machines.create(new_machine(f"M{i:03d}"), now=1.0)
    page = store.machines.list(max_results=0)
    assert len(page.items) == 100
    assert page.next_token is not None


def test_list_rejects_a_forged_token(store: SqlStore) -> None:
    with pytest.raises(InvalidPageTokenError):
        store.machines.list(next_token="not-a-token!")


def test_delete(store: SqlStore) -> None:
    created = store.machines.create(new_machine("Gone"), now=1.0)
    assert store.machines.delete(created.arn) is True
    assert store.machines.describe(created.arn) is None
    assert store.machines.revision(created.arn, created.revision_id) is None
    assert store.machines.delete(created.arn) is False
    # The name is free again.
    assert store.machines.create(new_machine("Gone"), now=2.0).created == 2.0
