"""Activities and the tasks waiting for their workers: CreateActivity ... GetActivityTask.

An activity task is written by the ``commit_step`` of the step that scheduled it
(:func:`write_activity_tasks`), next to its task token. :meth:`SqlActivityStore.claim` hands
the oldest one to a worker and, in the same transaction, deletes it and pushes the
``activity_started`` signal (payload ``{"task_id", "worker"}``) to its execution, so a task is
handed out at most once and its ActivityStarted event cannot be lost. On PostgreSQL the pick
uses ``FOR UPDATE SKIP LOCKED``: concurrent pollers take different tasks instead of queueing
behind one row lock.

A task whose token is settled (answered, timed out) or whose execution has closed is never
handed out: the step that settles the token deletes the task, and the claim checks both again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ferry.jsontypes import dumps
from ferry.store.db import Database, Row, Tx, fetch_one, fetch_rows
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import ActivityRecord, ActivityTask, NewActivity, Page, StepCommit

ACTIVITY_STARTED = "activity_started"
"""The signal kind a claim pushes; the durable runner turns it into ActivityStarted."""

# Column lists are spelled out in each statement: the SQL stays literal, values are bound.
_SELECT = "SELECT arn, name, tags, created FROM activities "
_INSERT = (
    "INSERT INTO activities (arn, name, tags, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_TASK = (
    "INSERT INTO activity_tasks (token, activity_arn, execution_arn, task_id, input, created) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# Oldest first; the token breaks ties so the order is total.
_CLAIM = (
    "DELETE FROM activity_tasks WHERE token = ("
    "SELECT a.token FROM activity_tasks a WHERE a.activity_arn = ? "
    "AND EXISTS (SELECT 1 FROM task_tokens t WHERE t.token = a.token AND t.settled IS NULL) "
    "AND EXISTS (SELECT 1 FROM executions e WHERE e.arn = a.execution_arn "
    "AND e.status = 'RUNNING') "
    "ORDER BY a.created, a.token LIMIT 1{skip_locked}) "
    "RETURNING token, activity_arn, execution_arn, task_id, input, created"
)
_SIGNAL = (
    "INSERT INTO execution_signals (execution_arn, kind, payload, created) "
    "SELECT arn, ?, ?, ? FROM executions WHERE arn = ? AND status = 'RUNNING'"
)


def _record(row: Row) -> ActivityRecord:
    arn, name, tags, created = row
    return ActivityRecord(arn=arn, name=name, tags=json.loads(tags), created=float(created))


def _task(row: Row) -> ActivityTask:
    token, activity_arn, execution_arn, task_id, input_text, created = row
    return ActivityTask(
        token=str(token),
        activity_arn=str(activity_arn),
        execution_arn=str(execution_arn),
        task_id=int(task_id),
        input=str(input_text),
        created=float(created),
    )


class SqlActivityStore:
    """Activities in the ``activities`` table, their tasks in ``activity_tasks``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, activity: NewActivity, now: float) -> ActivityRecord:
        """Store a new activity, or return the one that already has this name.

        AWS (CreateActivity): "CreateActivity's idempotency check is based on the activity
        name. If a following request has different tags values, Step Functions will ignore
        these differences and treat it as an idempotent request of the previous."
        """
        with self._db.transaction() as tx:
            tx.execute(_INSERT, (activity.arn, activity.name, json.dumps(dict(activity.tags)), now))
            row = tx.one(_SELECT + "WHERE name = ?", (activity.name,))
        assert row is not None  # inserted, or there already
        return _record(row)

    def describe(self, arn: str) -> ActivityRecord | None:
        """The activity, or None."""
        row = fetch_one(self._db, _SELECT + "WHERE arn = ?", (arn,))
        return None if row is None else _record(row)

    def list(self, max_results: int = 0, next_token: str | None = None) -> Page[ActivityRecord]:
        """One page of activities, in name order.

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        size = page_size(max_results)
        after = "" if next_token is None else str(decode_token(next_token, 1)[0])
        rows = fetch_rows(
            self._db, _SELECT + "WHERE name > ? ORDER BY name LIMIT ?", (after, size + 1)
        )
        items = [_record(row) for row in rows[:size]]
        token = encode_token([items[-1].name]) if len(rows) > size else None
        return Page(items, token)

    def set_tags(self, arn: str, tags: Mapping[str, str]) -> bool:
        """Replace the resource's tags (TagResource/UntagResource); False if absent."""
        with self._db.transaction() as tx:
            sql = "UPDATE activities SET tags = ? WHERE arn = ?"
            return tx.execute(sql, (json.dumps(dict(tags)), arn)) > 0

    def delete(self, arn: str) -> bool:
        """Delete the activity; False if it did not exist."""
        with self._db.transaction() as tx:
            return tx.execute("DELETE FROM activities WHERE arn = ?", (arn,)) > 0

    def claim(self, activity_arn: str, worker: str | None, now: float) -> ActivityTask | None:
        """Take the oldest task waiting for ``activity_arn``, or None if there is none.

        The task leaves the table and its execution gets the ``activity_started`` signal in
        the same transaction (see the module docstring).
        """
        with self._db.transaction() as tx:
            row = tx.one(_CLAIM, (activity_arn,))
            if row is None:
                return None
            task = _task(row)
            payload = dumps({"task_id": task.task_id, "worker": worker})
            tx.execute(_SIGNAL, (ACTIVITY_STARTED, payload, now, task.execution_arn))
        return task


def write_activity_tasks(tx: Tx, arn: str, commit: StepCommit) -> None:
    """``commit_step``'s part: add the step's activity tasks, drop the ones that ended.

    Call after the step's tokens are written (a task refers to its token).
    """
    if commit.status != "RUNNING":
        tx.execute("DELETE FROM activity_tasks WHERE execution_arn = ?", (arn,))
        return
    if commit.tokens_settled:
        tx.many(
            "DELETE FROM activity_tasks WHERE token = ?",
            [(token,) for token in commit.tokens_settled],
        )
    if commit.activity_tasks:
        tx.many(
            _INSERT_TASK,
            [(t.token, t.activity_arn, arn, t.task_id, t.input, commit.now)
             for t in commit.activity_tasks],
        )  # fmt: skip
