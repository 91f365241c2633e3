"""``ferry.jsontypes.dumps`` writes JSON text exactly as ``json.dumps`` with compact separators
and non-ASCII kept (what AWS's history and API payloads look like)."""

from __future__ import annotations

import json

import pytest

from ferry.jsontypes import JSON, dumps

VALUES: list[JSON] = [
    None,
    True,
    0,
    -7,
    10**30,
    1.5,
    1.0,
    1e-7,
    "",
    'quote " backslash \\ newline \n tab \t',
    "é ü 漢字 \u2028 \U0001f600",
    [],
    {},
    [1, [2, [3, {"a": None}]]],
    {"b": 1, "a": {"nested": ["x", 2.25, False]}, "": "empty key"},
]


@pytest.mark.parametrize("value", VALUES)
def test_matches_the_standard_library(value: JSON) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert dumps(value) == expected
    assert json.loads(dumps(value)) == value
