"""Load the AWS-recorded conformance corpus and score the engine on one case.

The corpus lives outside the project (``<repo>/../shared/conformance``, see its README) and is
only read, never copied. Its own ``compare.py`` is the judge, so the rules for placeholders,
timestamps and number equality are exactly the recorder's.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from ferry.jsontypes import dumps
from ferry.runner.clock import VirtualClock
from ferry.runner.local import run

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "conformance"
ID_PREFIX = "tests/aws/services/stepfunctions/v2/"

Case = dict[str, Any]
CheckResult = Callable[
    [Case, str, str | None, str | None, str | None],
    tuple[bool, str],
]

# JSONata, variables and Distributed Map land in a later issue; a case needs any of them when
# it carries one of these features or belongs to one of these categories.
LATER_FEATURES = frozenset(
    {
        "query:jsonata",
        "query:mixed",
        "field:Assign",
        "field:Output",
        "field:Arguments",
        "variables",
        "map:distributed",
    }
)
LATER_CATEGORIES = frozenset(
    {"evaluate_jsonata", "assign", "outputdecl", "arguments", "states_variables"}
)
LATER_REASON = "later issue: JSONata, variables (Assign/Output/Arguments) or Distributed Map"

# The Lambda function that really sleeps 60 s (the README: "Lambda wait_60_seconds sleeps 60 s").
SLOW_FUNCTION_SOURCES = ("wait_60_seconds.py",)


def corpus_available() -> bool:
    """Whether the shared corpus folder is present next to the repository."""
    return (CORPUS_DIR / "public.jsonl").is_file()


def load_cases() -> list[Case]:
    """Every case of ``public.jsonl``, in file order; empty when the corpus is absent."""
    if not corpus_available():
        return []
    lines = (CORPUS_DIR / "public.jsonl").read_text(encoding="utf-8").splitlines()
    return [cast(Case, json.loads(line)) for line in lines if line.strip()]


def short_id(case: Case) -> str:
    """The case id without the emulator's test-folder prefix, for pytest ids and reports."""
    case_id = str(case["id"])
    return case_id.removeprefix(ID_PREFIX)


def needs_later_issue(case: Case) -> bool:
    """Whether the case uses a feature deferred to the later issue (JSONata, variables, DMap)."""
    features = set(case.get("features", []))
    return bool(features & LATER_FEATURES) or case.get("category") in LATER_CATEGORIES


def is_slow(case: Case) -> bool:
    """Whether the case calls a Lambda function that takes real seconds."""
    functions: dict[str, dict[str, str]] = case.get("lambda_functions") or {}
    return any(f["source"].endswith(SLOW_FUNCTION_SOURCES) for f in functions.values())


def _load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def load_checker() -> CheckResult:
    """The corpus's own ``compare.check_result``."""
    module = _load_module("ferry_conformance_compare", CORPUS_DIR / "compare.py")
    return cast(CheckResult, module.check_result)


def _stage_functions(case: Case, tmp_dir: Path) -> Path:
    # Loaded by path so this works whether or not ``tests`` is a package; the staging helper
    # belongs to tests/support and may arrive later than this runner.
    module = _load_module(
        "ferry_tests_lambda_staging", REPO_ROOT / "tests" / "support" / "lambda_staging.py"
    )
    stage = cast(Callable[[Case, Path], Path], module.stage_conformance_functions)
    return stage(case, tmp_dir)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine returned for one case, in DescribeExecution's shape."""

    status: str
    output: str | None
    error: str | None
    cause: str | None


def execute(case: Case, tmp_dir: Path) -> Outcome:
    """Run one case through the engine with its Lambda functions staged and a virtual clock."""
    functions_dir = _stage_functions(case, tmp_dir) if case.get("lambda_functions") else None
    result = run(
        case["definition"], case["input"], functions_dir=functions_dir, clock=VirtualClock()
    )
    output = None if result.output is None else dumps(result.output)
    return Outcome(result.status, output, result.error, result.cause)


def judge(checker: CheckResult, case: Case, outcome: Outcome) -> tuple[bool, str]:
    """Compare an outcome with the recorded AWS result; returns ``(ok, reason)``."""
    return checker(case, outcome.status, outcome.output, outcome.error, outcome.cause)


def later_issue_ids(cases: Iterable[Case]) -> frozenset[str]:
    """Ids (short form) of the cases deferred to the later issue."""
    return frozenset(short_id(c) for c in cases if needs_later_issue(c))
