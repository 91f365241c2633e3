"""RedriveExecution and Express workflows on the durable runner (SQLite and PostgreSQL).

Redrive (docs: "Redriving executions in Step Functions"): a FAILED, ABORTED or TIMED_OUT
execution restarts from its unsuccessful state, keeps its ARN and input, counts
``redriveCount``, and re-runs only the Map iterations and Parallel branches that had not
succeeded. Express workflows keep no history (docs: "Standard vs. Express workflows").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferry.runner.clock import VirtualClock
from ferry.runner.durable import DurableRunner
from ferry.runner.local import default_integrations
from ferry.store import open_store
from ferry.store.errors import ExecutionNotRedrivableError
from ferry.store.records import MachineType, NewMachine
from store.conftest import pg_schema_url, store_url  # noqa: F401 - fixtures

FLAKY = """
import os
def handler(event, context):
    log = os.path.join(os.path.dirname(__file__), "calls.log")
    with open(log, "a") as f:
        f.write(f"{event}\\n")
    marker = os.path.join(os.path.dirname(__file__), f"failed-{event}")
    if event in (2, "b") and not os.path.exists(marker):
        open(marker, "w").close()
        raise ValueError(f"{event} broke")
    return event
"""
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
TASK = {"Type": "Task", "Resource": FUNCTION, "End": True}
PASS_ONLY: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
MAP: dict[str, Any] = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 1,  # item 3 never starts before item 2 fails: deterministic
            "ItemProcessor": {"StartAt": "T", "States": {"T": TASK}},
            "End": True,
        }
    },
}


@pytest.fixture
def runner(store_url: str, tmp_path: Path) -> Iterator[DurableRunner]:  # noqa: F811
    (tmp_path / "flaky.py").write_text(FLAKY)
    store = open_store(store_url)
    durable = DurableRunner(store, default_integrations(tmp_path), clock=VirtualClock())
    yield durable
    durable.close()
    store.close()


def _machine(
    runner: DurableRunner, name: str, definition: dict[str, Any], kind: MachineType
) -> str:
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    machine = NewMachine(arn=arn, name=name, definition=json.dumps(definition), type=kind)
    runner.store.machines.create(machine, 0.0)
    return arn


def _calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text().split()


def test_redrive_reruns_only_the_map_iterations_that_failed(
    runner: DurableRunner, tmp_path: Path
) -> None:
    arn = _machine(runner, "fan", MAP, "STANDARD")
    record = runner.start(arn, {"items": [1, 2, 3]}, name="first")
    failed = runner.run_until_closed(record.arn)
    assert (failed.status, failed.error, failed.redrive_count) == ("FAILED", "ValueError", 0)

    reopened = runner.redrive(record.arn)
    assert (reopened.arn, reopened.status, reopened.redrive_count) == (record.arn, "RUNNING", 1)
    done = runner.run_until_closed(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(str(done.output)) == [1, 2, 3]
    assert done.input == record.input
    assert _calls(tmp_path) == ["1", "2", "2", "3"]  # item 1 did not run again

    events = runner.store.history.read(record.arn).items
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    redriven = [e for e in events if e["type"] == "ExecutionRedriven"]
    assert [e["executionRedrivenEventDetails"] for e in redriven] == [{"redriveCount": 1}]
    after = events[events.index(redriven[0]) :]
    started = [e for e in after if e["type"] == "MapIterationStarted"]
    assert [e["mapIterationStartedEventDetails"]["index"] for e in started] == [1, 2]


def test_redrive_reruns_only_the_failed_parallel_branch(
    runner: DurableRunner, tmp_path: Path
) -> None:
    definition: dict[str, Any] = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
                    {"StartAt": "B", "States": {"B": {**TASK, "InputPath": "$.b"}}},
                ],
                "End": True,
            }
        },
    }
    arn = _machine(runner, "both", definition, "STANDARD")
    record = runner.start(arn, {"b": "b"}, name="p")
    assert runner.run_until_closed(record.arn).status == "FAILED"
    runner.redrive(record.arn)
    done = runner.run_until_closed(record.arn)
    assert done.status == "SUCCEEDED"
    assert json.loads(str(done.output)) == ["a", "b"]
    assert _calls(tmp_path) == ["b", "b"]
    events = runner.store.history.read(record.arn).items
    after = [e["type"] for e in events][[e["type"] for e in events].index("ExecutionRedriven") :]
    assert "PassStateEntered" not in after  # branch A kept its output
    assert after.count("TaskStateEntered") == 1


def test_succeeded_and_running_executions_cannot_be_redriven(runner: DurableRunner) -> None:
    arn = _machine(runner, "ok", PASS_ONLY, "STANDARD")
    record = runner.start(arn, {}, name="ok")
    assert runner.run_until_closed(record.arn).status == "SUCCEEDED"
    with pytest.raises(ExecutionNotRedrivableError):
        runner.redrive(record.arn)


def test_express_executions_keep_no_history(runner: DurableRunner) -> None:
    definition: dict[str, Any] = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": 7, "End": True}},
    }
    arn = _machine(runner, "quick", definition, "EXPRESS")
    result = runner.start_sync(arn, {}, name="sync")
    assert (result.status, result.output) == ("SUCCEEDED", 7)
    started = runner.start(arn, {}, name="async")
    assert ":express:" in started.arn
    assert runner.store.executions.describe(started.arn) is None
    assert runner.store.executions.list(arn).items == []


def test_redrive_that_fails_again_at_once_closes_the_execution(runner: DurableRunner) -> None:
    definition: dict[str, Any] = {
        "StartAt": "Stop",
        "States": {"Stop": {"Type": "Fail", "Error": "Nope", "Cause": "always"}},
    }
    arn = _machine(runner, "failing", definition, "STANDARD")
    record = runner.start(arn, {}, name="f")
    assert runner.run_until_closed(record.arn).status == "FAILED"
    again = runner.redrive(record.arn)
    assert (again.status, again.error, again.redrive_count) == ("FAILED", "Nope", 1)
    closed = runner.store.executions.describe(record.arn)
    assert closed is not None
    assert (closed.status, closed.stop_date is not None) == ("FAILED", True)
    types = [e["type"] for e in runner.store.history.read(record.arn).items]
    assert types[-3:] == ["ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]
