"""Distributed Map through ``ferry server`` with boto3: real definitions, durable children.

Shapes from the API reference: DescribeExecution of a child carries ``mapRunArn`` ("the Map Run
ARN if the execution was dispatched by a Map Run"); DescribeStateMachineForExecution of a child
returns "the state machine associated with the Map Run" with ``mapRunArn`` and ``label``;
ListMapRuns names the children's ``MACHINE/LABEL`` machine (AWS's recorded answer, LocalStack
snapshot test_sfn_api_map_run); HistoryEvent ``mapRunStartedEventDetails.mapRunArn``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ferry.distributed.maprun import MapRunIntegration
from ferry.jsontypes import JSON

from .conftest import MAX_POLLS, ROLE, Api, client_for, start_server

ECHO: JSON = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
HOLD: JSON = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}}


def distributed(processor: JSON, kind: str, **fields: JSON) -> JSON:
    """A machine of one Distributed Map state ``M`` over ``$.xs``."""
    assert isinstance(processor, dict)
    item_processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
                      **processor}  # fmt: skip
    state = {"Type": "Map", "ItemsPath": "$.xs", "ItemProcessor": item_processor, "End": True}
    return {"StartAt": "M", "States": {"M": {**state, **fields}}}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A server whose runner has the Map Run integration, as ``ferry server`` registers it."""
    server = start_server(tmp_path)
    runner = server.runner
    runner.integrations.insert(0, MapRunIntegration(runner.integrations, runner=runner))
    try:
        yield Api(server, client_for(server.url), tmp_path / "functions")
    finally:
        server.shutdown()
        server.runner.store.close()


def _start(api: Api, definition: JSON, data: JSON) -> str:
    machine = api.machine(definition, name="parent")
    response = api.sfn.start_execution(stateMachineArn=machine, input=json.dumps(data))
    return str(response["executionArn"])


def _map_run_arn(api: Api, execution_arn: str) -> str:
    events = api.sfn.get_execution_history(executionArn=execution_arn)["events"]
    started = [e for e in events if e["type"] == "MapRunStarted"]
    assert len(started) == 1
    return str(started[0]["mapRunStartedEventDetails"]["mapRunArn"])


def test_standard_children_through_the_api(api: Api) -> None:
    parent = _start(api, distributed(ECHO, "STANDARD", Label="Fan"), {"xs": [1, 2, 3]})
    assert api.wait_closed(parent)["output"] == "[1,2,3]"
    events = api.sfn.get_execution_history(executionArn=parent)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    run_arn = _map_run_arn(api, parent)
    assert run_arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:parent/Fan:")
    child_machine = "arn:aws:states:us-east-1:123456789012:stateMachine:parent/Fan"

    [listed] = api.sfn.list_map_runs(executionArn=parent)["mapRuns"]
    assert (listed["mapRunArn"], listed["executionArn"]) == (run_arn, parent)
    assert listed["stateMachineArn"] == child_machine
    described = api.sfn.describe_map_run(mapRunArn=run_arn)
    assert described["status"] == "SUCCEEDED"
    assert described["itemCounts"]["succeeded"] == described["itemCounts"]["total"] == 3
    assert described["executionCounts"]["resultsWritten"] == 3

    children = api.sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert len(children) == 3
    assert {c["stateMachineArn"] for c in children} == {child_machine}
    child = api.sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert (child["status"], child["mapRunArn"]) == ("SUCCEEDED", run_arn)
    assert json.loads(child["input"]) in (1, 2, 3)

    machine = api.sfn.describe_state_machine_for_execution(executionArn=child["executionArn"])
    assert machine["stateMachineArn"] == child_machine
    assert (machine["mapRunArn"], machine["label"]) == (run_arn, "Fan")
    assert machine["roleArn"] == ROLE
    assert json.loads(machine["definition"])["States"] == ECHO["States"]
    # The parent itself is no Map Run's child.
    parent_machine = api.sfn.describe_state_machine_for_execution(executionArn=parent)
    assert "mapRunArn" not in parent_machine
    assert "mapRunArn" not in api.sfn.describe_execution(executionArn=parent)


