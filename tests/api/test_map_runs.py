"""Map Runs through boto3 against ``ferry server``: STANDARD children as durable executions.

The reducer side of Distributed Map hands the runtime a ``ferry:mapRun`` task; here the
test plays the reducer and invokes the server's Map Run integration itself, then reads the
run back through the API. Shapes: API reference ListMapRuns / DescribeMapRun / UpdateMapRun /
ListExecutions (``mapRunArn``: "a list of all of the child workflow executions started by a
Map Run is returned").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from distributed.maprun_kit import request, spec
from ferry.distributed.maprun import MapRunIntegration
from ferry.integrations.base import TaskOutcome, TaskSuccess
from ferry.jsontypes import JSON

from .conftest import Api, client_for, error_of, start_server

PARENT: JSON = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 300, "End": True}}}
CHILD: JSON = {
    "StartAt": "Double",
    "States": {"Double": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"},
                          "End": True}},
}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A server whose runner answers ``ferry:mapRun`` with durable children."""
    server = start_server(tmp_path)
    runner = server.runner
    runner.integrations.insert(0, MapRunIntegration(runner.integrations, runner=runner))
    try:
        yield Api(server, client_for(server.url), tmp_path / "functions")
    finally:
        server.shutdown()
        server.runner.store.close()


def _map_run(api: Api, **fields: JSON) -> tuple[str, dict[str, JSON], TaskOutcome]:
    """Start a parent execution, run a Map Run for it; return the parent ARN, SPEC, outcome."""
    machine = api.machine(PARENT, name="parent")
    parent = api.sfn.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
    payload = spec(CHILD, executionType="STANDARD", executionArn=parent, **fields)
    integration = api.server.runner.integrations[0]
    return parent, payload, integration.invoke(request(payload))


def test_standard_children_are_executions_with_history(api: Api) -> None:
    items = [{"n": n} for n in range(5)]
    _, payload, outcome = _map_run(api, items=items, maxConcurrency=2)
    assert outcome == TaskSuccess([{"twice": 2 * n} for n in range(5)])
    listed = api.sfn.list_executions(mapRunArn=payload["mapRunArn"])["executions"]
    assert len(listed) == 5
    assert {e["mapRunArn"] for e in listed} == {payload["mapRunArn"]}
    child = listed[0]
    assert child["stateMachineArn"].endswith(":stateMachine:parent/Fan")
    assert child["executionArn"].startswith(child["stateMachineArn"].replace(
        ":stateMachine:", ":execution:") + ":")  # fmt: skip
    described = api.sfn.describe_execution(executionArn=child["executionArn"])
    assert described["status"] == "SUCCEEDED"
    events = api.sfn.get_execution_history(executionArn=child["executionArn"])["events"]
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"


def test_list_and_describe_map_runs(api: Api) -> None:
    parent, payload, _ = _map_run(api, items=[{"n": 1}, {"n": 2}], maxConcurrency=3,
                                  toleratedFailureCount=1)  # fmt: skip
    runs = api.sfn.list_map_runs(executionArn=parent)["mapRuns"]
    assert [(r["mapRunArn"], r["executionArn"]) for r in runs] == [(payload["mapRunArn"], parent)]
    # AWS's recorded ListMapRuns names the children's machine, MACHINE/LABEL.
    assert runs[0]["stateMachineArn"].endswith(":stateMachine:parent/Fan")
    assert "stopDate" in runs[0]
    described = api.sfn.describe_map_run(mapRunArn=payload["mapRunArn"])
    assert described["status"] == "SUCCEEDED"
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (3, 1)
    assert described["toleratedFailurePercentage"] == 0
    # AWS's recorded DescribeMapRun counts results as written without a ResultWriter too.
    expected = {"pending": 0, "running": 0, "succeeded": 2, "failed": 0, "timedOut": 0,
                "aborted": 0, "total": 2, "resultsWritten": 2, "failuresNotRedrivable": 0,
                "pendingRedrive": 0}  # fmt: skip
    assert described["itemCounts"] == expected
    assert described["executionCounts"] == expected


def test_update_map_run_raises_the_concurrency_of_a_running_run(api: Api) -> None:
    # The run is held RUNNING by an hour-long Wait in each child (MaxConcurrency 1), so
    # UpdateMapRun meets a run in progress; stopping the parent then aborts the run.
    machine = api.machine(PARENT, name="parent")
    parent = api.sfn.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
    hold = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    payload = spec(hold, executionType="STANDARD", executionArn=parent, items=[1, 2, 3],
                   maxConcurrency=1)  # fmt: skip
    integration = api.server.runner.integrations[0]
    done: list[TaskOutcome] = []
    worker = threading.Thread(target=lambda: done.append(integration.invoke(request(payload))))
    worker.start()
    arn = str(payload["mapRunArn"])
    for _ in range(1_500):
        if api.server.runner.store.map_runs.describe(arn) is not None:
            break
        threading.Event().wait(0.01)
    api.sfn.update_map_run(mapRunArn=arn, maxConcurrency=5, toleratedFailurePercentage=50.0)
    described = api.sfn.describe_map_run(mapRunArn=arn)
    assert (described["maxConcurrency"], described["toleratedFailurePercentage"]) == (5, 50.0)
    api.sfn.stop_execution(executionArn=parent)  # the parent closes: the run is aborted
    worker.join(timeout=60)
    assert api.sfn.describe_map_run(mapRunArn=arn)["status"] == "ABORTED"
    for child in api.sfn.list_executions(mapRunArn=arn)["executions"]:
        assert api.wait_closed(child["executionArn"])["status"] == "ABORTED"


def test_map_run_errors(api: Api) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:mapRun:parent/Fan:0000"
    assert error_of(lambda: api.sfn.describe_map_run(mapRunArn=missing)) == (
        "ResourceNotFound", f"Resource not found: '{missing}'")  # fmt: skip
    assert error_of(lambda: api.sfn.update_map_run(mapRunArn=missing, maxConcurrency=1))[0] == (
        "ResourceNotFound")  # fmt: skip
    assert error_of(lambda: api.sfn.describe_map_run(mapRunArn="nope"))[0] == "InvalidArn"
    assert error_of(lambda: api.sfn.list_executions(mapRunArn=missing))[0] == "ResourceNotFound"
