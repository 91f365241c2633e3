"""The vendored upstream JSONata suite (tests/expr/jsonata_suite, see its README) run through
``compile_jsonata``: the AWS functions registered and the error texts normalised, as ASL uses it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from ferry.expr.jsonata import UNDEFINED, Undefined, compile_jsonata
from ferry.expr.jsonata_errors import JsonataError, error_code
from ferry.jsontypes import JSON

SUITE = Path(__file__).parent / "jsonata_suite"
DATASETS: dict[str, JSON] = json.loads((SUITE / "datasets.json").read_text(encoding="utf-8"))

_DUPLICATE_KEYS = (
    "the vendored case is from the 1.x suite, which merged duplicate key definitions; "
    "JSONata 2.x (AWS runs 2.0.6) raises D1009 for them, as the library does"
)
KNOWN_FAILURES: dict[str, str] = {
    "object-constructor/017": _DUPLICATE_KEYS,
    "object-constructor/018": _DUPLICATE_KEYS,
}
"""Case id -> why Ferry's answer differs from the suite's (each is checked by xfail_strict)."""


def _cases() -> list[Any]:
    params = []
    for path in sorted((SUITE / "groups").glob("*.json")):
        for index, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            case_id = f"{path.stem}/{index:03d}"
            marks = []
            if case_id in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[case_id], strict=True))
            params.append(pytest.param(case, id=case_id, marks=marks))
    return params


def _data(case: dict[str, Any]) -> JSON | Undefined:
    index = case["dataset"]
    return UNDEFINED if index == -1 else DATASETS[f"dataset{index}"]


def _same(actual: JSON, expected: JSON) -> bool:
    """Equal as JSON, numbers compared to 15 significant digits as the upstream runner does."""
    if isinstance(expected, float) or isinstance(actual, float):
        return (
            isinstance(actual, int | float)
            and isinstance(expected, int | float)
            and math.isclose(actual, expected, rel_tol=1e-15)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(_same(actual[key], expected[key]) for key in expected)
        )
    return type(actual) is type(expected) and actual == expected


def _run(case: dict[str, Any]) -> JSON | Undefined:
    expression = compile_jsonata(case["expr"])
    return expression.evaluate({}, case.get("bindings", {}), data=_data(case))


def _failure_code(case: dict[str, Any]) -> str | None:
    try:
        _run(case)
    except JsonataError as error:
        return error_code(error.problem.removeprefix("threw an error during evaluation. "))
    except ValueError as error:
        return error_code(str(error).split(": ", 1)[1])
    return None


@pytest.mark.parametrize("case", _cases())
def test_upstream_case(case: dict[str, Any]) -> None:
    if "code" in case:
        assert _failure_code(case) == case["code"]
    elif case.get("undefinedResult"):
        assert _run(case) is UNDEFINED
    else:
        result = _run(case)
        assert _same(result, case["result"]), result


def test_suite_is_vendored() -> None:
    # Guards against the glob silently finding nothing.
    assert len(_cases()) >= 150
