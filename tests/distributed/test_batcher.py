"""ItemBatcher: batches by count and by bytes.

Rules from "ItemBatcher (Map)" (docs step-functions/latest/dg/input-output-itembatcher.html).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ferry.distributed.batcher import MAX_BATCH_BYTES, BatchError, batches
from ferry.jsontypes import JSON, payload_size


def test_1130_items_by_100_make_12_batches() -> None:
    # docs: "an input JSON file that contains 1130 nodes ... maximum items value for each
    # batch of 100, Step Functions creates 12 batches ... 11 batches contain 100 items each,
    # while the twelfth batch contains the remaining 30 items."
    result = list(batches(range(1130), max_items=100, max_bytes=None, batch_input=None))
    assert [len(batch["Items"]) for batch in result] == [100] * 11 + [30]
    assert result[0] == {"Items": list(range(100))}
    assert result[-1]["Items"] == list(range(1100, 1130))


def test_batch_input_is_added_to_every_batch() -> None:
    # docs: each child receives {"BatchInput": {...}, "Items": [...]}.
    batch_input = {"factCheck": "December 2022"}
    result = list(batches(["a", "b", "c"], max_items=2, max_bytes=None, batch_input=batch_input))
    assert result == [
        {"BatchInput": batch_input, "Items": ["a", "b"]},
        {"BatchInput": batch_input, "Items": ["c"]},
    ]


def test_batches_by_bytes_count_the_whole_child_input() -> None:
    items = [{"k": "x" * 10} for _ in range(10)]  # each {"k":"xxxxxxxxxx"} is 18 bytes
    # {"Items":[]} is 12 bytes; 3 items take 3*18 + 2 commas = 56: a 68-byte limit holds 3.
    result = list(batches(items, max_items=None, max_bytes=68, batch_input=None))
    assert [len(batch["Items"]) for batch in result] == [3, 3, 3, 1]
    assert all(payload_size(batch) <= 68 for batch in result)
    assert payload_size(result[0]) == 68


def test_count_and_bytes_together_the_smaller_wins() -> None:
    # docs: with both, Step Functions reduces the items in a batch to stay under the size.
    items = ["abcdefgh"] * 6  # 10 bytes each as JSON
    by_bytes = list(batches(items, max_items=5, max_bytes=12 + 3 * 10 + 2, batch_input=None))
    assert [len(batch["Items"]) for batch in by_bytes] == [3, 3]
    by_count = list(batches(items, max_items=2, max_bytes=1000, batch_input=None))
    assert [len(batch["Items"]) for batch in by_count] == [2, 2, 2]


def test_byte_limit_is_capped_at_256_kib() -> None:
    # docs: "the maximum size of a batch in bytes, up to 256 KiB"; without a byte limit a
    # batch holds as many items as fit in 256 KiB.
    item = "x" * 1000  # 1002 bytes as JSON
    for max_bytes in (None, 10 * MAX_BATCH_BYTES):
        result = list(batches([item] * 600, max_items=None, max_bytes=max_bytes, batch_input=None))
        assert all(payload_size(batch) <= MAX_BATCH_BYTES for batch in result)
        assert len(result[0]["Items"]) == (MAX_BATCH_BYTES - 12 + 1) // 1003


def test_item_too_large_for_any_batch_fails() -> None:
    with pytest.raises(BatchError) as caught:
        list(batches(["small", "y" * 100], max_items=None, max_bytes=50, batch_input=None))
    assert caught.value.error == "States.ItemReaderFailed"
    assert "Item 1 is 102 bytes" in caught.value.cause
    assert "over the batch limit of 50 bytes" in caught.value.cause


def test_items_are_read_lazily() -> None:
    consumed: list[int] = []

    def source() -> Iterator[JSON]:
        for index in range(1_000_000):
            consumed.append(index)
            yield index

    first = next(batches(source(), max_items=3, max_bytes=None, batch_input=None))
    assert first == {"Items": [0, 1, 2]}
    assert len(consumed) == 4  # the fourth item is what closes the first batch


def test_no_items_no_batches() -> None:
    assert list(batches([], max_items=10, max_bytes=None, batch_input={"a": 1})) == []
