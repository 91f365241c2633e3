"""The JSONata layer: compile, evaluate with $states and variables, AWS's functions and texts.

AWS's texts come from executions recorded on AWS (../shared/conformance, case names cited) and
from "Transforming data with JSONata in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
"""

from __future__ import annotations

import hashlib
import threading
import uuid

import pytest

from ferry.expr import ExprError
from ferry.expr.jsonata import (
    UNDEFINED,
    JsonataExpression,
    Undefined,
    compile_jsonata,
    expression_text,
    is_expression,
)
from ferry.expr.jsonata_errors import JsonataError, normalise_detail, query_evaluation_message
from ferry.jsontypes import JSON

STATES: dict[str, JSON] = {
    "input": {"a": 1, "items": [1, 2, 3], "name": "ferry", "nothing": None},
    "context": {"Execution": {"Id": "arn:exec"}},
}


def run(text: str, variables: dict[str, JSON] | None = None) -> JSON | Undefined:
    return compile_jsonata(text).evaluate(STATES, variables or {})


def failure(text: str, variables: dict[str, JSON] | None = None) -> JsonataError:
    with pytest.raises(JsonataError) as caught:
        run(text, variables)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$states.input.a + 1", 2),
        ("$sum($states.input.items)", 6),
        ("$states.context.Execution.Id", "arn:exec"),
        ("$states.input.nothing", None),
        ("{'n': $uppercase($states.input.name)}", {"n": "FERRY"}),
        ("$states.input.items[$ > 1]", [2, 3]),
        ("3 / 2", 1.5),
        ("''", ""),
    ],
)
def test_evaluates_against_states(text: str, expected: JSON) -> None:
    assert run(text) == expected


def test_binds_variables_by_name() -> None:
    assert run("$total * 2 + $states.input.a", {"total": 20}) == 41


def test_missing_value_is_undefined_not_null() -> None:
    assert run("$states.input.missing") is UNDEFINED
    assert run("$unassigned") is UNDEFINED
    assert run("$states.input.nothing") is None


def test_undefined_is_one_falsy_instance() -> None:
    assert Undefined() is UNDEFINED
    assert not UNDEFINED


def test_compiled_expression_is_reusable() -> None:
    expression = compile_jsonata("$states.input.a * $k")
    assert isinstance(expression, JsonataExpression)
    assert [expression.evaluate(STATES, {"k": k}) for k in (1, 2, 3)] == [1, 2, 3]


def test_integer_beyond_64_bits_reaches_expression_as_double() -> None:
    states = {"input": {"big": 2**70}, "context": {}}
    assert compile_jsonata("$states.input.big").evaluate(states, {}) == float(2**70)


# --- delimiters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $x %}", True),
        ("{%$x%}", True),
        (" {% $x %}", False),  # AWS: nothing may precede {%
        ("{% $x %} ", False),  # ... or follow %}
        ("{% $x", False),
        ("%}", False),
        (1, False),
    ],
)
def test_is_expression(value: JSON, expected: bool) -> None:
    assert is_expression(value) is expected


def test_expression_text_is_trimmed() -> None:
    assert expression_text("{%   $states.input  %}") == "$states.input"


# --- syntax errors ---------------------------------------------------------------------------


def test_syntax_error_names_column_and_code() -> None:
    with pytest.raises(ValueError, match=r"^JSONata syntax error at column 4: S0211: "):
        compile_jsonata("a ++ b")


def test_syntax_error_at_end_points_past_the_text() -> None:
    with pytest.raises(ValueError, match=r"^JSONata syntax error at column 3: S0203: "):
        compile_jsonata("(1")


# --- evaluation errors -----------------------------------------------------------------------


def test_unknown_function_is_t1006_in_reference_words() -> None:
    # ../shared/conformance test_math_random_seeded: AWS has no $randomSeeded.
    error = failure("$randomSeeded(1)")
    assert isinstance(error, ExprError)
    assert error.error == "States.QueryEvaluationError"
    assert error.problem == (
        "threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_error_worded_for_field() -> None:
    error = failure("$randomSeeded($states.input.a)").for_field("Output/FunctionResult")
    assert error.message == (
        "The JSONata expression '$randomSeeded($states.input.a)' specified for the field "
        "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke "
        "a non-function"
    )


def test_operator_error_keeps_code_and_message() -> None:
    assert failure("1 + 'a'").problem == (
        "threw an error during evaluation. T2002: The right side of the + operator must "
        "evaluate to a number"
    )


def test_error_function_message_passes_through() -> None:
    assert failure("$error('boom')").problem == "threw an error during evaluation. D3137: boom"


def test_function_result_is_unsupported() -> None:
    assert failure("$sum").problem == "returned an unsupported result type."


def test_message_without_field() -> None:
    assert query_evaluation_message("$x", "", "returned nothing (undefined).") == (
        "The JSONata expression '$x' returned nothing (undefined)."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "T1006: Attempted to invoke a non-function: $foo",
            "T1006: Attempted to invoke a non-function",
        ),
        ("host function raised FunctionError: T0410: bad", "T0410: bad"),
        ("Parse error: S0207: Unexpected end of expression", "S0207: Unexpected end of expression"),
        (
            "Parse error: Invalid number: S0102: Number out of range: 10e1000",
            "S0102: Number out of range: 10e1000",
        ),
        ("no code here", "no code here"),
    ],
)
def test_normalise_detail(raw: str, expected: str) -> None:
    assert normalise_detail(raw) == expected


