"""Payload templates (Parameters / ResultSelector / ItemSelector).

Rules: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
Error text: conformance cases test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_*].
"""

from __future__ import annotations

import re

import pytest

from ferry.expr import ExprError, compile_template

# The docs' Parameters example.
DOC_INPUT = {
    "comment": "Example for Parameters.",
    "product": {
        "details": {"color": "blue", "size": "small", "material": "cotton"},
        "availability": "in stock",
        "sku": "2317",
        "cost": "$23",
    },
}


def test_docs_parameters_example() -> None:
    template = compile_template(
        {
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo",
            },
        }
    )
    assert template.evaluate(DOC_INPUT, {}) == {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
    }


def test_context_variable_and_intrinsic_values() -> None:
    template = compile_template(
        {
            "name.$": "$$.Execution.Name",
            "v.$": "$counter",
            "list": [{"first.$": "States.ArrayGetItem($.l, 0)"}, "plain"],
        }
    )
    result = template.evaluate({"l": [7]}, {"Execution": {"Name": "run-1"}}, {"counter": 3})
    assert result == {"name": "run-1", "v": 3, "list": [{"first": 7}, "plain"]}


def test_static_parts_are_shared_not_copied() -> None:
    # Ferry never mutates a JSON value once built, so literal parts are shared between
    # results instead of deep-copied on every evaluation (a measurable cost in long chains).
    template = compile_template({"a": {"b": [1]}, "c.$": "$.x"})
    first, second = template.evaluate({"x": 1}, {}), template.evaluate({"x": 2}, {})
    assert first == {"a": {"b": [1]}, "c": 1}
    assert second == {"a": {"b": [1]}, "c": 2}
    assert first["a"] is second["a"]
    assert template.source == {"a": {"b": [1]}, "c.$": "$.x"}


def test_source_is_kept() -> None:
    source = {"x.$": "$.y"}
    assert compile_template(source).source == source


@pytest.mark.parametrize(
    ("path", "data", "shown"),
    [
        ("$.no_such_jsonpath", {"int-literal": 0}, '{"int-literal":0}'),
        # The `$$` form quotes the state's input too (same placeholder in the recorded case).
        ("$$.Execution.Input.no_such_jsonpath", {"int-literal": 0}, '{"int-literal":0}'),
    ],
)
def test_not_found_uses_aws_wording(path: str, data: dict[str, int], shown: str) -> None:
    template = compile_template({"value.$": path})
    with pytest.raises(ExprError) as info:
        template.evaluate(data, {"Execution": {"Input": data}})
    assert info.value.error == "States.Runtime"
    assert info.value.message == (
        f"The JSONPath '{path}' specified for the field 'value.$' could not be found in the "
        f"input '{shown}'"
    )


def test_missing_variable_is_not_found() -> None:
    with pytest.raises(
        ExprError, match=re.escape("The JSONPath '$nope' specified for the field 'v.$'")
    ):
        compile_template({"v.$": "$nope"}).evaluate({}, {})


@pytest.mark.parametrize(
    ("source", "pointer"),
    [
        ({"a": {"b.$": 5}}, "/a/b.$"),
        ({"a": [{"b.$": "plain text"}]}, "/a/0/b.$"),
        ({"x/y.$": "$.["}, "/x~1y.$"),
        ({"f.$": "States.NoSuchFunction($.a)"}, "/f.$"),
        ({"f.$": "States.MathAdd($.a)"}, "/f.$"),
        ({"f.$": "States.Format('x'"}, "/f.$"),
    ],
)
def test_compile_errors_name_the_key(source: dict[str, object], pointer: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(pointer + ": ")):
        compile_template(source)
