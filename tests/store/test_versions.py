"""Versions, aliases and execution origins in the store, on both backends.

The rules are AWS's (API reference, PublishStateMachineVersion: "doesn't create a duplicate
state machine version if it already exists for the current revision"; a revisionId that is not
the current one is a ConflictException; version numbers are not reused after a deletion).
"""

from __future__ import annotations

import pytest

from ferry.store.errors import StateMachineDoesNotExistError
from ferry.store.sql_store import SqlStore
from ferry.store.versions import (
    AliasRecord,
    ExecutionOrigin,
    RevisionConflictError,
    resolve_target,
    route,
    split_qualified,
)

from .builders import machine_arn, new_execution, new_machine


def _machine(store: SqlStore) -> str:
    return store.machines.create(new_machine(), 1.0).arn


def test_publish_numbers_versions_and_is_idempotent_per_revision(store: SqlStore) -> None:
    arn = _machine(store)
    first = store.versions.publish(arn, 2.0, description="first")
    assert (first.version, first.arn, first.description) == (1, f"{arn}:1", "first")
    again = store.versions.publish(arn, 3.0)
    assert again == first  # same revision: the same version, not a new one
    store.machines.update(arn, 4.0, definition='{"StartAt":"B"}')
    second = store.versions.publish(arn, 5.0)
    assert second.version == 2
    assert second.revision_id != first.revision_id


def test_numbers_are_not_reused_after_a_deletion(store: SqlStore) -> None:
    arn = _machine(store)
    store.versions.publish(arn, 2.0)
    store.machines.update(arn, 3.0, definition='{"StartAt":"B"}')
    store.versions.publish(arn, 4.0)
    assert store.versions.delete(arn, 2) is True
    assert store.versions.delete(arn, 2) is False
    store.machines.update(arn, 5.0, definition='{"StartAt":"C"}')
    assert store.versions.publish(arn, 6.0).version == 3


def test_publish_checks_the_revision_and_the_machine(store: SqlStore) -> None:
    arn = _machine(store)
    current = store.machines.describe(arn)
    assert current is not None
    with pytest.raises(RevisionConflictError) as info:
        store.versions.publish(arn, 2.0, revision_id="stale")
    assert str(info.value) == (
        "Failed to publish the State Machine version for revision stale. "
        f"The current State Machine revision is {current.revision_id}."
    )
    assert store.versions.publish(arn, 2.0, revision_id=current.revision_id).version == 1
    with pytest.raises(StateMachineDoesNotExistError):
        store.versions.publish(machine_arn("Nope"), 2.0)


def test_versions_list_newest_first_in_pages(store: SqlStore) -> None:
    arn = _machine(store)
    for n in range(3):
        store.machines.update(arn, 2.0 + n, definition=f'{{"StartAt":"S{n}"}}')
        store.versions.publish(arn, 2.0 + n)
    page = store.versions.list(arn, max_results=2)
    assert [v.version for v in page.items] == [3, 2]
    assert page.next_token is not None
    rest = store.versions.list(arn, max_results=2, next_token=page.next_token)
    assert [v.version for v in rest.items] == [1]
    assert rest.next_token is None


def _alias(
    arn: str, name: str = "live", routing: tuple[tuple[int, int], ...] = ((1, 100),)
) -> AliasRecord:
    return AliasRecord(arn, name, "desc", routing, 10.0, 10.0)


def test_aliases_create_update_list_delete(store: SqlStore) -> None:
    arn = _machine(store)
    stored, created = store.versions.create_alias(_alias(arn))
    assert created
    assert stored.arn == f"{arn}:live"
    again, created_again = store.versions.create_alias(_alias(arn, routing=((2, 100),)))
    assert not created_again
    assert again.routing == ((1, 100),)
    updated = store.versions.update_alias(arn, "live", 11.0, routing=((1, 60), (2, 40)))
    assert updated is not None
    assert (updated.routing, updated.description, updated.updated) == (
        ((1, 60), (2, 40)),
        "desc",
        11.0,
    )
    store.versions.create_alias(_alias(arn, "beta", ((2, 100),)))
    assert [a.name for a in store.versions.list_aliases(arn).items] == ["beta", "live"]
    assert store.versions.aliases_of_version(arn, 1) == ("live",)
    assert store.versions.aliases_of_version(arn, 2) == ("beta", "live")
    assert store.versions.delete_alias(arn, "beta") is True
    assert store.versions.delete_alias(arn, "beta") is False
    assert store.versions.update_alias(arn, "beta", 12.0, description="x") is None


def test_deleting_the_machine_drops_its_versions_and_aliases(store: SqlStore) -> None:
    arn = _machine(store)
    store.versions.publish(arn, 2.0)
    store.versions.create_alias(_alias(arn))
    store.machines.delete(arn)
    assert store.versions.get(arn, 1) is None
    assert store.versions.alias(arn, "live") is None


def test_execution_origin_round_trips(store: SqlStore) -> None:
    _machine(store)
    record, _ = store.executions.create(new_execution())
    assert store.versions.origin(record.arn) is None
    origin = ExecutionOrigin(f"{machine_arn()}:1", f"{machine_arn()}:live")
    store.versions.record_origin(record.arn, origin)
    assert store.versions.origin(record.arn) == origin


def test_split_qualified_arns() -> None:
    plain = machine_arn()
    assert split_qualified(plain) == (plain, None)
    assert split_qualified(f"{plain}:3") == (plain, "3")
    assert split_qualified(f"{plain}:live") == (plain, "live")


def test_route_follows_the_weights() -> None:
    assert route(((4, 100),), "anything") == 4
    assert route(((1, 0), (2, 100)), "anything") == 2
    picks = [route(((1, 50), (2, 50)), f"run-{n}") for n in range(400)]
    assert 120 < picks.count(1) < 280  # roughly half, deterministic for these names
    assert route(((1, 50), (2, 50)), "run-7") == route(((1, 50), (2, 50)), "run-7")


def test_resolve_target_through_versions_and_aliases(store: SqlStore) -> None:
    arn = _machine(store)
    version = store.versions.publish(arn, 2.0)
    store.versions.create_alias(_alias(arn))
    by_version = resolve_target(store.versions, arn, "1", "run")
    assert by_version.revision_id == version.revision_id
    assert by_version.origin == ExecutionOrigin(version.arn, None)
    by_alias = resolve_target(store.versions, arn, "live", "run")
    assert by_alias.origin == ExecutionOrigin(version.arn, f"{arn}:live")
    with pytest.raises(StateMachineDoesNotExistError) as info:
        resolve_target(store.versions, arn, "7", "run")
    assert str(info.value) == f"State Machine Does Not Exist: '{arn}:7'"
