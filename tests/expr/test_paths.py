"""Reference paths: compile, get, put.

Cases follow the "Reference Paths" section of
https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html and the
error texts AWS recorded in the conformance corpus (test_invalid_jsonpath).
"""

from __future__ import annotations

import pytest

from ferry.expr import ExprError, PathNotFound, compile_reference_path
from ferry.expr.segments import Root
from ferry.jsontypes import JSON

# The input of the docs' example.
DOC_INPUT = {"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": True}}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.foo", 123),
        ("$.bar", ["a", "b", "c"]),
        ("$.car.cdr", True),
        ("$", DOC_INPUT),
        ("$.bar[0]", "a"),
        ("$.bar[-1]", "c"),
        ("$.bar.[1]", "b"),  # Jayway (and AWS) accept `.[i]`.
        ("$['car']['cdr']", True),
        ('$["foo"]', 123),
        ("$.car.['cdr']", True),
    ],
)
def test_get_selects_the_single_node(path: str, expected: JSON) -> None:
    assert compile_reference_path(path).get(DOC_INPUT) == expected


def test_bracket_notation_allows_special_characters() -> None:
    # The docs' example of a name that needs brackets: $.abc.['def ghi'].
    data = {"abc": {"def ghi": 1, "it's": 2}}
    assert compile_reference_path("$.abc.['def ghi']").get(data) == 1
    assert compile_reference_path("$.abc['it\\'s']").get(data) == 2


def test_null_is_a_found_value() -> None:
    assert compile_reference_path("$.a").get({"a": None}) is None


@pytest.mark.parametrize(
    ("path", "data", "normalized"),
    [
        ("$.NoSuchInputPath", {"a": 1}, "$['NoSuchInputPath']"),
        ("$.a.b", {"a": {}}, "$['a']['b']"),
        ("$.a.b", {"a": 5}, "$['a']['b']"),
        ("$.a[3]", {"a": [1]}, "$['a'][3]"),
        ("$.a[0]", {"a": {"0": 1}}, "$['a'][0]"),
    ],
)
def test_missing_node_raises_with_jayway_normalized_path(
    path: str, data: JSON, normalized: str
) -> None:
    with pytest.raises(PathNotFound) as info:
        compile_reference_path(path).get(data)
    assert info.value.error == "States.Runtime"
    assert info.value.normalized == normalized
    # The text AWS prints for InputPath/OutputPath (conformance: INVALID_JSONPATH_IN_INPUTPATH).
    assert info.value.message == f"Invalid path '{path}' : No results for path: {normalized}"


@pytest.mark.parametrize(
    ("path", "root", "variable"),
    [
        ("$.a", Root.DATA, None),
        ("$$.Execution.Input", Root.CONTEXT, None),
        ("$myVar.x", Root.VARIABLE, "myVar"),
    ],
)
def test_root_tells_the_engine_what_to_read(path: str, root: Root, variable: str | None) -> None:
    compiled = compile_reference_path(path)
    assert compiled.root is root
    assert compiled.variable == variable
    assert compiled.is_context is (root is Root.CONTEXT)


def test_context_path_reads_the_object_it_is_given() -> None:
    context = {"Execution": {"Input": {"k": 1}}}
    assert compile_reference_path("$$.Execution.Input.k").get(context) == 1


@pytest.mark.parametrize(
    "path",
    ["$.a[*]", "$..a", "$.a[0:2]", "$.a[0,1]", "$.a[?(@.b == 1)]", "$.a.length()", "$.*"],
)
def test_indefinite_syntax_is_not_a_reference_path(path: str) -> None:
    with pytest.raises(ValueError, match="Invalid reference path"):
        compile_reference_path(path)


@pytest.mark.parametrize(
    ("path", "column"),
    [("a.b", 1), ("$.", 3), ("$.a[", 4), ("$['a", 3), ("$.a b", 4), ("$x-", 3)],
)
def test_bad_syntax_names_the_column(path: str, column: int) -> None:
    with pytest.raises(ValueError, match=f"at column {column}$"):
        compile_reference_path(path)


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("$", {"a": 1}, "R"),
        ("$.r", {"a": 1}, {"a": 1, "r": "R"}),
        ("$.a", {"a": 1}, {"a": "R"}),
        ("$.x.y.z", {"a": 1}, {"a": 1, "x": {"y": {"z": "R"}}}),
        ("$.x.y", {"x": {"k": 2}}, {"x": {"k": 2, "y": "R"}}),
        ("$.l[1]", {"l": [0, 1]}, {"l": [0, "R"]}),
        ("$.l[0].k", {"l": [{}]}, {"l": [{"k": "R"}]}),
    ],
)
def test_put_places_the_result(path: str, data: JSON, expected: JSON) -> None:
    # ResultPath examples: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
    assert compile_reference_path(path).put(data, "R") == expected


def test_put_copies_only_and_never_mutates() -> None:
    shared = {"deep": [1]}
    data = {"x": {"k": 2}, "other": shared}
    result = compile_reference_path("$.x.y").put(data, 1)
    assert data == {"x": {"k": 2}, "other": {"deep": [1]}}
    assert result["other"] is shared


@pytest.mark.parametrize(
    ("path", "data", "shown"),
    [
        ("$.a.b", {"a": "s"}, '{"a":"s"}'),
        ("$.x", "text", '"text"'),
        ("$.l[5]", {"l": [1]}, '{"l":[1]}'),
        ("$.a.b", {"a": [1]}, '{"a":[1]}'),
    ],
)
def test_put_through_a_non_object_fails(path: str, data: JSON, shown: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_reference_path(path).put(data, 1)
    assert info.value.error == "States.ResultPathMatchFailure"
    assert info.value.message == f"Unable to apply ReferencePath {path} to input {shown}"
