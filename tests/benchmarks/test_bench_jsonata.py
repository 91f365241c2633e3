"""The JSONata benchmark workload (``benchmarks/jsonata.py``) and its JSONPath twin.

The two must do the same work, or comparing their rates means nothing: both are run through
Ferry on a small input and must end with the same output, the one the workload expects, after
the same number of state entries. Nothing here times anything.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ferry.runner.local import run

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
MODULES = ("workloads", "jsonata")


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    """Import ``benchmarks/jsonata.py`` as ``run.py`` does (its directory on the path)."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        loaded = {name: _load(name) for name in MODULES}
        yield loaded["jsonata"]
    finally:
        sys.path.remove(str(BENCH_DIR))
        for name in MODULES:
            sys.modules.pop(name, None)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _entered(history: list[dict[str, Any]]) -> int:
    return sum(1 for event in history if str(event["type"]).endswith("StateEntered"))


def test_both_definitions_produce_the_same_output(bench: ModuleType) -> None:
    jsonata, jsonpath = bench.jsonata_workloads(quick=True)
    by_jsonata = run(jsonata.definition, jsonata.input)
    by_jsonpath = run(jsonpath.definition, jsonpath.input)
    assert (by_jsonata.status, by_jsonpath.status) == ("SUCCEEDED", "SUCCEEDED")
    assert by_jsonata.output == by_jsonpath.output == jsonata.expected_output
    assert jsonata.expected_output == jsonpath.expected_output
    # The Map state, then one Pass per item, in both.
    assert _entered(by_jsonata.history) == _entered(by_jsonpath.history) == jsonata.transitions


def test_the_expected_output_is_computed_per_item(bench: ModuleType) -> None:
    # One item worked by hand: 'sku-0007' / 7, price 100 + 7, qty 1 + 7.
    (item,) = bench.items(8)[7:]
    assert bench.expected(item) == {
        "id": 7,
        "label": "sku-0007/7",
        "sum": 115,
        "parts": ["sku", "0007"],
        "pair": [7, 8],
    }


def test_full_workloads_are_the_issue_size(bench: ModuleType) -> None:
    jsonata, jsonpath = bench.jsonata_workloads()
    assert jsonata.definition["QueryLanguage"] == "JSONata"
    assert "QueryLanguage" not in jsonpath.definition
    for workload in (jsonata, jsonpath):
        assert len(workload.input["items"]) == 1_000
        assert workload.transitions == 1 + 1_000
        assert len(workload.expected_output) == 1_000


def test_make_bench_measures_both() -> None:
    command = [sys.executable, str(BENCH_DIR / "run.py"), "--quick", "--engines", "ferry"]
    done = subprocess.run(
        [*command, "--no-write", "--no-durable", "--no-api"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("jsonata_map", "jsonpath_map"):
        assert any(line.startswith(name) and "tr/s" in line for line in lines), done.stdout
    assert "PROBLEM" not in done.stdout
