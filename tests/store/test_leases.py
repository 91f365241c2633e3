"""Leases: one owner per RUNNING execution; expired leases are taken over. Times are explicit."""

from __future__ import annotations

import threading

from ferry.store import open_store
from ferry.store.records import StepCommit
from ferry.store.sql_store import SqlStore
from store.builders import new_execution


def _start(store: SqlStore, count: int) -> list[str]:
    return [
        store.executions.create(new_execution(f"run-{i}", start=1000.0 + i))[0].arn
        for i in range(count)
    ]


def test_only_one_owner_gets_an_execution(store: SqlStore) -> None:
    (arn,) = _start(store, 1)
    assert store.leases.acquire("a", now=0.0, lease_seconds=30.0) == [arn]
    assert store.leases.acquire("b", now=1.0, lease_seconds=30.0) == []
    assert store.leases.holder(arn) == ("a", 30.0)


def test_owners_split_the_work(store: SqlStore) -> None:
    arns = _start(store, 5)
    first = store.leases.acquire("a", now=0.0, lease_seconds=30.0, limit=3)
    second = store.leases.acquire("b", now=0.0, lease_seconds=30.0, limit=3)
    assert first == arns[:3]  # oldest first
    assert second == arns[3:]
    assert not set(first) & set(second)


def test_expired_lease_is_taken_over(store: SqlStore) -> None:
    (arn,) = _start(store, 1)
    store.leases.acquire("dead", now=0.0, lease_seconds=30.0)
    assert store.leases.acquire("b", now=30.0, lease_seconds=30.0) == []  # not yet expired
    assert store.leases.acquire("b", now=30.5, lease_seconds=30.0) == [arn]
    assert store.leases.holder(arn) == ("b", 60.5)
    # The old owner learns it lost the execution when it renews.
    assert store.leases.renew("dead", now=31.0, lease_seconds=30.0) == []


def test_renew_keeps_the_lease(store: SqlStore) -> None:
    (arn,) = _start(store, 1)
    store.leases.acquire("a", now=0.0, lease_seconds=30.0)
    assert store.leases.renew("a", now=25.0, lease_seconds=30.0) == [arn]
    assert store.leases.acquire("b", now=40.0, lease_seconds=30.0) == []  # renewed to 55
    assert store.leases.acquire("b", now=56.0, lease_seconds=30.0) == [arn]


def test_release(store: SqlStore) -> None:
    arns = _start(store, 3)
    store.leases.acquire("a", now=0.0, lease_seconds=30.0)
    assert store.leases.release("a", [arns[0]]) == 1
    assert store.leases.holder(arns[0]) is None
    assert store.leases.acquire("b", now=1.0, lease_seconds=30.0) == [arns[0]]
    assert store.leases.release("a") == 2
    assert store.leases.acquire("b", now=1.0, lease_seconds=30.0) == arns[1:]


def test_closed_executions_are_never_leased(store: SqlStore) -> None:
    (arn,) = _start(store, 1)
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=1.0, status="SUCCEEDED", output="{}", stop_date=1.0)
    )
    assert store.leases.acquire("a", now=2.0, lease_seconds=30.0) == []


def test_limit(store: SqlStore) -> None:
    _start(store, 4)
    assert len(store.leases.acquire("a", now=0.0, lease_seconds=30.0, limit=2)) == 2
    assert len(store.leases.acquire("a", now=0.0, lease_seconds=30.0, limit=10)) == 2


def test_concurrent_owners_in_threads_take_disjoint_sets(store: SqlStore) -> None:
    arns = _start(store, 20)
    results: dict[str, list[str]] = {}

    def grab(owner: str) -> None:
        results[owner] = store.leases.acquire(owner, now=0.0, lease_seconds=30.0, limit=3)

    threads = [threading.Thread(target=grab, args=(f"o{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [arn for got in results.values() for arn in got]
    assert len(taken) == len(set(taken)) == 20
    assert set(taken) == set(arns)


def test_postgres_grab_skips_rows_another_process_has_locked(pg_schema_url: str) -> None:
    first, second = open_store(pg_schema_url), open_store(pg_schema_url)
    assert isinstance(first, SqlStore)
    try:
        arns = _start(first, 3)
        # The first connection holds a row lock (as its own grab would, mid-transaction);
        # the second must skip that row instead of waiting for it.
        with first._db.transaction() as tx:
            tx.rows("SELECT arn FROM executions WHERE arn = ? FOR UPDATE", (arns[0],))
            got = second.leases.acquire("b", now=0.0, lease_seconds=30.0)
        assert got == arns[1:]
        assert first.leases.acquire("a", now=0.0, lease_seconds=30.0) == [arns[0]]
    finally:
        first.close()
        second.close()


def test_claim_takes_one_execution_unless_another_owner_holds_it(store: SqlStore) -> None:
    first, second = _start(store, 2)
    assert store.leases.claim("a", first, now=0.0, lease_seconds=30.0) is True
    assert store.leases.holder(first) == ("a", 30.0)
    assert store.leases.holder(second) is None  # only the named execution was taken
    assert store.leases.claim("b", first, now=10.0, lease_seconds=30.0) is False
    assert store.leases.claim("a", first, now=10.0, lease_seconds=30.0) is True  # own: renews
    assert store.leases.holder(first) == ("a", 40.0)
    assert store.leases.claim("b", first, now=41.0, lease_seconds=30.0) is True  # expired
