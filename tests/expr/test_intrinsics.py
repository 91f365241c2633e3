"""Intrinsic functions, one table per family.

Expected values come from the "Intrinsic functions" page,
https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html, unless a
comment cites the recorded AWS conformance corpus.
"""

from __future__ import annotations

import uuid

import pytest

from ferry.expr import ExprError
from ferry.expr.intrinsics import compile_intrinsic
from ferry.expr.paths import QueryPath
from ferry.jsontypes import JSON

DATA: dict[str, JSON] = {
    "inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9],
    "dup": [1, 2, 3, 3, 3, 3, 3, 3, 4],
    "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
    "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
    "obj": {"Arg1": 1, "Arg2": []},
    "s": "Hello",
}


def run(text: str, data: JSON = None) -> JSON:
    source = DATA if data is None else data

    def resolve(path: QueryPath) -> JSON:
        return path.find(source)

    return compile_intrinsic(text).evaluate(resolve)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array('Foo', 2020, $.obj, null)", ["Foo", 2020, {"Arg1": 1, "Arg2": []}, None]),
        ("States.Array()", []),
        ("States.ArrayPartition($.inputArray, 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
        ("States.ArrayContains($.inputArray, 5)", True),
        ("States.ArrayContains($.inputArray, 10)", False),
        ("States.ArrayContains(States.Array(true), 1)", False),  # booleans are not numbers
        ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
        ("States.ArrayRange(0, 10, 3)", [0, 3, 6, 9]),
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayGetItem($.inputArray, 5)", 6),
        ("States.ArrayLength($.inputArray)", 9),
        ("States.ArrayUnique($.dup)", [1, 2, 3, 4]),
        ("States.ArrayUnique(States.Array($.obj, $.obj, 1, true))", [DATA["obj"], 1, True]),
    ],
)
def test_arrays(text: str, expected: JSON) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('Hello, my name is {}.', $.s)", "Hello, my name is Hello."),
        ("States.Format('{} {} {}', 1, 1.5, true)", "1 1.5 true"),
        ("States.Format('{}', null)", "null"),
        # Conformance corpus test_format_2: objects print Java-style.
        ("States.Format('{}', $.obj)", "{Arg1=1, Arg2=[]}"),
        ("States.Format('{}', States.Array('a', 2))", "[a, 2]"),
        ("States.Format('\\{\\} {} \\'q\\' \\\\', 'x')", "{} x 'q' \\"),
        ("States.Format('no placeholders')", "no placeholders"),
        ("States.StringSplit('1,2,3,4,5', ',')", ["1", "2", "3", "4", "5"]),
        (
            "States.StringSplit('This.is+a,test=string', '.+,=')",
            ["This", "is", "a", "test", "string"],
        ),
        # Conformance corpus test_string_split_context_object: empty pieces are dropped.
        ("States.StringSplit('a,,b,', ',')", ["a", "b"]),
    ],
)
def test_strings(text: str, expected: JSON) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
        ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"),
        ("States.JsonToString($.obj)", '{"Arg1":1,"Arg2":[]}'),
        ("States.StringToJson('{\"number\": 20}')", {"number": 20}),
        ("States.StringToJson(' ')", None),  # corpus test_string_to_json: blank gives null
        ("States.StringToJson('-0')", 0),
        (
            "States.JsonMerge($.json1, $.json2, false)",
            {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3},
        ),
        ("States.MathAdd(111, -1)", 110),
        ("States.MathAdd(1.4, 2.5)", 4),  # non-integers are rounded to the nearest integer
    ],
)
def test_encoding_json_math(text: str, expected: JSON) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is type(expected)


def test_math_random_is_in_range_and_seed_repeats() -> None:
    values = {run("States.MathRandom(1, 3)") for _ in range(50)}
    assert values <= {1, 2}
    assert run("States.MathRandom(0, 999, 7)") == run("States.MathRandom(0, 999, 7)")


def test_uuid_is_version_4() -> None:
    assert uuid.UUID(str(run("States.UUID()"))).version == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.ArrayRange(0, 1000, 1)", "would create 1001 items; at most 1000"),
        ("States.ArrayRange(0, 5, 0)", "must not be zero"),
        ("States.ArrayGetItem($.inputArray, 9)", "out of bounds"),
        ("States.ArrayPartition($.inputArray, 0)", "must be positive"),
        ("States.ArrayLength($.s)", "expected an array, got string"),
        ("States.JsonMerge($.json1, $.json2, true)", "the deep flag must be false"),
        ("States.Hash('x', 'SHA-3')", "Invalid hash algorithm 'SHA-3'"),
        ("States.Format('{} {}', 1)", "2 placeholder(s) but 1 argument(s)"),
        ("States.StringToJson('{nope')", "Invalid JSON text"),
        ("States.Base64Decode('%%%')", "Invalid Base64"),
        ("States.MathAdd('1', 2)", "expected a number, got string"),
        ("States.Base64Encode($.big)", "exceeds the maximum of 10000 characters"),
    ],
)
def test_runtime_failures(text: str, message: str) -> None:
    with pytest.raises(ExprError) as info:
        run(text, {**DATA, "big": "x" * 10_001})
    assert info.value.error == "States.IntrinsicFailure"
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("States.Nope()", "unknown function States.Nope"),
        ("States.UUID(1)", "takes 0 argument(s), got 1"),
        ("States.MathRandom(1)", "takes 2 to 3 arguments, got 1"),
        ("States.Format()", "takes at least 1 argument(s), got 0"),
        ("States.Array('a' 'b')", "expected ',' or ')' at column 18"),
        ("States.Array('a)", "unterminated string literal"),
        ("States.Array(" * 11 + ")" * 11, "more than 10 nested functions"),
    ],
)
def test_compile_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="Invalid intrinsic function") as info:
        compile_intrinsic(text)
    assert message in str(info.value)


def test_nested_calls_and_path_with_commas() -> None:
    # The docs' nested example, shortened: the last part of an ARN.
    data = {"arn": "a/b/c.d.e", "m": {"x,y": [1, 2]}}
    text = (
        "States.ArrayGetItem(States.StringSplit("
        "States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), '.'), 1)"
    )
    assert run(text, data) == "d"
    assert run("States.ArrayLength($.m['x,y'])", data) == 2
