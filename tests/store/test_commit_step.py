"""commit_step: one reducer step written atomically — all of it or none of it."""

from __future__ import annotations

import pytest

from ferry.store.errors import ExecutionDoesNotExistError, LeaseLostError, StoreConflictError
from ferry.store.records import NewToken, StepCommit
from ferry.store.sql_store import SqlStore
from store.builders import event, new_execution


def _start(store: SqlStore) -> str:
    record, _ = store.executions.create(new_execution("run-1"))
    return record.arn


def _all_events(store: SqlStore, arn: str) -> list[int]:
    return [e["id"] for e in store.history.read(arn, max_results=1000).items]


def test_commit_writes_state_events_timers_and_tokens(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(
        arn,
        StepCommit(
            state='{"v":1}',
            now=1001.0,
            events=[event(1, "ExecutionStarted"), event(2), event(3, "WaitStateEntered")],
            timers_added=[(7, 1060.0)],
            tokens_issued=[NewToken("tok-1", arn, task_id=4, issued=1001.0)],
        ),
    )
    assert store.executions.state(arn) == '{"v":1}'
    assert _all_events(store, arn) == [1, 2, 3]
    assert [(t.timer_id, t.due) for t in store.timers.due(now=2000.0)] == [(7, 1060.0)]
    token = store.tokens.find("tok-1")
    assert token is not None
    assert (token.execution_arn, token.task_id, token.settled) == (arn, 4, None)


def test_commit_removes_timers_and_settles_tokens(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(
        arn,
        StepCommit(
            state="{}",
            now=1.0,
            timers_added=[(1, 50.0), (2, 60.0)],
            tokens_issued=[NewToken("tok-1", arn, 1, 1.0)],
        ),
    )
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=2.0, timers_removed=[1], tokens_settled=["tok-1"])
    )
    assert [t.timer_id for t in store.timers.due(now=100.0)] == [2]
    settled = store.tokens.find("tok-1")
    assert settled is not None
    assert settled.settled == 2.0


def test_terminal_commit_records_outcome_and_drops_timers(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(arn, StepCommit(state="{}", now=1.0, timers_added=[(1, 50.0)]))
    store.executions.commit_step(
        arn,
        StepCommit(
            state='{"done":true}',
            now=3.0,
            status="SUCCEEDED",
            output='{"result":42}',
            stop_date=3.0,
            events=[event(1, "ExecutionSucceeded")],
        ),
    )
    record = store.executions.describe(arn)
    assert record is not None
    assert (record.status, record.output, record.stop_date) == ("SUCCEEDED", '{"result":42}', 3.0)
    assert store.timers.due(now=100.0) == []


def test_failed_commit_leaves_nothing_half_written(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(
        arn, StepCommit(state='{"v":1}', now=1.0, events=[event(1), event(2)])
    )
    # Event 2 again, after a new event 3: the duplicate must sink the whole step.
    doomed = StepCommit(
        state='{"v":2}',
        now=2.0,
        status="FAILED",
        error="E",
        cause="C",
        stop_date=2.0,
        events=[event(3), event(2)],
        timers_added=[(9, 10.0)],
        tokens_issued=[NewToken("tok-9", arn, 9, 2.0)],
    )
    with pytest.raises(StoreConflictError):
        store.executions.commit_step(arn, doomed)
    record = store.executions.describe(arn)
    assert record is not None
    assert (record.status, record.error, record.stop_date) == ("RUNNING", None, None)
    assert store.executions.state(arn) == '{"v":1}'
    assert _all_events(store, arn) == [1, 2]
    assert store.timers.due(now=100.0) == []
    assert store.tokens.find("tok-9") is None
    # The store is still usable after the rollback.
    store.executions.commit_step(arn, StepCommit(state='{"v":3}', now=3.0, events=[event(3)]))
    assert _all_events(store, arn) == [1, 2, 3]


def test_commit_to_missing_execution(store: SqlStore) -> None:
    with pytest.raises(ExecutionDoesNotExistError):
        store.executions.commit_step("arn:nope", StepCommit(state="{}", now=1.0))


def test_commit_with_owner_requires_the_lease(store: SqlStore) -> None:
    arn = _start(store)
    assert store.leases.acquire("a", now=0.0, lease_seconds=30.0) == [arn]
    store.executions.commit_step(arn, StepCommit(state='{"by":"a"}', now=1.0, owner="a"))
    with pytest.raises(LeaseLostError):
        store.executions.commit_step(
            arn, StepCommit(state='{"by":"b"}', now=2.0, owner="b", events=[event(1)])
        )
    assert store.executions.state(arn) == '{"by":"a"}'
    assert _all_events(store, arn) == []


def test_closing_commit_releases_the_lease(store: SqlStore) -> None:
    arn = _start(store)
    store.leases.acquire("a", now=0.0, lease_seconds=30.0)
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=1.0, status="ABORTED", stop_date=1.0, owner="a")
    )
    assert store.leases.holder(arn) is None
    assert store.leases.renew("a", now=2.0, lease_seconds=30.0) == []


def test_event_body_round_trips(store: SqlStore) -> None:
    arn = _start(store)
    rich = {
        "timestamp": 1000.5,
        "type": "TaskSucceeded",
        "id": 1,
        "previousEventId": 0,
        "taskSucceededEventDetails": {"output": '{"name":"Zoë ✓"}', "outputDetails": {}},
    }
    store.executions.commit_step(arn, StepCommit(state="{}", now=1.0, events=[rich]))
    assert store.history.read(arn).items == [rich]
