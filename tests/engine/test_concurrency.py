"""Parallel branches and Map iterations really run at once, within MaxConcurrency, and a failing
child stops the rest — proved with real Lambda handlers and thread barriers, never with timings.

A barrier of N only opens when N invocations are inside the handler at the same moment, so a
task that passes it proves N overlapping invocations; an engine that ran them one by one would
break the barrier (its timeout) and the task would fail with ``BrokenBarrierError``.

AWS behaviour: "Parallel workflow state" (https://docs.aws.amazon.com/step-functions/latest/dg/
state-parallel.html: "If any branch fails ... the entire Parallel state fails"); "Map state in
Inline mode" (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html:
MaxConcurrency, "If any iteration fails, the Map state fails").
"""

from __future__ import annotations

import json
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ferry.jsontypes import JSON
from ferry.runner.local import ExecutionResult, run

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"

MEET = """
import threading
BARRIER = threading.Barrier({parties}, timeout=10)
def handler(event, context):
    BARRIER.wait()
    return event
"""

# Counts invocations inside the handler; a barrier of 2 makes sure two do overlap when the
# limit allows it. With ``probe`` the barrier only waits briefly: it gives a second invocation
# the chance to show up, and a lone invocation goes on.
COUNT = """
import threading
LOCK = threading.Lock()
BARRIER = threading.Barrier(2, timeout={timeout})
ACTIVE = 0
MAX = 0
def handler(event, context):
    global ACTIVE, MAX
    with LOCK:
        ACTIVE += 1
        MAX = max(MAX, ACTIVE)
    try:
        BARRIER.wait()
    except threading.BrokenBarrierError:
        if not {probe}:
            raise
        BARRIER.reset()
    finally:
        with LOCK:
            ACTIVE -= 1
    return event
"""

FAIL = """
def handler(event, context):
    raise ValueError("branch A gave up")
"""

# Map iterations: item 0 fails at once, the others block until released.
FAIL_FIRST = """
import threading
import ferry_test_sync
RELEASE = threading.Event()
FINISHED = []
def handler(event, context):
    if event == 0:
        for _ in range(3):  # fail only once the other three are inside their handlers
            ferry_test_sync.ARRIVED.acquire(timeout=10)
        raise ValueError("item 0 is bad")
    ferry_test_sync.ARRIVED.release()
    RELEASE.wait(30)
    FINISHED.append(event)
    return event
"""
FAIL_AFTER_OTHER = """
import ferry_test_sync
def handler(event, context):
    ferry_test_sync.ARRIVED.acquire(timeout=10)  # fail only once branch B is running
    raise ValueError("branch A gave up")
"""
BLOCK_AND_SIGNAL = """
import threading
import ferry_test_sync
RELEASE = threading.Event()
FINISHED = []
def handler(event, context):
    ferry_test_sync.ARRIVED.release()
    RELEASE.wait(30)
    FINISHED.append(event)
    return event
"""


@pytest.fixture
def sync_point() -> Iterator[ModuleType]:
    """A module the handlers import by name, holding a semaphore shared with the test.

    The failing handler waits on it until the others are inside their handlers, so the test
    does not depend on which worker thread starts first.
    """
    module = ModuleType("ferry_test_sync")
    module.ARRIVED = threading.Semaphore(0)  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def _function(directory: Path, name: str, source: str) -> Path:
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def _loaded(path: Path) -> ModuleType:
    """The handler module Ferry imported from ``path`` (each is imported once per run)."""
    for module in list(sys.modules.values()):
        if getattr(module, "__file__", None) == str(path):
            return module
    raise AssertionError(f"{path} was never imported")


def _task(function: str) -> dict[str, JSON]:
    return {"Type": "Task", "Resource": FUNCTION + function, "End": True}


def _branch(state: str, function: str) -> dict[str, JSON]:
    return {"StartAt": state, "States": {state: _task(function)}}


def _map(function: str, **fields: JSON) -> dict[str, JSON]:
    processor = {"StartAt": "Item", "States": {"Item": _task(function)}}
    the_map = {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}
    return {"StartAt": "Each", "States": {"Each": the_map}}


def _parallel(*branches: dict[str, JSON]) -> dict[str, JSON]:
    state = {"Type": "Parallel", "Branches": list(branches), "End": True}
    return {"StartAt": "Both", "States": {"Both": state}}


def _types(result: ExecutionResult) -> list[str]:
    return [str(event["type"]) for event in result.history]


# -- running at once -----------------------------------------------------------------------
def test_parallel_branches_run_concurrently(tmp_path: Path) -> None:
    _function(tmp_path, "meet", MEET.format(parties=2))
    definition = _parallel(_branch("Left", "meet"), _branch("Right", "meet"))
    result = run(definition, {"k": 1}, functions_dir=tmp_path)
    assert (result.status, result.error) == ("SUCCEEDED", None)
    assert result.output == [{"k": 1}, {"k": 1}]


