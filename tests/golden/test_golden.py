"""Golden cases: ASL behaviour AWS documents, as data, run through Ferry's local runner.

Each ``cases/<area>/<name>.json`` holds a definition, an input and the result AWS's documentation
gives (its ``source`` names the page). Optional fields: ``functions`` (NAME → handler source,
staged as Lambda functions), ``history_types`` (the exact event types AWS records), ``name``
(the execution name), ``retry_delays_seconds`` (the wait before each retry: a number, or
``[low, high]`` for jittered waits) and ``slow`` (a handler really sleeps).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ferry.runner.clock import VirtualClock
from ferry.runner.local import ExecutionResult, run

CASES_DIR = Path(__file__).parent / "cases"

# Known gaps: case id → why it fails today. xfail_strict turns a fixed gap into a failure, so
# remove the entry when the engine catches up.
XFAIL: dict[str, str] = {}

Case = dict[str, Any]


def _case_ids() -> list[str]:
    return sorted(
        p.relative_to(CASES_DIR).with_suffix("").as_posix() for p in CASES_DIR.rglob("*.json")
    )


def _load(case_id: str) -> Case:
    case: Case = json.loads((CASES_DIR / f"{case_id}.json").read_text(encoding="utf-8"))
    return case


def _params() -> list[object]:
    params: list[object] = []
    for case_id in _case_ids():
        marks: list[pytest.MarkDecorator] = []
        if case_id in XFAIL:
            marks.append(pytest.mark.xfail(reason=XFAIL[case_id]))
        if _load(case_id).get("slow"):
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case_id, id=case_id, marks=marks))
    return params


def _stage(functions: dict[str, str], tmp_dir: Path) -> Path:
    for name, source in functions.items():
        (tmp_dir / f"{name}.py").write_text(source, encoding="utf-8")
    return tmp_dir


def _execute(case: Case, tmp_dir: Path) -> ExecutionResult:
    functions = case.get("functions")
    return run(
        case["definition"],
        case["input"],
        functions_dir=_stage(functions, tmp_dir) if functions else None,
        name=case.get("name"),
        clock=VirtualClock(),
    )


def _seconds(timestamp: object) -> float:
    if isinstance(timestamp, datetime):
        return timestamp.timestamp()
    if isinstance(timestamp, str):
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    assert isinstance(timestamp, int | float), f"unexpected timestamp {timestamp!r}"
    return float(timestamp)


def _retry_delays(history: list[dict[str, Any]]) -> list[float]:
    """Seconds from each failed task attempt to the next attempt's scheduling."""
    delays: list[float] = []
    failed_at: float | None = None
    for event in history:
        kind = str(event["type"])
        if kind.endswith(("FunctionFailed", "FunctionTimedOut")) or kind in {
            "TaskFailed",
            "TaskTimedOut",
        }:
            failed_at = _seconds(event["timestamp"])
        elif kind.endswith("Scheduled") and failed_at is not None:
            delays.append(_seconds(event["timestamp"]) - failed_at)
            failed_at = None
    return delays


def _assert_delays(expected: list[float | list[float]], actual: list[float]) -> None:
    assert len(actual) == len(expected), f"retry waits {actual}, expected {expected}"
    for want, got in zip(expected, actual, strict=True):
        low, high = (want[0], want[1]) if isinstance(want, list) else (want, want)
        # Handler run time is real time; allow a little for it.
        assert low - 0.05 <= got <= high + 0.5, f"retry waits {actual}, expected {expected}"


@pytest.mark.parametrize("case_id", _params())
def test_golden(case_id: str, tmp_path: Path) -> None:
    case = _load(case_id)
    expected: dict[str, Any] = case["expected"]
    result = _execute(case, tmp_path)
    actual = {"status": result.status, "error": result.error, "cause": result.cause}
    if expected["status"] == "SUCCEEDED":
        actual["output"] = result.output
    wanted = {"error": None, "cause": None, **expected}
    assert actual == wanted
    if "history_types" in case:
        assert [event["type"] for event in result.history] == case["history_types"]
    if "retry_delays_seconds" in case:
        _assert_delays(case["retry_delays_seconds"], _retry_delays(result.history))


def test_every_case_names_its_source() -> None:
    """Each case says where its expected value comes from."""
    missing = [c for c in _case_ids() if "docs.aws.amazon.com" not in _load(c)["source"]]
    assert missing == []
