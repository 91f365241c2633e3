"""Nested executions (``states:startExecution``) through one durable runner on SQLite.

Shapes from the AWS docs page "Start a new AWS Step Functions state machine execution from a
running execution" (step-functions/latest/dg/connect-stepfunctions.html): request-response
answers ``ExecutionArn``/``StartDate``; ``.sync`` answers DescribeExecution with ``Output`` as
JSON text, ``.sync:2`` with ``Output`` as JSON; ``AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID``
travels in the child's input.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ferry.cli.main import main
from ferry.integrations.base import TaskRequest
from ferry.jsontypes import JSON
from ferry.runner.durable import DurableRunner
from ferry.runner.nested import NestedExecutions
from ferry.store import Store, open_store
from ferry.store.records import ExecutionRecord, NewMachine

PREFIX = "arn:aws:states:us-east-1:123456789012"
CHILD = f"{PREFIX}:stateMachine:Child"
FAILING = f"{PREFIX}:stateMachine:Failing"
START = "arn:aws:states:::states:startExecution"
MAX_POLLS = 2_000
CHILD_MACHINE: JSON = {
    "StartAt": "Double",
    "States": {
        "Double": {
            "Type": "Pass",
            "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
            "End": True,
        }
    },
}
FAILING_MACHINE: JSON = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Child.Broke", "Cause": "on purpose"}},
}


def parent(resource: str, parameters: JSON) -> JSON:
    """A one-Task parent machine calling ``resource``."""
    return {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
        },
    }


@dataclass
class Kit:
    """A runner with nested executions over a SQLite store."""

    runner: DurableRunner
    store: Store

    def machine(self, name: str, definition: JSON) -> str:
        arn = f"{PREFIX}:stateMachine:{name}"
        self.store.machines.create(NewMachine(arn, name, json.dumps(definition)), 0.0)
        return arn

    def run(self, definition: JSON, data: JSON) -> ExecutionRecord:
        """Run a parent machine to its end; return its record."""
        arn = self.machine("Parent", definition)
        record = self.runner.start(arn, data)
        return self.runner.run_until_closed(record.arn)

    def children(self, machine_arn: str) -> list[ExecutionRecord]:
        return list(self.store.executions.list(machine_arn).items)


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    store = open_store(f"sqlite:///{tmp_path / 'ferry.db'}")
    runner = DurableRunner(store, [], poll_seconds=0.01)
    runner.integrations.append(NestedExecutions(runner))
    made = Kit(runner, store)
    made.machine("Child", CHILD_MACHINE)
    made.machine("Failing", FAILING_MACHINE)
    try:
        yield made
    finally:
        runner.close()
        store.close()


def test_request_response_returns_arn_and_start_date(kit: Kit) -> None:
    record = kit.run(parent(START, {"StateMachineArn": CHILD, "Input": {"n": 2}}), {})
    assert record.status == "SUCCEEDED"
    output = json.loads(record.output or "null")
    assert set(output) == {"ExecutionArn", "StartDate"}
    (child,) = kit.children(CHILD)
    assert output["ExecutionArn"] == child.arn
    assert output["StartDate"] == round(child.start_date * 1000)


def test_sync_waits_and_gives_output_as_text(kit: Kit) -> None:
    params: JSON = {"StateMachineArn": CHILD, "Input": {"n": 4}, "Name": "kid"}
    record = kit.run(parent(START + ".sync", params), {})
    assert record.status == "SUCCEEDED"
    output = json.loads(record.output or "null")
    assert output["Output"] == '{"doubled":8}'
    assert output["Status"] == "SUCCEEDED"
    assert output["Name"] == "kid"
    assert output["ExecutionArn"] == f"{PREFIX}:execution:Child:kid"
    assert output["StateMachineArn"] == CHILD
    assert json.loads(output["Input"]) == {"n": 4}
    assert output["OutputDetails"] == {"Included": True}
    assert output["StopDate"] >= output["StartDate"]


def test_sync2_gives_output_as_json_and_passes_the_parent_id(kit: Kit) -> None:
    params: JSON = {
        "StateMachineArn": CHILD,
        "Input": {"n": 5, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
    }
    record = kit.run(parent(START + ".sync:2", params), {})
    output = json.loads(record.output or "null")
    assert output["Output"] == {"doubled": 10}
    child_input = json.loads(output["Input"])
    assert child_input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] == record.arn


def test_input_as_json_text_is_decoded(kit: Kit) -> None:
    record = kit.run(parent(START + ".sync:2", {"StateMachineArn": CHILD, "Input": '{"n":1}'}), {})
    assert json.loads(record.output or "null")["Output"] == {"doubled": 2}


def test_a_failed_child_fails_the_task(kit: Kit) -> None:
    record = kit.run(parent(START + ".sync", {"StateMachineArn": FAILING}), {})
    assert (record.status, record.error) == ("FAILED", "States.TaskFailed")
    cause = json.loads(record.cause or "null")
    assert (cause["Status"], cause["Error"], cause["Cause"]) == (
        "FAILED",
        "Child.Broke",
        "on purpose",
    )
    assert "Output" not in cause


def test_an_unknown_machine_is_named_as_aws_names_it(kit: Kit) -> None:
    record = kit.run(parent(START + ".sync", {"StateMachineArn": f"{CHILD}Nope"}), {})
    assert record.status == "FAILED"
    assert record.error == "StepFunctions.StateMachineDoesNotExistException"


def test_a_taken_name_is_refused(kit: Kit) -> None:
    kit.runner.run_until_closed(kit.runner.start(CHILD, {"n": 1}, name="taken").arn)
    params: JSON = {"StateMachineArn": CHILD, "Input": {"n": 2}, "Name": "taken"}
    record = kit.run(parent(START, params), {})
    assert record.error == "StepFunctions.ExecutionAlreadyExistsException"


def test_the_same_attempt_finds_its_own_child(kit: Kit) -> None:
    # A re-run of one attempt (after a crash) has the same idempotency key: no second child.
    nested = NestedExecutions(kit.runner)
    request = TaskRequest(START + ".sync", {"StateMachineArn": CHILD}, {}, None, "attempt-1")
    serving = threading.Event()
    loop = threading.Thread(target=kit.runner.serve, args=(serving,))
    loop.start()
    try:
        first = nested.invoke(request)
        again = nested.invoke(request)
    finally:
        serving.set()
        loop.join()
    assert first == again
    assert len(kit.children(CHILD)) == 1


def test_wait_for_task_token_is_answered_by_the_child(kit: Kit) -> None:
    params: JSON = {"StateMachineArn": CHILD, "Input": {"n": 3, "token.$": "$$.Task.Token"}}
    arn = kit.machine("Parent", parent(START + ".waitForTaskToken", params))
    record = kit.runner.start(arn, {})
    for _ in range(MAX_POLLS):
        kit.runner.poll()
        children = kit.children(CHILD)
        if children and children[0].status == "SUCCEEDED":
            break
    else:
        raise AssertionError("the child never finished")
    token = json.loads(children[0].input)["token"]
    assert kit.store.executions.describe(record.arn).status == "RUNNING"  # type: ignore[union-attr]
    kit.runner.send_task_success(token, {"answered": True})
    closed = kit.runner.run_until_closed(record.arn)
    assert closed.status == "SUCCEEDED"
    assert json.loads(closed.output or "null") == {"answered": True}


def test_server_refuses_a_bad_mock_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "mocks.json"
    bad.write_text('{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {}}}}}', "utf-8")
    store = f"sqlite:///{tmp_path / 'f.db'}"
    code = main(["server", "--store", store, "--port", "0", "--mock-config", str(bad)])
    assert code == 2
    assert (
        "/MockedResponses/R/0: expected exactly one of Return or Throw" in capsys.readouterr().err
    )