def test_map_iterations_run_concurrently(tmp_path: Path) -> None:
    items = ["a", "b", "c", "d", "e"]
    _function(tmp_path, "meet", MEET.format(parties=len(items)))
    result = run(_map("meet", MaxConcurrency=0), items, functions_dir=tmp_path)
    assert (result.status, result.error) == ("SUCCEEDED", None)
    assert result.output == items


# -- MaxConcurrency ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "data"),
    [
        ({"MaxConcurrency": 2, "ItemsPath": "$.items"}, {"items": [1, 2, 3, 4, 5, 6]}),
        (
            {"MaxConcurrencyPath": "$.limit", "ItemsPath": "$.items"},
            {"limit": 2, "items": [1, 2, 3, 4, 5, 6]},
        ),
    ],
    ids=["MaxConcurrency", "MaxConcurrencyPath"],
)
def test_max_concurrency_two_runs_exactly_two_at_once(
    tmp_path: Path, fields: dict[str, JSON], data: JSON
) -> None:
    path = _function(tmp_path, "count", COUNT.format(timeout=10, probe=False))
    result = run(_map("count", **fields), data, functions_dir=tmp_path)
    assert (result.status, result.error) == ("SUCCEEDED", None)
    assert result.output == [1, 2, 3, 4, 5, 6]
    assert _loaded(path).MAX == 2


def test_max_concurrency_one_runs_one_at_a_time(tmp_path: Path) -> None:
    path = _function(tmp_path, "count", COUNT.format(timeout=0.2, probe=True))
    result = run(_map("count", MaxConcurrency=1), [1, 2, 3], functions_dir=tmp_path)
    assert (result.status, result.error) == ("SUCCEEDED", None)
    assert result.output == [1, 2, 3]
    assert _loaded(path).MAX == 1


# -- a failing child stops the rest -------------------------------------------------------
@pytest.mark.usefixtures("sync_point")
def test_failing_branch_fails_the_parallel_state_without_waiting(tmp_path: Path) -> None:
    _function(tmp_path, "fail", FAIL_AFTER_OTHER)
    blocked = _function(tmp_path, "block", BLOCK_AND_SIGNAL)
    definition = _parallel(_branch("A", "fail"), _branch("B", "block"))
    result = run(definition, {}, functions_dir=tmp_path)
    module = _loaded(blocked)
    try:
        assert result.status == "FAILED"
        assert result.error == "ValueError"
        assert json.loads(str(result.cause))["errorMessage"] == "branch A gave up"
        assert "LambdaFunctionSucceeded" not in _types(result)
        assert _types(result)[-2:] == ["ParallelStateFailed", "ExecutionFailed"]
        assert module.FINISHED == []  # the engine did not wait for branch B
    finally:
        module.RELEASE.set()


@pytest.mark.usefixtures("sync_point")
def test_failing_iteration_fails_the_map_state_and_aborts_the_others(tmp_path: Path) -> None:
    blocked = _function(tmp_path, "items", FAIL_FIRST)
    result = run(_map("items", MaxConcurrency=0), [0, 1, 2, 3], functions_dir=tmp_path)
    module = _loaded(blocked)
    try:
        assert (result.status, result.error) == ("FAILED", "ValueError")
        assert json.loads(str(result.cause))["errorMessage"] == "item 0 is bad"
        aborted = [
            event["mapIterationAbortedEventDetails"]
            for event in result.history
            if event["type"] == "MapIterationAborted"
        ]
        assert aborted == [{"name": "Each", "index": i} for i in (1, 2, 3)]
        assert "LambdaFunctionSucceeded" not in _types(result)
        assert _types(result)[-2:] == ["MapStateFailed", "ExecutionFailed"]
        assert module.FINISHED == []  # the engine did not wait for the aborted iterations
    finally:
        module.RELEASE.set()


def test_catch_on_parallel_gets_the_failing_branch_error(tmp_path: Path) -> None:
    _function(tmp_path, "fail", FAIL)
    _function(tmp_path, "meet", MEET.format(parties=1))
    both = {
        "Type": "Parallel",
        "Branches": [_branch("A", "fail"), _branch("B", "meet")],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recovered"}],
        "Next": "Recovered",
    }
    recovered = {"Type": "Pass", "End": True}
    definition = {"StartAt": "Both", "States": {"Both": both, "Recovered": recovered}}
    result = run(definition, {"order": 1}, functions_dir=tmp_path)
    assert result.status == "SUCCEEDED"
    assert isinstance(result.output, dict)
    assert set(result.output) == {"Error", "Cause"}
    assert result.output["Error"] == "ValueError"
    assert json.loads(str(result.output["Cause"]))["errorMessage"] == "branch A gave up"
