"""Executions: start (idempotent by name), describe, list, commit a step, redrive.

:meth:`SqlExecutionStore.commit_step` is the durable runner's one write per reducer call: the
state blob, the status, the new history events, timers, task tokens and the signals the step
consumed, all in ONE transaction, so a crash leaves either the whole step or none of it.
"""

from __future__ import annotations

from ferry.store.activities import write_activity_tasks
from ferry.store.db import Database, Row, Tx, fetch_one, fetch_rows
from ferry.store.errors import (
    ExecutionAlreadyExistsError,
    ExecutionDoesNotExistError,
    ExecutionNotRedrivableError,
    LeaseLostError,
)
from ferry.store.history import INSERT_EVENT, event_rows
from ferry.store.paging import decode_token, encode_token, page_size
from ferry.store.records import (
    ExecutionRecord,
    ExecutionStatus,
    NewExecution,
    Page,
    RedriveFilter,
    StepCommit,
)

# Column lists are spelled out in each statement: the SQL stays literal, values are bound.
_SELECT = (
    "SELECT arn, machine_arn, name, revision_id, input, status, output, error, cause, "
    "start_date, stop_date, redrive_count, redrive_date FROM executions "
)
_REDRIVE = (
    "UPDATE executions SET status = 'RUNNING', state = ?, output = NULL, error = NULL, "
    "cause = NULL, stop_date = NULL, redrive_count = redrive_count + 1, redrive_date = ?, "
    "owner = NULL, lease_until = NULL WHERE arn = ? AND status IN (?, ?, ?) "
    "RETURNING arn, machine_arn, name, revision_id, input, status, output, error, cause, "
    "start_date, stop_date, redrive_count, redrive_date"
)
REDRIVABLE: tuple[ExecutionStatus, ...] = ("FAILED", "ABORTED", "TIMED_OUT")

_STEP = (
    "UPDATE executions SET state = ?, status = ?, output = ?, error = ?, cause = ?, "
    "stop_date = ? WHERE arn = ?"
)
# A closed execution gives up its lease in the same statement.
_CLOSE_STEP = (
    "UPDATE executions SET state = ?, status = ?, output = ?, error = ?, cause = ?, "
    "stop_date = ?, owner = NULL, lease_until = NULL WHERE arn = ?"
)
_UPSERT_TIMER = (
    "INSERT INTO timers (execution_arn, timer_id, due) VALUES (?, ?, ?) "
    "ON CONFLICT (execution_arn, timer_id) DO UPDATE SET due = excluded.due"
)
_ISSUE = (
    "INSERT INTO task_tokens (token, execution_arn, task_id, issued, heartbeat_seconds, "
    "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)"
)


def _record(row: Row) -> ExecutionRecord:
    return ExecutionRecord(*row)


