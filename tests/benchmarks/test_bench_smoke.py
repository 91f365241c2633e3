"""Smoke tests for the benchmark harness in ``benchmarks/``.

The workloads must be well-formed ASL (every engine is handed the same definition, so a broken one
would make every figure meaningless) and keep the sizes the benchmark promises; ``run.py --quick``
must run end to end. Nothing here times anything.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
BENCH_MODULES = ("workloads", "measure", "report")


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """Import the harness modules, which import each other as top-level scripts do."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        yield {name: _load(name) for name in BENCH_MODULES}
    finally:
        sys.path.remove(str(BENCH_DIR))
        for name in BENCH_MODULES:
            sys.modules.pop(name, None)


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def asl_problems(definition: dict[str, Any], where: str = "") -> list[str]:
    """Return what is wrong with a definition's state graph: dangling StartAt/Next, no exit."""
    states: dict[str, Any] = definition.get("States", {})
    problems = [] if definition.get("StartAt") in states else [f"{where}/StartAt dangles"]
    for name, state in states.items():
        problems += _state_problems(state, states, f"{where}/States/{name}")
    return problems


def _state_problems(state: dict[str, Any], scope: dict[str, Any], where: str) -> list[str]:
    targets = [state.get("Next"), state.get("Default")]
    targets += [rule.get("Next") for rule in state.get("Choices", [])]
    problems = [f"{where}: Next {t!r} dangles" for t in targets if t and t not in scope]
    ends = state.get("Next") or state.get("End") or state["Type"] in ("Choice", "Succeed", "Fail")
    if not ends:
        problems.append(f"{where}: neither Next nor End")
    for index, branch in enumerate(state.get("Branches", [])):
        problems += asl_problems(branch, f"{where}/Branches/{index}")
    if "ItemProcessor" in state:
        problems += asl_problems(state["ItemProcessor"], f"{where}/ItemProcessor")
    return problems


def test_problem_finder_catches_dangling_targets() -> None:
    broken = {
        "StartAt": "Missing",
        "States": {
            "A": {"Type": "Pass"},
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Z"}}}],
            },
        },
    }
    assert asl_problems(broken) == [
        "/StartAt dangles",
        "/States/A: neither Next nor End",
        "/States/P/Branches/0/States/B: Next 'Z' dangles",
    ]


@pytest.mark.parametrize("quick", [False, True], ids=["full", "quick"])
def test_workload_definitions_are_well_formed(bench: dict[str, ModuleType], quick: bool) -> None:
    for workload in bench["workloads"].all_workloads(quick=quick):
        assert asl_problems(workload.definition) == [], workload.name


def test_full_workloads_keep_the_promised_sizes(bench: dict[str, ModuleType]) -> None:
    chain, mapped, small = bench["workloads"].all_workloads()
    assert len(chain.definition["States"]) == 1_000
    assert chain.transitions == 1_000
    assert len(mapped.input["items"]) == 1_000
    # The Map state itself plus five states per item (3 Pass, Choice, then Pass or Succeed).
    assert mapped.transitions == 1 + 5 * 1_000
    assert len(mapped.expected_output) == 1_000
    branch_states = sum(
        len(branch["States"])
        for state in small.definition["States"].values()
        for branch in state.get("Branches", [])
    )
    assert len(small.definition["States"]) + branch_states == 10
    assert (small.executions, small.transitions) == (200, 2_000)


def test_pass_chain_expected_output_carries_the_last_step(bench: dict[str, ModuleType]) -> None:
    # ResultPath "$.step" keeps the input and replaces "step" at every state, so the last wins:
    # https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
    chain = bench["workloads"].pass_chain(3)
    assert chain.expected_output == {"value": "ferry", "step": {"value": "ferry", "index": 2}}


def test_report_gives_ferry_to_peer_ratios(bench: dict[str, ModuleType]) -> None:
    measure, report = bench["measure"], bench["report"]
    workload = bench["workloads"].pass_chain(10)
    results = [
        measure.Measurement("pass_chain", "ferry", 10, durations=[0.005], peak_rss_kb=2048),
        measure.Measurement("pass_chain", "moto", 10, durations=[0.01], peak_rss_kb=4096),
        measure.Measurement("pass_chain", "als", 10, not_measured="npm is not installed"),
    ]
    settings = report.Settings(repeat=1, warmup=0, quick=True, command="run.py --quick")
    text = report.render([workload], results, {"CPU model": "test"}, settings)
    assert "| pass_chain | moto | 10 | 0.0100 | 1,000 | 4.0 | 2.00x | 0.50x |" in text
    assert "| pass_chain | 2,000 | 1,000 | not measured |" in text
    assert "aws-local-stepfunctions, pass_chain: not measured: npm is not installed" in text


def _run_quick_ferry() -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(BENCH_DIR / "run.py"), "--quick", "--engines", "ferry"]
    return subprocess.run(
        [*command, "--no-write"], capture_output=True, text=True, timeout=240, check=False
    )


def test_quick_run_measures_ferry() -> None:
    done = _run_quick_ferry()
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("pass_chain", "map_choice", "small_machine"):
        assert any(line.startswith(name) and "tr/s" in line for line in done.stdout.splitlines())
    assert "PROBLEM" not in done.stdout


FAKE_FERRY_RUNNER = """
from types import SimpleNamespace

def run(definition, input, *, functions_dir=None, name=None):
    entered = [{"type": s["Type"] + "StateEntered"} for s in definition["States"].values()]
    history = [{"type": "ExecutionStarted"}, *entered, {"type": "ExecutionSucceeded"}]
    return SimpleNamespace(status="SUCCEEDED", output=input, history=history)
"""


def _fake_ferry(root: Path) -> Path:
    """Write a stand-in ``ferry.runner.local`` whose run() echoes its input."""
    package = root / "ferry" / "runner"
    package.mkdir(parents=True)
    (root / "ferry" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "local.py").write_text(FAKE_FERRY_RUNNER)
    return root


@pytest.mark.parametrize(
    ("expected_output", "problem"),
    [({"n": 1}, None), ({"n": 2}, "output differs from the expected output")],
    ids=["right-output", "wrong-output"],
)
def test_worker_times_ferry_and_checks_its_runs(
    tmp_path: Path, expected_output: dict[str, int], problem: str | None
) -> None:
    job = {
        "workload": "tiny",
        "definition": {
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}},
        },
        "input": {"n": 1},
        "executions": 3,
        "transitions": 6,
        "expected_output": expected_output,
    }
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job))
    env = {**os.environ, "PYTHONPATH": str(_fake_ferry(tmp_path / "fake"))}
    command = [sys.executable, str(BENCH_DIR / "worker.py"), "ferry", str(job_file), "--repeat=2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True, env=env)
    figures = json.loads(done.stdout)
    assert len(figures["durations"]) == 2
    # Two states entered per execution, three executions per repetition.
    assert figures["entered"] == 6
    assert figures["problem"] == problem
    assert figures["peak_rss_kb"] > 0
