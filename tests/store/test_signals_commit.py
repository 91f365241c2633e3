"""Signals consumed by commit_step: gone exactly when the step they caused is committed."""

from __future__ import annotations

import threading
import time

import pytest

from ferry.store import open_store
from ferry.store.errors import ExecutionNotRunningError, LeaseLostError, StoreConflictError
from ferry.store.records import StepCommit
from ferry.store.sql_store import SqlStore
from store.builders import event, new_execution

STOP = '{"error":"E","cause":"C"}'


def _start(store: SqlStore, name: str = "run-1") -> str:
    record, _ = store.executions.create(new_execution(name))
    return record.arn


def _pending_ids(store: SqlStore, arn: str) -> list[int]:
    return [signal.id for signal in store.signals.pending([arn])]


def test_commit_consumes_only_the_listed_signals(store: SqlStore) -> None:
    arn = _start(store)
    beat, stop = (store.signals.push(arn, k, "{}", now=1.0) for k in ("task_heartbeat", "stop"))
    store.executions.commit_step(arn, StepCommit(state='{"v":1}', now=2.0, signals_consumed=[beat]))
    assert _pending_ids(store, arn) == [stop]


def test_commit_cannot_consume_another_executions_signal(store: SqlStore) -> None:
    arn, other = _start(store, "a"), _start(store, "b")
    foreign = store.signals.push(other, "stop", STOP, now=1.0)
    store.executions.commit_step(arn, StepCommit(state="{}", now=2.0, signals_consumed=[foreign]))
    assert _pending_ids(store, other) == [foreign]


def test_failed_commit_keeps_the_signal(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(arn, StepCommit(state='{"v":1}', now=1.0, events=[event(1)]))
    stop = store.signals.push(arn, "stop", STOP, now=2.0)
    # The duplicate event 1 sinks the step, and with it the signal's consumption.
    doomed = StepCommit(
        state='{"v":2}',
        now=3.0,
        status="ABORTED",
        error="E",
        cause="C",
        stop_date=3.0,
        events=[event(2), event(1)],
        signals_consumed=[stop],
    )
    with pytest.raises(StoreConflictError):
        store.executions.commit_step(arn, doomed)
    assert _pending_ids(store, arn) == [stop]
    assert store.executions.state(arn) == '{"v":1}'


def test_commit_by_a_former_owner_keeps_the_signal(store: SqlStore) -> None:
    arn = _start(store)
    store.leases.acquire("a", now=0.0, lease_seconds=10.0)
    stop = store.signals.push(arn, "stop", STOP, now=1.0)
    # "a" read the signal, then its lease lapsed and "b" took the execution over.
    assert store.leases.acquire("b", now=20.0, lease_seconds=10.0) == [arn]
    with pytest.raises(LeaseLostError):
        store.executions.commit_step(
            arn, StepCommit(state="{}", now=21.0, owner="a", signals_consumed=[stop])
        )
    assert [s.id for s in store.signals.pending_for_owner("b")] == [stop]


def test_closing_commit_drops_all_pending_signals(store: SqlStore) -> None:
    arn = _start(store)
    stop = store.signals.push(arn, "stop", STOP, now=1.0)
    late = store.signals.push(arn, "task_heartbeat", '{"task_id":1}', now=1.5)
    store.executions.commit_step(
        arn,
        StepCommit(
            state="{}", now=2.0, status="ABORTED", error="E", cause="C", stop_date=2.0,
            signals_consumed=[stop],
        ),
    )  # fmt: skip
    assert late not in _pending_ids(store, arn)
    # A redrive starts with an empty inbox: the old stop cannot abort it again.
    store.executions.redrive(arn, state='{"v":"redriven"}', now=3.0)
    assert _pending_ids(store, arn) == []
    assert store.signals.push(arn, "stop", STOP, now=4.0) > late


def test_ids_are_never_reused_after_consumption(store: SqlStore) -> None:
    arn = _start(store)
    first = store.signals.push(arn, "stop", STOP, now=1.0)
    newest = store.signals.push(arn, "stop", STOP, now=1.0)
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=2.0, signals_consumed=[first, newest])
    )
    # Deleting the highest id must not hand it out again (SQLite needs AUTOINCREMENT for it).
    assert store.signals.push(arn, "stop", STOP, now=3.0) > newest


def _wait_until_blocked(watcher: SqlStore, pid: int) -> None:
    """Poll until backend ``pid`` waits on a lock (no assertion on how long it takes)."""
    deadline = time.monotonic() + 30.0
    while time.monotonic() < deadline:
        with watcher._db.transaction(write=False) as tx:
            row = tx.one("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?", (pid,))
        if row == ("Lock",):
            return
        time.sleep(0.01)
    pytest.fail("the push never waited on the closing step's row lock")


def test_push_racing_a_closing_step_leaves_no_signal(pg_schema_url: str) -> None:
    """PostgreSQL: a push that reads RUNNING while the close is uncommitted must not land."""
    closer, pusher, watcher = (open_store(pg_schema_url) for _ in range(3))
    assert isinstance(closer, SqlStore)
    assert isinstance(pusher, SqlStore)
    assert isinstance(watcher, SqlStore)
    try:
        arn = _start(closer)
        with pusher._db.transaction(write=False) as tx:
            pid = tx.one("SELECT pg_backend_pid()")
        assert pid is not None
        outcome: list[BaseException | int] = []

        def push() -> None:
            try:
                outcome.append(pusher.signals.push(arn, "stop", STOP, now=2.0))
            except ExecutionNotRunningError as exc:
                outcome.append(exc)

        with closer._db.transaction() as tx:
            # The closing step's own writes, held uncommitted while the push arrives.
            tx.execute("UPDATE executions SET status = 'SUCCEEDED' WHERE arn = ?", (arn,))
            thread = threading.Thread(target=push)
            thread.start()
            _wait_until_blocked(watcher, int(pid[0]))
            tx.execute("DELETE FROM execution_signals WHERE execution_arn = ?", (arn,))
        thread.join()
        assert len(outcome) == 1
        assert isinstance(outcome[0], ExecutionNotRunningError)
        assert watcher.signals.pending([arn]) == []
    finally:
        for store in (closer, pusher, watcher):
            store.close()
