"""JSONata field values (Arguments, Output, single fields) and AWS's texts for them.

Rules from "Transforming data with JSONata in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html); cause texts
recorded on AWS (../shared/conformance, case names cited).
"""

from __future__ import annotations

import pytest

from ferry.expr.jsonata import compile_jsonata
from ferry.expr.jsonata_errors import JsonataError
from ferry.expr.jsonata_template import compile_jsonata_template, evaluate_field
from ferry.jsontypes import JSON

STATES: dict[str, JSON] = {
    "input": {"title": "Doctor", "n": 2, "flag": True},
    "errorOutput": {"Error": "E", "Cause": "C"},
    "context": {},
}


def evaluate(value: JSON, field: str = "Output", variables: dict[str, JSON] | None = None) -> JSON:
    return compile_jsonata_template(value, field).evaluate(STATES, variables or {})


def test_docs_conversion_example() -> None:
    # The docs' JSONPath-to-JSONata example: literal, expression, variable, and a string that
    # only looks like a variable.
    arguments = {
        "static": "Hello",
        "title": "{% $states.input.title %}",
        "name": "{% $customerName %}",
        "not-evaluated": "$customerName",
    }
    assert evaluate(arguments, "Arguments", {"customerName": "María"}) == {
        "static": "Hello",
        "title": "Doctor",
        "name": "María",
        "not-evaluated": "$customerName",
    }


def test_nested_arrays_and_objects() -> None:
    value = {"a": [1, "{% $states.input.n * 2 %}", {"b": "{% $states.errorOutput.Error %}"}]}
    assert evaluate(value) == {"a": [1, 4, {"b": "E"}]}


def test_top_level_expression_may_be_any_json() -> None:
    assert evaluate("{% [$states.input.n, null] %}") == [2, None]
    assert evaluate("{% null %}") is None


@pytest.mark.parametrize("value", ["plain", " {% 1 %}", "{% 1 %} ", 7, None, {"k": ["x"]}])
def test_non_expressions_are_literal(value: JSON) -> None:
    template = compile_jsonata_template(value, "Output")
    assert template.is_literal
    assert template.evaluate(STATES, {}) == value


def test_undefined_nested_names_the_path() -> None:
    # ../shared/conformance test_map_catch_error[MAP_CATCH_ERROR_OUTPUT_WITH_RETRY].
    with pytest.raises(JsonataError) as caught:
        evaluate({"error": "{% $stateError %}"})
    assert caught.value.error == "States.QueryEvaluationError"
    assert caught.value.message == (
        "The JSONata expression '$stateError' specified for the field 'Output/error' returned "
        "nothing (undefined)."
    )


def test_undefined_at_top_level_names_the_field() -> None:
    with pytest.raises(JsonataError, match=r"for the field 'Output' returned nothing"):
        evaluate("{% $states.input.missing %}")


def test_undefined_in_array_names_the_index() -> None:
    with pytest.raises(JsonataError, match=r"for the field 'Arguments/list/1' returned nothing"):
        evaluate({"list": [1, "{% $nope %}"]}, "Arguments")


def test_thrown_error_names_the_path() -> None:
    # ../shared/conformance test_math_random_seeded.
    with pytest.raises(JsonataError) as caught:
        evaluate({"FunctionResult": "{% $randomSeeded($states.input.n) %}"})
    assert caught.value.message == (
        "The JSONata expression '$randomSeeded($states.input.n)' specified for the field "
        "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke "
        "a non-function"
    )


def test_syntax_error_names_pointer_and_column() -> None:
    with pytest.raises(ValueError, match=r"^/a~1b/0: JSONata syntax error at column 4: S0211"):
        compile_jsonata_template({"a/b": ["{% a ++ b %}"]}, "Output")


@pytest.mark.parametrize(
    ("value", "type_text"),
    [
        (True, "'boolean' for value: true"),
        (None, "'null' for value: null"),
        (1, "'number' for value: 1"),
        ({"foo": "bar"}, '\'object\' for value: {"foo":"bar"}'),
        ("string", "'string' for value: \"string\""),
    ],
)
def test_field_of_wrong_type(value: JSON, type_text: str) -> None:
    # ../shared/conformance test_map_state_items_eval_jsonata_variable_sampling_fail[*].
    with pytest.raises(JsonataError) as caught:
        evaluate_field(compile_jsonata("$ItemsVar"), "Items", STATES, {"ItemsVar": value}, "array")
    assert caught.value.message == (
        "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an "
        f"unexpected result type. Expected 'array', but was {type_text}"
    )


def test_field_of_right_type() -> None:
    condition = compile_jsonata("$states.input.flag and $states.input.n = 2")
    assert evaluate_field(condition, "Condition", STATES, {}, "boolean") is True
