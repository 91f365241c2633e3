"""Executions: name uniqueness, describe, list filters and paging, redrive."""

from __future__ import annotations

import pytest

from ferry.store.errors import (
    ExecutionAlreadyExistsError,
    ExecutionDoesNotExistError,
    ExecutionNotRedrivableError,
)
from ferry.store.records import StepCommit
from ferry.store.sql_store import SqlStore
from store.builders import machine_arn, new_execution


def _close(store: SqlStore, arn: str, status: str = "FAILED", at: float = 2000.0) -> None:
    store.executions.commit_step(
        arn,
        StepCommit(
            state='{"v":"closed"}',
            now=at,
            status=status,  # type: ignore[arg-type]
            error="States.TaskFailed" if status != "SUCCEEDED" else None,
            cause="boom" if status != "SUCCEEDED" else None,
            output='{"ok":1}' if status == "SUCCEEDED" else None,
            stop_date=at,
        ),
    )


def test_create_then_describe(store: SqlStore) -> None:
    record, created = store.executions.create(new_execution("run-1", '{"a":1}'))
    assert created is True
    assert store.executions.describe(record.arn) == record
    assert record.status == "RUNNING"
    assert record.input == '{"a":1}'
    assert record.start_date == 1000.0
    assert (record.stop_date, record.output, record.error, record.cause) == (None,) * 4
    assert record.redrive_count == 0
    assert store.executions.state(record.arn) == '{"v":0}'


def test_describe_missing(store: SqlStore) -> None:
    assert store.executions.describe("arn:nope") is None
    assert store.executions.state("arn:nope") is None


def test_same_name_same_input_while_running_returns_existing(store: SqlStore) -> None:
    # AWS StartExecution: same name and input as a running execution → the same response.
    first, _ = store.executions.create(new_execution("run-1", '{"a":1}'))
    again, created = store.executions.create(new_execution("run-1", '{"a":1}', start=5000.0))
    assert created is False
    assert again == first
    assert again.start_date == 1000.0


def test_same_name_different_input_is_already_exists(store: SqlStore) -> None:
    store.executions.create(new_execution("run-1", '{"a":1}'))
    with pytest.raises(ExecutionAlreadyExistsError, match="Execution Already Exists"):
        store.executions.create(new_execution("run-1", '{"a":2}'))


def test_same_name_after_close_is_already_exists(store: SqlStore) -> None:
    # AWS StartExecution: "If the execution is closed ... ExecutionAlreadyExists".
    record, _ = store.executions.create(new_execution("run-1", '{"a":1}'))
    _close(store, record.arn, "SUCCEEDED")
    with pytest.raises(ExecutionAlreadyExistsError):
        store.executions.create(new_execution("run-1", '{"a":1}'))


def test_same_name_on_another_machine_is_a_new_execution(store: SqlStore) -> None:
    store.executions.create(new_execution("run-1", machine="A"))
    _, created = store.executions.create(new_execution("run-1", machine="B"))
    assert created is True


def test_list_newest_first_with_paging(store: SqlStore) -> None:
    for i in range(5):
        store.executions.create(new_execution(f"run-{i}", start=1000.0 + i))
    # Two executions in the same second: the ARN breaks the tie, nothing is lost or repeated.
    store.executions.create(new_execution("run-tie", start=1002.0))
    seen: list[str] = []
    token: str | None = None
    while True:
        page = store.executions.list(machine_arn(), max_results=2, next_token=token)
        seen += [e.name for e in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == ["run-4", "run-3", "run-tie", "run-2", "run-1", "run-0"]


def test_list_is_per_machine(store: SqlStore) -> None:
    store.executions.create(new_execution("a", machine="A"))
    store.executions.create(new_execution("b", machine="B"))
    assert [e.name for e in store.executions.list(machine_arn("A")).items] == ["a"]


def test_list_status_filter(store: SqlStore) -> None:
    running, _ = store.executions.create(new_execution("running", start=1.0))
    failed, _ = store.executions.create(new_execution("failed", start=2.0))
    _close(store, failed.arn, "FAILED")
    listed = store.executions.list(machine_arn(), status="FAILED").items
    assert [e.name for e in listed] == ["failed"]
    assert listed[0].error == "States.TaskFailed"
    listed = store.executions.list(machine_arn(), status="RUNNING").items
    assert [e.arn for e in listed] == [running.arn]


def test_redrive_reopens_and_counts(store: SqlStore) -> None:
    record, _ = store.executions.create(new_execution("run-1", '{"a":1}'))
    _close(store, record.arn, "FAILED")
    redriven = store.executions.redrive(record.arn, '{"v":"redriven"}', now=3000.0)
    assert redriven.arn == record.arn
    assert redriven.input == '{"a":1}'
    assert redriven.status == "RUNNING"
    assert redriven.redrive_count == 1
    assert redriven.redrive_date == 3000.0
    assert (redriven.stop_date, redriven.error, redriven.cause) == (None, None, None)
    assert store.executions.state(record.arn) == '{"v":"redriven"}'
    _close(store, record.arn, "ABORTED", at=4000.0)
    assert store.executions.redrive(record.arn, "{}", now=5000.0).redrive_count == 2


def test_redrive_filter(store: SqlStore) -> None:
    plain, _ = store.executions.create(new_execution("plain", start=1.0))
    again, _ = store.executions.create(new_execution("again", start=2.0))
    _close(store, again.arn, "TIMED_OUT")
    store.executions.redrive(again.arn, "{}", now=3.0)
    redriven = store.executions.list(machine_arn(), redrive="REDRIVEN").items
    assert [e.name for e in redriven] == ["again"]
    not_redriven = store.executions.list(machine_arn(), redrive="NOT_REDRIVEN").items
    assert [e.arn for e in not_redriven] == [plain.arn]


@pytest.mark.parametrize("status", ["RUNNING", "SUCCEEDED"])
def test_redrive_refuses_running_and_succeeded(store: SqlStore, status: str) -> None:
    record, _ = store.executions.create(new_execution("run-1"))
    if status == "SUCCEEDED":
        _close(store, record.arn, "SUCCEEDED")
    with pytest.raises(ExecutionNotRedrivableError, match=status):
        store.executions.redrive(record.arn, "{}", now=1.0)
    assert store.executions.describe(record.arn).redrive_count == 0  # type: ignore[union-attr]


def test_redrive_missing(store: SqlStore) -> None:
    with pytest.raises(ExecutionDoesNotExistError):
        store.executions.redrive("arn:nope", "{}", now=1.0)
