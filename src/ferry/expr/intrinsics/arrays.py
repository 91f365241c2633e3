"""Array intrinsics: Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem,
ArrayLength, ArrayUnique (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-arrays)."""

from __future__ import annotations

from ferry.expr.intrinsics.common import (
    Spec,
    expect_array,
    expect_integer,
    fail,
    json_equal,
)
from ferry.jsontypes import JSON

# AWS: "The array returned by States.ArrayRange can contain at most 1000 items".
MAX_RANGE_ITEMS = 1000


def array(args: list[JSON]) -> JSON:
    """States.Array(v, ...): the arguments as an array."""
    return list(args)


def array_partition(args: list[JSON]) -> JSON:
    """States.ArrayPartition(array, size): consecutive chunks of ``size`` items."""
    items = expect_array("States.ArrayPartition", args[0], 1)
    size = expect_integer("States.ArrayPartition", args[1], 2)
    if size <= 0:
        raise fail(f"Invalid chunk size {size} for States.ArrayPartition: it must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]


def array_contains(args: list[JSON]) -> JSON:
    """States.ArrayContains(array, value): whether ``value`` is an item of ``array``."""
    items = expect_array("States.ArrayContains", args[0], 1)
    return any(json_equal(item, args[1]) for item in items)


def array_range(args: list[JSON]) -> JSON:
    """States.ArrayRange(first, last, step): ``first`` to ``last`` inclusive by ``step``."""
    first, last, step = (expect_integer("States.ArrayRange", a, i + 1) for i, a in enumerate(args))
    if step == 0:
        raise fail("The step of States.ArrayRange must not be zero")
    stop = last + 1 if step > 0 else last - 1
    count = len(range(first, stop, step))
    if count > MAX_RANGE_ITEMS:
        raise fail(
            f"States.ArrayRange would create {count} items; at most {MAX_RANGE_ITEMS} are allowed"
        )
    return list(range(first, stop, step))


def array_get_item(args: list[JSON]) -> JSON:
    """States.ArrayGetItem(array, index): the item at a zero-based ``index``."""
    items = expect_array("States.ArrayGetItem", args[0], 1)
    index = expect_integer("States.ArrayGetItem", args[1], 2)
    if not 0 <= index < len(items):
        raise fail(f"Index {index} is out of bounds for an array of length {len(items)}")
    return items[index]


def array_length(args: list[JSON]) -> JSON:
    """States.ArrayLength(array): the number of items."""
    return len(expect_array("States.ArrayLength", args[0], 1))


def array_unique(args: list[JSON]) -> JSON:
    """States.ArrayUnique(array): the items with duplicates removed, first occurrence kept."""
    unique: list[JSON] = []
    for item in expect_array("States.ArrayUnique", args[0], 1):
        if not any(json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


SPECS: dict[str, Spec] = {
    "States.Array": Spec(array, 0, None),
    "States.ArrayPartition": Spec(array_partition, 2, 2),
    "States.ArrayContains": Spec(array_contains, 2, 2),
    "States.ArrayRange": Spec(array_range, 3, 3),
    "States.ArrayGetItem": Spec(array_get_item, 2, 2),
    "States.ArrayLength": Spec(array_length, 1, 1),
    "States.ArrayUnique": Spec(array_unique, 1, 1),
}