def test_express_children_run_in_memory_and_count(api: Api) -> None:
    parent = _start(api, distributed(ECHO, "EXPRESS", ItemSelector={"v.$": "$$.Map.Item.Value"}),
                    {"xs": ["a", "b"]})  # fmt: skip
    described = api.wait_closed(parent)
    assert json.loads(described["output"]) == [{"v": "a"}, {"v": "b"}]
    run = api.sfn.describe_map_run(mapRunArn=_map_run_arn(api, parent))
    assert run["status"] == "SUCCEEDED"
    assert run["executionCounts"]["succeeded"] == 2


def test_failed_children_fail_the_parent_with_the_threshold_error(api: Api) -> None:
    failing: JSON = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Bad"}}}
    parent = _start(api, distributed(failing, "STANDARD", ToleratedFailureCount=1), {"xs": [1, 2]})
    described = api.wait_closed(parent)
    assert (described["status"], described["error"]) == (
        "FAILED", "States.ExceedToleratedFailureThreshold")  # fmt: skip
    events = api.sfn.get_execution_history(executionArn=parent)["events"]
    [failed] = [e for e in events if e["type"] == "MapRunFailed"]
    assert failed["mapRunFailedEventDetails"]["error"] == "States.ExceedToleratedFailureThreshold"
    run = api.sfn.describe_map_run(mapRunArn=_map_run_arn(api, parent))
    assert run["status"] == "FAILED"
    assert run["itemCounts"]["failed"] == 2


def test_stop_execution_of_the_parent_aborts_the_map_run(api: Api) -> None:
    parent = _start(api, distributed(HOLD, "STANDARD", MaxConcurrency=2), {"xs": [1, 2, 3]})
    run_arn = ""
    for _ in range(MAX_POLLS):  # wait until the run has its two children running
        runs = api.sfn.list_map_runs(executionArn=parent)["mapRuns"]
        if runs:
            run_arn = runs[0]["mapRunArn"]
            if len(api.sfn.list_executions(mapRunArn=run_arn)["executions"]) == 2:
                break
        time.sleep(0.01)
    assert run_arn
    api.sfn.stop_execution(executionArn=parent, error="Stop", cause="by the test")
    assert api.wait_closed(parent)["status"] == "ABORTED"
    for _ in range(MAX_POLLS):
        if api.sfn.describe_map_run(mapRunArn=run_arn)["status"] != "RUNNING":
            break
        time.sleep(0.01)
    assert api.sfn.describe_map_run(mapRunArn=run_arn)["status"] == "ABORTED"
    children = api.sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert len(children) == 2  # the third item never started
    for child in children:
        assert api.wait_closed(child["executionArn"])["status"] == "ABORTED"


@pytest.fixture
def ferry_server(tmp_path: Path) -> Iterator[Any]:
    """``ferry server`` as a process (it registers the Map Run integration itself)."""
    command = [
        sys.executable, "-m", "ferry.cli.main", "server",
        "--store", f"sqlite:///{tmp_path / 'dmap.db'}", "--port", "0",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        assert banner.startswith("ferry server: http://127.0.0.1:"), banner
        yield client_for(banner.split()[2].rstrip(","))
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_ferry_server_process_runs_a_distributed_map(ferry_server: Any) -> None:
    sfn = ferry_server
    machine = sfn.create_state_machine(
        name="parent", definition=json.dumps(distributed(ECHO, "STANDARD")), roleArn=ROLE
    )["stateMachineArn"]
    parent = sfn.start_execution(stateMachineArn=machine, input='{"xs": [5, 6]}')["executionArn"]
    for _ in range(MAX_POLLS):
        described = sfn.describe_execution(executionArn=parent)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.01)
    assert (described["status"], described["output"]) == ("SUCCEEDED", "[5,6]")
    [run] = sfn.list_map_runs(executionArn=parent)["mapRuns"]
    assert len(sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]) == 2
