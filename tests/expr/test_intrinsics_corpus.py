"""Run the JSONPath intrinsic-function cases of the AWS-recorded conformance corpus through
the template layer alone: each is a single Pass state whose Parameters become the output.

Cases with other shapes (JSONata, InputPath/ResultPath/OutputPath, several states) are left
to the engine's conformance runner.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ferry.expr import ExprError, compile_template

CORPUS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"
FIELDS_ELSEWHERE = {"InputPath", "OutputPath", "ResultPath", "ResultSelector", "QueryLanguage"}


def _load_compare() -> ModuleType | None:
    spec = importlib.util.spec_from_file_location("compare", CORPUS_DIR / "compare.py")
    if spec is None or spec.loader is None or not (CORPUS_DIR / "compare.py").exists():
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases() -> list[dict[str, Any]]:
    corpus = CORPUS_DIR / "public.jsonl"
    if not corpus.exists():
        return []
    lines = corpus.read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    return [c for c in cases if c["category"] == "intrinsic_functions" and _is_single_pass(c)]


def _is_single_pass(case: dict[str, Any]) -> bool:
    definition = case["definition"]
    states = list(definition["States"].values())
    return (
        definition.get("QueryLanguage", "JSONPath") == "JSONPath"
        and len(states) == 1
        and states[0]["Type"] == "Pass"
        and "Parameters" in states[0]
        and not FIELDS_ELSEWHERE & states[0].keys()
    )


CASES = _cases()
COMPARE = _load_compare()


def test_corpus_is_present() -> None:
    if not CASES or COMPARE is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"conformance corpus missing at {CORPUS_DIR}")
        pytest.skip("conformance corpus not available")
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["id"].split("::")[-1] for c in CASES])
def test_intrinsic_case(case: dict[str, Any]) -> None:
    assert COMPARE is not None
    state = next(iter(case["definition"]["States"].values()))
    context = {
        "Execution": {"Input": case["input"], "Name": "execution-name"},
        "StateMachine": {"Name": "state-machine-name-part"},
    }
    expected = case["expected"]
    template = compile_template(state["Parameters"])
    if expected["status"] == "FAILED":
        with pytest.raises(ExprError) as info:
            template.evaluate(case["input"], context)
        assert info.value.error == expected["error"]
        return
    output = template.evaluate(case["input"], context)
    ok, reason = COMPARE.values_match(
        expected["output"],
        output,
        case.get("placeholders", []),
        "$output",
        case.get("value_placeholders", []),
    )
    assert ok, reason