# --- AWS's added functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Docs example: [[1,2,3],[4,5,6],[7,8,9]]; conformance test_array_partition.
        ("$partition([1,2,3,4,5,6,7,8,9], 3)", [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
        ("$partition([0,1,2,3], 3)", [[0, 1, 2], [3]]),
        ("$partition([0], 5)", [[0]]),
        ("$partition([], 2)", []),
        # Docs example: $range(0, 10, 2) is [0, 2, 4, 6, 8, 10] (the end is included).
        ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
        ("$range(10, 0, -4)", [10, 6, 2]),
        ("$range(1, 0, 1)", []),
        ("$parse('{\"a\": [1, true]}')", {"a": [1, True]}),
        ("$parse($string({'k': 1})).k", 1),
    ],
)
def test_added_functions(text: str, expected: JSON) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("algorithm", "name"),
    [
        ("MD5", "md5"),
        ("SHA-1", "sha1"),
        ("SHA-256", "sha256"),
        ("SHA-384", "sha384"),
        ("SHA-512", "sha512"),
    ],
)
def test_hash_algorithms(algorithm: str, name: str) -> None:
    expected = hashlib.new(name, b"ferry").hexdigest()
    assert run(f"$hash($states.input.name, '{algorithm}')") == expected


def test_random_with_seed_repeats_and_without_varies_in_range() -> None:
    assert run("$random(42)") == run("$random(42)")
    assert run("$random(42)") != run("$random(43)")
    value = run("$random()")
    assert isinstance(value, float)
    assert 0 <= value < 1


def test_uuid_is_version_4() -> None:
    value = run("$uuid()")
    assert isinstance(value, str)
    assert uuid.UUID(value).version == 4
    assert run("$uuid()") != value


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            "$partition(1, 2)",
            "T0410: Argument 1 of function $partition does not match function signature",
        ),
        (
            "$partition([1])",
            "T0410: Argument 2 of function $partition does not match function signature",
        ),
        (
            "$partition([1], 1.5)",
            "T0410: Argument 2 of function $partition does not match function signature",
        ),
        (
            "$range(1, 'x', 1)",
            "T0410: Argument 2 of function $range does not match function signature",
        ),
        (
            "$hash(1, 'MD5')",
            "T0410: Argument 1 of function $hash does not match function signature",
        ),
        ("$uuid(1)", "T0410: Argument 1 of function $uuid does not match function signature"),
        ("$parse(1)", "T0410: Argument 1 of function $parse does not match function signature"),
        ("$random('x')", "T0410: Argument 1 of function $random does not match function signature"),
    ],
)
def test_added_function_signature_errors(text: str, detail: str) -> None:
    assert failure(text).problem == f"threw an error during evaluation. {detail}"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("$partition([1], 0)", "chunk size of $partition must be positive"),
        ("$range(1, 5, 0)", "step of $range must not be zero"),
        ("$hash('a', 'SHA-3')", "hashing algorithm 'SHA-3' is not supported"),
        ("$parse('{')", "Unable to parse the JSON string: {"),
    ],
)
def test_added_function_value_errors(text: str, fragment: str) -> None:
    assert fragment in failure(text).problem


def test_eval_is_not_available() -> None:
    # Docs: "$eval is not available -- use $parse instead".
    assert failure("$eval('1 + 1')").problem.endswith("T1006: Attempted to invoke a non-function")


def test_one_expression_is_shared_safely_between_threads() -> None:
    # jsonatapy objects may only be used (and dropped) on the thread that made them; Ferry's
    # expression is shared by the runner's worker threads, so it must hide that.
    expression = compile_jsonata("$states.input.n * 2")
    results: list[object] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            results.append(expression.evaluate({"input": {"n": n}}, {}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [n * 2 for n in range(8)]  # type: ignore[type-var]
