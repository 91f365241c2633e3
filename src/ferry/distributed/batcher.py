"""ItemBatcher: group a Distributed Map's items into the inputs of its child executions.

Rules from "ItemBatcher (Map)" (docs step-functions/latest/dg/input-output-itembatcher.html):
each child receives ``{"Items": [...]}``, plus ``"BatchInput"`` when one is given; a batch
holds at most ``MaxItemsPerBatch`` items and at most ``MaxInputBytesPerBatch`` bytes, which is
at most 256 KiB; with only a byte limit, or none, a batch takes as many items as fit under it
("the interpreter processes as many items it can process up to 256 KiB in each child").

What the bytes count: the docs do not say. Ferry counts the child's whole input — the compact
UTF-8 JSON of ``{"Items": [...], "BatchInput": ...}`` — because that is the payload the 256 KiB
limit applies to, so a batch under the limit is always a valid child input.

An item that cannot fit in a batch even alone is not documented either; Ferry fails the Map
Run with ``States.ItemReaderFailed`` (the phase that reads and batches items) and a cause that
names the item's index and both sizes, rather than starting a child that could never run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ferry.errors import StatesError
from ferry.jsontypes import JSON, payload_size

MAX_BATCH_BYTES = 256 * 1024


class BatchError(Exception):
    """An item could not be batched: the Map Run fails with ``error`` and ``cause``."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


def batches(
    items: Iterable[JSON], *, max_items: int | None, max_bytes: int | None, batch_input: JSON
) -> Iterator[JSON]:
    """The child inputs for ``items``, in order, each ``{"Items": [...]}`` (+ ``BatchInput``).

    Args:
        items: the items, already through ItemSelector; read lazily.
        max_items: MaxItemsPerBatch (None or 0: no count limit).
        max_bytes: MaxInputBytesPerBatch (None or 0: 256 KiB; capped at 256 KiB).
        batch_input: BatchInput, or None for none.

    Raises:
        BatchError: an item is too large to fit in a batch by itself.
    """
    byte_limit = min(max_bytes or MAX_BATCH_BYTES, MAX_BATCH_BYTES)
    envelope = _batch([], batch_input)
    empty_size = payload_size(envelope)
    current: list[JSON] = []
    size = empty_size
    for index, item in enumerate(items):
        item_size = payload_size(item)
        if empty_size + item_size > byte_limit:
            raise BatchError(
                StatesError.ITEM_READER_FAILED.value,
                f"Item {index} is {item_size} bytes: a batch holding only it would be "
                f"{empty_size + item_size} bytes, over the batch limit of {byte_limit} bytes.",
            )
        separator = 1 if current else 0
        full = bool(max_items) and len(current) >= (max_items or 0)
        if current and (full or size + separator + item_size > byte_limit):
            yield _batch(current, batch_input)
            current, size, separator = [], empty_size, 0
        current.append(item)
        size += separator + item_size
    if current:
        yield _batch(current, batch_input)


def _batch(items: list[JSON], batch_input: JSON) -> JSON:
    if batch_input is None:
        return {"Items": items}
    return {"BatchInput": batch_input, "Items": items}
