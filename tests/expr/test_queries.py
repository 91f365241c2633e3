"""JSONPath queries (``.$`` values, ItemsPath): Jayway semantics — a definite path gives its
value, an indefinite one the list of matches.

Paths page: https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
"""

from __future__ import annotations

import pytest

from ferry.expr import PathNotFound, compile_path
from ferry.jsontypes import JSON

STORE = {
    "items": [
        {"name": "a", "price": 5, "tags": ["x"]},
        {"name": "b", "price": 15},
        {"name": "c", "price": 8},
    ],
    "owner": {"name": "o"},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.items[*].name", ["a", "b", "c"]),
        ("$.items[?(@.price < 10)].name", ["a", "c"]),
        ("$.items[0:2].price", [5, 15]),
        ("$.items[0,2].name", ["a", "c"]),
        ("$..tags", [["x"]]),
        ("$.items[?(@.price > 100)]", []),
        ("$.items[*].missing", []),
        ("$.items.length()", 3),
    ],
)
def test_indefinite_paths_give_lists(path: str, expected: JSON) -> None:
    query = compile_path(path)
    assert not query.definite
    assert query.find(STORE) == expected


def test_flatten_array_of_arrays() -> None:
    # "ResultSelector": {"flattenArray.$": "$[*][*]"} from the Paths page.
    assert compile_path("$[*][*]").find([[1, 2], [3]]) == [1, 2, 3]


def test_definite_path_gives_the_value() -> None:
    query = compile_path("$.owner.name")
    assert query.definite
    assert query.find(STORE) == "o"


def test_definite_path_not_found() -> None:
    with pytest.raises(PathNotFound) as info:
        compile_path("$.owner.age").find(STORE)
    assert info.value.normalized == "$['owner']['age']"


def test_missing_property_before_a_wildcard_gives_no_matches() -> None:
    # Recorded on AWS (conformance: test_json_path_array_wildcard_or_slice_with_no_input):
    # "item.$": "$.item.items[*]" on {} gives {"item": []}.
    assert compile_path("$.nothing[*]").find(STORE) == []
    assert compile_path("$.nothing[1:5].x").find(STORE) == []


def test_out_of_range_index_before_a_wildcard_gives_no_matches() -> None:
    assert compile_path("$.items[7][*]").find(STORE) == []


def test_context_and_variable_roots_run_on_the_given_value() -> None:
    assert compile_path("$$.Map.Item.Value[*]").find({"Map": {"Item": {"Value": [1]}}}) == [1]
    query = compile_path("$items[?(@.price < 6)].name")
    assert query.variable == "items"
    assert query.find(STORE["items"]) == ["a"]


@pytest.mark.parametrize("path", ["$.items[?(@.price <)]", "$.a[", "x"])
def test_bad_query_syntax(path: str) -> None:
    with pytest.raises(ValueError, match="Invalid JSONPath"):
        compile_path(path)
