"""Timers (due times) and task tokens."""

from __future__ import annotations

import pytest

from ferry.store.errors import StoreConflictError
from ferry.store.records import NewToken, Timer
from ferry.store.sql_store import SqlStore
from ferry.store.tokens import new_token
from store.builders import new_execution


@pytest.fixture
def arn(store: SqlStore) -> str:
    """A running execution."""
    record, _ = store.executions.create(new_execution("run-1"))
    return record.arn


def test_due_returns_only_due_timers_earliest_first(store: SqlStore, arn: str) -> None:
    store.timers.schedule(arn, 1, 300.0)
    store.timers.schedule(arn, 2, 100.0)
    store.timers.schedule(arn, 3, 200.0)
    assert store.timers.due(now=99.9) == []
    assert store.timers.due(now=200.0) == [Timer(arn, 2, 100.0), Timer(arn, 3, 200.0)]
    assert [t.timer_id for t in store.timers.due(now=1e9, limit=2)] == [2, 3]
    assert store.timers.next_due() == 100.0


def test_schedule_again_moves_the_timer(store: SqlStore, arn: str) -> None:
    store.timers.schedule(arn, 1, 100.0)
    store.timers.schedule(arn, 1, 500.0)
    assert store.timers.due(now=400.0) == []
    assert store.timers.due(now=500.0) == [Timer(arn, 1, 500.0)]


def test_delete_timer(store: SqlStore, arn: str) -> None:
    store.timers.schedule(arn, 1, 100.0)
    assert store.timers.delete(arn, 1) is True
    assert store.timers.delete(arn, 1) is False
    assert store.timers.due(now=1e9) == []
    assert store.timers.next_due() is None


def test_due_for_an_owner(store: SqlStore, arn: str) -> None:
    other, _ = store.executions.create(new_execution("run-2", start=2000.0))
    store.timers.schedule(arn, 1, 100.0)
    store.timers.schedule(other.arn, 1, 100.0)
    store.leases.acquire("me", now=0.0, lease_seconds=10.0, limit=1)  # oldest: run-1
    assert store.timers.due(now=100.0, owner="me") == [Timer(arn, 1, 100.0)]
    assert store.timers.due(now=100.0, owner="nobody") == []


def test_token_issue_find_settle(store: SqlStore, arn: str) -> None:
    store.tokens.issue(NewToken("tok", arn, task_id=3, issued=10.0, heartbeat_seconds=60.0))
    found = store.tokens.find("tok")
    assert found is not None
    assert (found.task_id, found.heartbeat_seconds, found.heartbeat_at) == (3, 60.0, 10.0)
    assert store.tokens.settle("tok", now=20.0) is True
    # A late duplicate SendTaskSuccess does not settle it twice.
    assert store.tokens.settle("tok", now=30.0) is False
    settled = store.tokens.find("tok")
    assert settled is not None
    assert settled.settled == 20.0


def test_unknown_token(store: SqlStore) -> None:
    assert store.tokens.find("nope") is None
    assert store.tokens.settle("nope", now=1.0) is False
    assert store.tokens.heartbeat("nope", now=1.0) is None


def test_heartbeat_moves_until_settled(store: SqlStore, arn: str) -> None:
    store.tokens.issue(NewToken("tok", arn, task_id=1, issued=10.0, heartbeat_seconds=5.0))
    beat = store.tokens.heartbeat("tok", now=14.0)
    assert beat is not None
    assert beat.heartbeat_at == 14.0
    store.tokens.settle("tok", now=15.0)
    assert store.tokens.heartbeat("tok", now=16.0) is None
    after = store.tokens.find("tok")
    assert after is not None
    assert after.heartbeat_at == 14.0


def test_token_issued_twice_is_a_conflict(store: SqlStore, arn: str) -> None:
    store.tokens.issue(NewToken("tok", arn, 1, 1.0))
    with pytest.raises(StoreConflictError):
        store.tokens.issue(NewToken("tok", arn, 2, 2.0))


def test_new_tokens_are_long_and_distinct() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes in URL-safe base64
