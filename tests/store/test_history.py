"""History: appended events read back in order, reversed, and a page at a time."""

from __future__ import annotations

import pytest

from ferry.store.errors import InvalidPageTokenError, StoreConflictError
from ferry.store.sql_store import SqlStore
from store.builders import event, new_execution


@pytest.fixture
def arn(store: SqlStore) -> str:
    """An execution with events 1..7."""
    record, _ = store.executions.create(new_execution("run-1"))
    store.history.append(record.arn, [event(i) for i in range(1, 8)])
    return record.arn


def _pages(store: SqlStore, arn: str, size: int, *, reverse: bool) -> list[list[int]]:
    pages: list[list[int]] = []
    token: str | None = None
    while True:
        page = store.history.read(arn, reverse=reverse, max_results=size, next_token=token)
        pages.append([e["id"] for e in page.items])
        token = page.next_token
        if token is None:
            return pages


def test_read_in_order(store: SqlStore, arn: str) -> None:
    page = store.history.read(arn)
    assert [e["id"] for e in page.items] == [1, 2, 3, 4, 5, 6, 7]
    assert page.next_token is None


def test_read_reversed(store: SqlStore, arn: str) -> None:
    assert [e["id"] for e in store.history.read(arn, reverse=True).items] == [7, 6, 5, 4, 3, 2, 1]


def test_paging_forward(store: SqlStore, arn: str) -> None:
    assert _pages(store, arn, 3, reverse=False) == [[1, 2, 3], [4, 5, 6], [7]]


def test_paging_reversed(store: SqlStore, arn: str) -> None:
    assert _pages(store, arn, 3, reverse=True) == [[7, 6, 5], [4, 3, 2], [1]]


def test_paging_exact_multiple(store: SqlStore, arn: str) -> None:
    store.history.append(arn, [event(8)])
    assert _pages(store, arn, 4, reverse=False) == [[1, 2, 3, 4], [5, 6, 7, 8]]


def test_histories_are_per_execution(store: SqlStore, arn: str) -> None:
    other, _ = store.executions.create(new_execution("run-2"))
    store.history.append(other.arn, [event(1, "ExecutionStarted")])
    assert [e["type"] for e in store.history.read(other.arn).items] == ["ExecutionStarted"]
    assert store.history.last_event_id(arn) == 7
    assert store.history.last_event_id(other.arn) == 1


def test_empty_history(store: SqlStore) -> None:
    record, _ = store.executions.create(new_execution("empty"))
    page = store.history.read(record.arn)
    assert (page.items, page.next_token) == ([], None)
    assert store.history.last_event_id(record.arn) == 0


def test_duplicate_append_writes_nothing(store: SqlStore, arn: str) -> None:
    with pytest.raises(StoreConflictError):
        store.history.append(arn, [event(8), event(7)])
    assert store.history.last_event_id(arn) == 7


def test_events_need_an_execution(store: SqlStore) -> None:
    with pytest.raises(StoreConflictError):  # foreign key
        store.history.append("arn:nope", [event(1)])


def test_bad_token(store: SqlStore, arn: str) -> None:
    with pytest.raises(InvalidPageTokenError):
        store.history.read(arn, next_token="WzEsMl0=")  # a valid encoding of a 2-element key
