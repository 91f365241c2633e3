"""SIGKILL the ``ferry run`` process after every history event in turn, then resume it.

The contract under test is the durable runner's (``ferry.runner.durable``), that of AWS Standard
workflows: every step is committed before its tasks start, a task whose result was not committed
runs again with the same ``aws_request_id``, and nothing else runs twice. AWS describes Standard
workflows as "exactly-once workflow execution" with at-least-once activity/task execution:
https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

import pytest

from ferry.jsontypes import JSON

from . import harness
from .conftest import Baseline

#: Events in one run of ``machine.asl.json`` (asserted by ``test_uninterrupted_run``).
TOTAL_EVENTS = 63
#: A handful of kill points for the PostgreSQL variant: first step, inside the retries, the
#: Parallel/Wait, the Map, the parked callback, and the closing step.
PG_KILL_POINTS = [1, 5, 15, 30, 45, 59, 62]


def test_uninterrupted_run(baseline: Baseline) -> None:
    """The reference run: every state type went through, each invocation ran once."""
    assert sum(baseline.event_types.values()) == TOTAL_EVENTS
    assert baseline.event_types["LambdaFunctionFailed"] == 4  # Work and a, b, c: first attempts
    assert baseline.event_types["WaitStateExited"] == 1
    assert baseline.event_types["TaskSubmitted"] == 1
    assert baseline.event_types["MapIterationSucceeded"] == 3
    functions = Counter(function for function, _, _ in baseline.request_ids)
    assert functions == {"flaky": 9, "callback": 1}
    assert baseline.output["approval"] == harness.CALLBACK_OUTPUT


@pytest.mark.parametrize("kill_after", range(1, TOTAL_EVENTS))
def test_crash_and_resume_sqlite(kill_after: int, tmp_path: Path, baseline: Baseline) -> None:
    """Killed after event N, resumed by a second ``ferry run``: same end, no holes, no extras."""
    crash_and_resume(f"sqlite:///{tmp_path / 'ferry.db'}", tmp_path, kill_after, baseline)


@pytest.mark.parametrize("kill_after", PG_KILL_POINTS)
def test_crash_and_resume_postgresql(
    kill_after: int, pg_schema_url: str, tmp_path: Path, baseline: Baseline
) -> None:
    """The same on PostgreSQL, at a handful of kill points."""
    crash_and_resume(pg_schema_url, tmp_path, kill_after, baseline)


def crash_and_resume(url: str, work: Path, kill_after: int, baseline: Baseline) -> None:
    """Kill after event ``kill_after``, resume, and check everything the contract promises."""
    crashed = harness.ferry_run(url, work, kill_after=kill_after)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    closed_before = harness.describe(url).status != "RUNNING"
    resumed = harness.ferry_run(url, work)
    if closed_before:
        # The kill fell after the closing step: the execution had ended, and a second start of
        # a closed execution's name is ExecutionAlreadyExists, as on AWS.
        # https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
        assert resumed.returncode == 2, resumed.stderr
        assert "Execution Already Exists" in resumed.stderr
    else:
        assert resumed.returncode == 0, resumed.stderr
        assert harness.result(resumed)["status"] == "SUCCEEDED", resumed.stdout
    record = harness.describe(url)
    assert record.status == "SUCCEEDED"
    assert record.output is not None
    assert json.loads(record.output) == baseline.output

    events = harness.history(url)
    assert_no_holes(events)
    assert Counter(str(e["type"]) for e in events) == baseline.event_types

    counts = harness.invocations(work)
    # Request ids derive from execution, state, entered event and retry count, so the crashed
    # run's attempts are exactly the uninterrupted run's...
    assert set(counts) == baseline.request_ids
    # ...and an attempt runs again only when the crash fell between its step's commit and its
    # result's commit: at most twice.
    assert max(counts.values()) <= 2, counts


def assert_no_holes(events: list[dict[str, JSON]]) -> None:
    """Ids are 1..M in order, each once; every previousEventId points back."""
    ids = [e["id"] for e in events]
    assert ids == list(range(1, len(events) + 1))
    for event in events:
        previous = event["previousEventId"]
        assert isinstance(previous, int)
        assert 0 <= previous < event["id"], event
