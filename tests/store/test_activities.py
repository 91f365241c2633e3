"""Activities and their tasks, on both backends: CRUD, paging, and GetActivityTask's claim.

AWS (CreateActivity): "CreateActivity's idempotency check is based on the activity name. If a
following request has different tags values, Step Functions will ignore these differences".
A task goes to one worker only, and a task whose token has settled or whose execution has
closed is never handed out.
"""

from __future__ import annotations

import json
import threading

from ferry.store import open_store
from ferry.store.activities import ACTIVITY_STARTED
from ferry.store.records import (
    ActivityTask,
    NewActivity,
    NewActivityTask,
    NewToken,
    StepCommit,
)
from ferry.store.sql_store import SqlStore
from store.builders import ACCOUNT, new_execution

WORK = f"{ACCOUNT}:activity:Work"
OTHER = f"{ACCOUNT}:activity:Other"


def _activity(name: str, **tags: str) -> NewActivity:
    return NewActivity(f"{ACCOUNT}:activity:{name}", name, tags)


def _schedule(
    store: SqlStore, arn: str, tasks: list[tuple[str, str, int]], now: float = 10.0
) -> None:
    """Commit a step scheduling ``(token, activity, task_id)`` tasks, each token issued."""
    store.executions.commit_step(
        arn,
        StepCommit(
            state="{}",
            now=now,
            tokens_issued=[NewToken(token, arn, task_id, now) for token, _, task_id in tasks],
            activity_tasks=[
                NewActivityTask(token, activity, task_id, json.dumps({"n": task_id}))
                for token, activity, task_id in tasks
            ],
        ),
    )


def _start(store: SqlStore, name: str = "run-1") -> str:
    record, _ = store.executions.create(new_execution(name))
    return record.arn


def test_create_describe_and_idempotent_create(store: SqlStore) -> None:
    created = store.activities.create(_activity("Work", team="a"), now=5.0)
    assert (created.arn, created.name, created.tags, created.created) == (
        WORK, "Work", {"team": "a"}, 5.0,
    )  # fmt: skip
    again = store.activities.create(_activity("Work", team="b"), now=9.0)
    assert again == created  # same name: the first one, tags and creation date unchanged
    assert store.activities.describe(WORK) == created
    assert store.activities.describe(OTHER) is None


def test_delete(store: SqlStore) -> None:
    store.activities.create(_activity("Work"), now=1.0)
    assert store.activities.delete(WORK) is True
    assert store.activities.describe(WORK) is None
    assert store.activities.delete(WORK) is False


def test_list_in_name_order_with_paging(store: SqlStore) -> None:
    for name in ("c", "a", "d", "b", "e"):
        store.activities.create(_activity(name), now=1.0)
    first = store.activities.list(max_results=2)
    assert [a.name for a in first.items] == ["a", "b"]
    assert first.next_token is not None
    second = store.activities.list(max_results=2, next_token=first.next_token)
    assert [a.name for a in second.items] == ["c", "d"]
    last = store.activities.list(max_results=2, next_token=second.next_token)
    assert [a.name for a in last.items] == ["e"]
    assert last.next_token is None


def test_claim_hands_out_oldest_first_once_and_signals_the_execution(store: SqlStore) -> None:
    arn = _start(store)
    _schedule(store, arn, [("tok-2", WORK, 2)], now=20.0)
    _schedule(store, arn, [("tok-1", WORK, 1), ("tok-x", OTHER, 3)], now=10.0)
    first = store.activities.claim(WORK, "worker-a", now=30.0)
    assert first == ActivityTask("tok-1", WORK, arn, 1, '{"n": 1}', 10.0)
    second = store.activities.claim(WORK, None, now=31.0)
    assert second is not None
    assert second.token == "tok-2"
    assert store.activities.claim(WORK, "worker-a", now=32.0) is None  # OTHER's stays
    signals = store.signals.pending([arn])
    assert [(s.kind, json.loads(s.payload), s.created) for s in signals] == [
        (ACTIVITY_STARTED, {"task_id": 1, "worker": "worker-a"}, 30.0),
        (ACTIVITY_STARTED, {"task_id": 2, "worker": None}, 31.0),
    ]


def test_settled_token_is_never_handed_out(store: SqlStore) -> None:
    arn = _start(store)
    _schedule(store, arn, [("tok-1", WORK, 1), ("tok-2", WORK, 2)])
    # The task timed out (or was answered): its step settles the token.
    store.executions.commit_step(arn, StepCommit(state="{}", now=11.0, tokens_settled=["tok-1"]))
    claimed = store.activities.claim(WORK, "w", now=12.0)
    assert claimed is not None
    assert claimed.token == "tok-2"
    assert store.activities.claim(WORK, "w", now=13.0) is None


def test_tasks_of_a_closed_execution_are_never_handed_out(store: SqlStore) -> None:
    arn = _start(store)
    _schedule(store, arn, [("tok-1", WORK, 1)])
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=11.0, status="ABORTED", stop_date=11.0)
    )
    assert store.activities.claim(WORK, "w", now=12.0) is None
    assert store.signals.pending([arn]) == []


def test_redrive_step_schedules_activity_tasks(store: SqlStore) -> None:
    arn = _start(store)
    store.executions.commit_step(
        arn, StepCommit(state="{}", now=2.0, status="FAILED", error="E", stop_date=2.0)
    )
    step = StepCommit(
        state="{}",
        now=3.0,
        tokens_issued=[NewToken("tok-r", arn, 7, 3.0)],
        activity_tasks=[NewActivityTask("tok-r", WORK, 7, "{}")],
    )
    store.executions.redrive(arn, "{}", 3.0, step)
    claimed = store.activities.claim(WORK, "w", now=4.0)
    assert claimed is not None
    assert (claimed.token, claimed.task_id) == ("tok-r", 7)


def test_concurrent_claims_hand_each_task_to_one_worker(store: SqlStore, store_url: str) -> None:
    arn = _start(store)
    tasks = [(f"tok-{i:02}", WORK, i) for i in range(40)]
    _schedule(store, arn, tasks)
    # Two more connections: on PostgreSQL these are separate sessions racing on row locks.
    others = [open_store(store_url), open_store(store_url)]
    taken: list[list[str]] = [[], []]

    def drain(index: int) -> None:
        while (task := others[index].activities.claim(WORK, f"w{index}", now=20.0)) is not None:
            taken[index].append(task.token)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for other in others:
            other.close()
    everything = taken[0] + taken[1]
    assert sorted(everything) == [token for token, _, _ in tasks]  # each exactly once
    assert len(store.signals.pending([arn], limit=100)) == 40


def test_tasks_go_with_their_execution(store: SqlStore) -> None:
    arn = _start(store)
    _schedule(store, arn, [("tok-1", WORK, 1)])
    # The store has no API to delete executions; the schema still must not orphan tasks.
    with store._db.transaction() as tx:
        tx.execute("DELETE FROM executions WHERE arn = ?", (arn,))
        assert tx.one("SELECT COUNT(*) FROM activity_tasks") == (0,)
