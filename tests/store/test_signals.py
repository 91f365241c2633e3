"""Execution signals: push, read an execution's or an owner's inbox, schema migration 0002."""

from __future__ import annotations

import pytest

from ferry.store import open_store
from ferry.store.errors import ExecutionDoesNotExistError, ExecutionNotRunningError
from ferry.store.executions import SqlExecutionStore
from ferry.store.migrate import load_migrations, migrate
from ferry.store.records import Signal, StepCommit
from ferry.store.sql_store import SqlStore
from ferry.store.urls import open_database
from store.builders import new_execution

STOP = '{"error":"E","cause":"C"}'


def _start(store: SqlStore, name: str, start: float = 1000.0) -> str:
    record, _ = store.executions.create(new_execution(name, start=start))
    return record.arn


def _kinds(signals: list[Signal]) -> list[tuple[str, str]]:
    return [(s.execution_arn.rsplit(":", 1)[1], s.kind) for s in signals]


def test_push_then_pending_oldest_first(store: SqlStore) -> None:
    arn = _start(store, "run-1")
    success = '{"task_id":3,"output":"{\\"name\\":\\"Zoë ✓\\"}"}'
    first = store.signals.push(arn, "task_heartbeat", '{"task_id":3}', now=1001.0)
    second = store.signals.push(arn, "task_success", success, now=1002.0)
    assert second > first
    assert store.signals.pending([arn]) == [
        Signal(first, arn, "task_heartbeat", '{"task_id":3}', 1001.0),
        Signal(second, arn, "task_success", success, 1002.0),
    ]


def test_pending_only_for_the_given_executions(store: SqlStore) -> None:
    a, b, c = (_start(store, name) for name in ("a", "b", "c"))
    for arn, kind in [(a, "stop"), (b, "stop"), (c, "stop"), (a, "task_heartbeat")]:
        store.signals.push(arn, kind, "{}", now=1.0)
    assert _kinds(store.signals.pending([a, c])) == [
        ("a", "stop"),
        ("c", "stop"),
        ("a", "task_heartbeat"),
    ]
    assert _kinds(store.signals.pending([a, c], limit=2)) == [("a", "stop"), ("c", "stop")]
    assert store.signals.pending([]) == []
    assert store.signals.pending(["arn:unknown"]) == []


def test_pending_over_many_executions_keeps_global_order_and_limit(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two executions per query, so five executions take three queries to read.
    monkeypatch.setattr("ferry.store.signals._ARNS_PER_QUERY", 2)
    arns = [_start(store, f"r{i}") for i in range(5)]
    for arn in reversed(arns):
        store.signals.push(arn, "stop", STOP, now=1.0)
    pending = store.signals.pending(arns, limit=4)
    assert [s.execution_arn for s in pending] == [arns[4], arns[3], arns[2], arns[1]]


def test_push_to_missing_execution(store: SqlStore) -> None:
    with pytest.raises(ExecutionDoesNotExistError, match="arn:nope"):
        store.signals.push("arn:nope", "stop", STOP, now=1.0)


def test_push_to_closed_execution_is_refused(store: SqlStore) -> None:
    arn = _start(store, "run-1")
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=2.0, status="SUCCEEDED", output="{}", stop_date=2.0)
    )
    with pytest.raises(ExecutionNotRunningError, match="SUCCEEDED"):
        store.signals.push(arn, "stop", STOP, now=3.0)
    assert store.signals.pending([arn]) == []


def test_pending_for_owner_sees_only_its_leased_executions(store: SqlStore) -> None:
    mine = _start(store, "mine", start=1.0)
    theirs = _start(store, "theirs", start=2.0)
    unowned = _start(store, "unowned", start=3.0)
    assert store.leases.acquire("a", now=0.0, lease_seconds=30.0, limit=1) == [mine]
    assert store.leases.acquire("b", now=0.0, lease_seconds=30.0, limit=1) == [theirs]
    for arn in (theirs, mine, unowned, mine):
        store.signals.push(arn, "stop", STOP, now=1.0)
    assert _kinds(store.signals.pending_for_owner("a")) == [("mine", "stop"), ("mine", "stop")]
    assert len(store.signals.pending_for_owner("a", limit=1)) == 1
    assert _kinds(store.signals.pending_for_owner("b")) == [("theirs", "stop")]
    store.leases.release("a")
    assert store.signals.pending_for_owner("a") == []
    assert len(store.signals.pending([mine])) == 2  # released, not consumed


def test_signals_go_with_a_deleted_execution(store: SqlStore) -> None:
    arn = _start(store, "run-1")
    store.signals.push(arn, "stop", STOP, now=1.0)
    # The store has no API to delete executions; the schema still must not orphan signals.
    with store._db.transaction() as tx:
        tx.execute("DELETE FROM executions WHERE arn = ?", (arn,))
        assert tx.one("SELECT COUNT(*) FROM execution_signals") == (0,)


def test_migration_0002_upgrades_a_version_1_store(store_url: str) -> None:
    db = open_database(store_url)
    assert migrate(db, load_migrations(db.dialect.name)[:1]) == 1
    record, _ = SqlExecutionStore(db).create(new_execution("old"))
    db.close()
    store = open_store(store_url)
    try:
        assert store.schema_version >= 2
        signal_id = store.signals.push(record.arn, "stop", STOP, now=5.0)
        assert store.signals.pending([record.arn]) == [
            Signal(signal_id, record.arn, "stop", STOP, 5.0)
        ]
    finally:
        store.close()