class SqlExecutionStore:
    """Executions in the ``executions`` table (history, timers and tokens hang off it)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, execution: NewExecution) -> tuple[ExecutionRecord, bool]:
        """Start an execution; return it and whether this call created it.

        AWS (StartExecution): "If StartExecution is called with the same name and input as a
        running execution, the call succeeds and return the same response as the original
        request. If the execution is closed or if the input is different, it returns a 400
        ExecutionAlreadyExists error."

        Raises:
            ExecutionAlreadyExistsError: The name is taken by a closed execution or another input.
        """
        e = execution
        with self._db.transaction() as tx:
            created = tx.execute(
                "INSERT INTO executions (arn, machine_arn, name, revision_id, input, status, "
                "start_date, state) VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?) ON CONFLICT DO NOTHING",
                (e.arn, e.machine_arn, e.name, e.revision_id, e.input, e.start_date, e.state),
            )
            row = tx.one(
                _SELECT + "WHERE machine_arn = ? AND name = ?",
                (e.machine_arn, e.name),
            )
        assert row is not None
        existing = _record(row)
        if not created and (existing.status != "RUNNING" or existing.input != e.input):
            raise ExecutionAlreadyExistsError(f"Execution Already Exists: '{existing.arn}'")
        return existing, bool(created)

    def describe(self, arn: str) -> ExecutionRecord | None:
        """The execution, or None."""
        row = fetch_one(self._db, _SELECT + "WHERE arn = ?", (arn,))
        return None if row is None else _record(row)

    def state(self, arn: str) -> str | None:
        """The execution-state blob last committed, or None."""
        row = fetch_one(self._db, "SELECT state FROM executions WHERE arn = ?", (arn,))
        return None if row is None else str(row[0])

    def list(
        self,
        machine_arn: str,
        *,
        status: ExecutionStatus | None = None,
        redrive: RedriveFilter | None = None,
        max_results: int = 0,
        next_token: str | None = None,
    ) -> Page[ExecutionRecord]:
        """One page of a machine's executions, newest first (as ListExecutions orders them).

        Raises:
            InvalidPageTokenError: ``next_token`` is not one this listing handed out.
        """
        where, params = ["machine_arn = ?"], [machine_arn]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if redrive is not None:
            where.append("redrive_count > 0" if redrive == "REDRIVEN" else "redrive_count = 0")
        if next_token is not None:
            start, arn = decode_token(next_token, 2)
            where.append("(start_date, arn) < (?, ?)")
            params += [start, arn]
        size = page_size(max_results)
        rows = fetch_rows(
            self._db,
            # Only constant fragments are joined; every value is a bound parameter.
            f"{_SELECT}WHERE {' AND '.join(where)} ORDER BY start_date DESC, arn DESC LIMIT ?",
            (*params, size + 1),
        )
        items = [_record(row) for row in rows[:size]]
        last = items[-1] if len(rows) > size else None
        return Page(items, None if last is None else encode_token([last.start_date, last.arn]))

    def commit_step(self, arn: str, commit: StepCommit) -> None:
        """Write one reducer step atomically (see :class:`StepCommit`).

        A closed execution loses its lease, its pending timers and its pending signals with
        the same commit.

        Raises:
            ExecutionDoesNotExistError: No execution has this ARN.
            LeaseLostError: ``commit.owner`` is set and another owner holds the execution.
            StoreConflictError: An event id was already written; nothing was committed.
        """
        with self._db.transaction() as tx:
            self._update_row(tx, arn, commit)
            if commit.events:
                tx.many(INSERT_EVENT, event_rows(arn, commit.events))
            _write_timers(tx, arn, commit)
            _write_tokens(tx, arn, commit)
            write_activity_tasks(tx, arn, commit)
            _consume_signals(tx, arn, commit)

    def _update_row(self, tx: Tx, arn: str, commit: StepCommit) -> None:
        closed = commit.status != "RUNNING"
        sql = _CLOSE_STEP if closed else _STEP
        params: list[object] = [
            commit.state, commit.status, commit.output, commit.error, commit.cause,
            commit.stop_date, arn,
        ]  # fmt: skip
        if commit.owner is not None:
            sql += " AND owner = ?"
            params.append(commit.owner)
        if tx.execute(sql, params) == 0:
            _raise_missing_or_lost(tx, arn, commit.owner)

    def redrive(
        self, arn: str, state: str, now: float, step: StepCommit | None = None
    ) -> ExecutionRecord:
        """Reopen a FAILED/ABORTED/TIMED_OUT execution with a new state blob.

        It keeps its ARN and input; ``redrive_count`` goes up by one and ``redrive_date`` is
        ``now`` (AWS RedriveExecution). ``step``, when given, is the redrive's first reducer
        step (ExecutionRedriven and what follows): its events, timers and tokens are written in
        the same transaction, so a crash cannot leave a reopened execution without them.

        Raises:
            ExecutionDoesNotExistError: No execution has this ARN.
            ExecutionNotRedrivableError: The execution is RUNNING or SUCCEEDED.
        """
        with self._db.transaction() as tx:
            row = tx.one(
                _REDRIVE,
                (state, now, arn, *REDRIVABLE),
            )
            if row is None:
                current = tx.one("SELECT status FROM executions WHERE arn = ?", (arn,))
                if current is None:
                    raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{arn}'")
                raise ExecutionNotRedrivableError(
                    f"Execution is {current[0]} and cannot be redriven: '{arn}'"
                )
            if step is not None:
                if step.status != "RUNNING":  # the redriven state failed again at once
                    tx.execute(
                        _CLOSE_STEP,
                        (step.state, step.status, step.output, step.error, step.cause,
                         step.stop_date, arn),
                    )  # fmt: skip
                    closed = tx.one(_SELECT + "WHERE arn = ?", (arn,))
                    assert closed is not None  # the row was updated just above
                    row = closed
                if step.events:
                    tx.many(INSERT_EVENT, event_rows(arn, step.events))
                _write_timers(tx, arn, step)
                _write_tokens(tx, arn, step)
                write_activity_tasks(tx, arn, step)
        return _record(row)


def _write_timers(tx: Tx, arn: str, commit: StepCommit) -> None:
    if commit.status != "RUNNING":
        tx.execute("DELETE FROM timers WHERE execution_arn = ?", (arn,))
        return
    if commit.timers_removed:
        tx.many(
            "DELETE FROM timers WHERE execution_arn = ? AND timer_id = ?",
            [(arn, timer_id) for timer_id in commit.timers_removed],
        )
    if commit.timers_added:
        tx.many(_UPSERT_TIMER, [(arn, timer_id, due) for timer_id, due in commit.timers_added])


def _write_tokens(tx: Tx, arn: str, commit: StepCommit) -> None:
    if commit.tokens_issued:
        tx.many(
            _ISSUE,
            [(t.token, arn, t.task_id, t.issued, t.heartbeat_seconds, t.issued)
             for t in commit.tokens_issued],
        )  # fmt: skip
    if commit.tokens_settled:
        tx.many(
            "UPDATE task_tokens SET settled = ? WHERE token = ? AND settled IS NULL",
            [(commit.now, token) for token in commit.tokens_settled],
        )


def _consume_signals(tx: Tx, arn: str, commit: StepCommit) -> None:
    # A closed execution takes no more signals (see ferry.store.signals), so the ones still
    # pending can never be handled; dropping them keeps a later redrive from seeing them.
    if commit.status != "RUNNING":
        tx.execute("DELETE FROM execution_signals WHERE execution_arn = ?", (arn,))
    elif commit.signals_consumed:
        # Scoped to this execution: a step never consumes another execution's signal.
        tx.many(
            "DELETE FROM execution_signals WHERE id = ? AND execution_arn = ?",
            [(signal_id, arn) for signal_id in commit.signals_consumed],
        )


def _raise_missing_or_lost(tx: Tx, arn: str, owner: str | None) -> None:
    row = tx.one("SELECT owner FROM executions WHERE arn = ?", (arn,))
    if row is None:
        raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{arn}'")
    raise LeaseLostError(f"execution {arn} is leased by {row[0]!r}, not by {owner!r}")
