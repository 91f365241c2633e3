"""Mocked integrations through the API: executions started as ``stateMachineArn#TestCase``.

Behaviour from the AWS docs page "Using mocked service integrations for testing in Step
Functions Local" (step-functions/latest/dg/sfn-local-test-sm-exec.html): a mocked state never
calls its service, states the test case leaves out call the real integration, and a Retry sees
each mocked ``Throw`` as a failed attempt.
"""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.conftest import ROLE, client_for, error_of
from ferry.api import ApiServer
from ferry.integrations.mock import MockedTasks, parse_mock_config
from ferry.jsontypes import JSON
from ferry.runner.durable import DurableRunner
from ferry.runner.local import default_integrations
from ferry.store import open_store

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:"
MAX_POLLS = 1_500
LAMBDA_OK: JSON = {"StatusCode": 200, "Payload": {"body": "mocked"}}
MOCKS: JSON = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk", "Notify": "NotifyOk"},
                "RetryPath": {"Charge": "ChargeRetry", "Notify": "NotifyOk"},
                "HybridPath": {"Charge": "ChargeOk"},
                "FailPath": {"Charge": "ChargeFails"},
            }
        }
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": LAMBDA_OK}},
        "NotifyOk": {"0": {"Return": {"MessageId": "m-1"}}},
        "ChargeRetry": {
            "0-1": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "2": {"Return": LAMBDA_OK},
        },
        "ChargeFails": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "no funds"}}},
    },
}
ORDERS: JSON = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            # No such function exists: only a mock can make this state succeed.
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": FUNCTION + "absent", "Payload.$": "$"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.TimeoutException"],
                    "IntervalSeconds": 1,
                    "MaxAttempts": 3,
                }
            ],
            "ResultPath": "$.charge",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": FUNCTION + "notify",
            "ResultPath": "$.notify",
            "End": True,
        },
    },
}
NOTIFY = """
def handler(event, context):
    return {"real": True}
"""


class JumpingClock:
    """Real time that jumps over Retry back-offs when nothing is running."""

    can_jump = True

    def __init__(self) -> None:
        self._now = 1_700_000_000.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current (virtual) time."""
        with self._lock:
            return self._now

    def jump_to(self, moment: float) -> None:
        """Move forward to ``moment``."""
        with self._lock:
            self._now = max(self._now, moment)


@dataclass
class MockApi:
    """A server with the MOCKS file loaded, and a client."""

    server: ApiServer
    sfn: Any
    machine_arn: str

    def run(self, case: str | None, data: str = '{"order": 7}') -> dict[str, Any]:
        """Start ``Orders`` (under ``case``) and return DescribeExecution once it closes."""
        arn = self.machine_arn if case is None else f"{self.machine_arn}#{case}"
        started = self.sfn.start_execution(stateMachineArn=arn, input=data)
        for _ in range(MAX_POLLS):
            described: dict[str, Any] = self.sfn.describe_execution(
                executionArn=started["executionArn"]
            )
            if described["status"] != "RUNNING":
                return described
            threading.Event().wait(0.01)
        raise AssertionError("the execution never closed")

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """The execution's history events."""
        events: list[dict[str, Any]] = self.sfn.get_execution_history(
            executionArn=execution_arn, maxResults=1000
        )["events"]
        return events


@pytest.fixture
def mock_api(tmp_path: Path) -> Iterator[MockApi]:
    functions = tmp_path / "functions"
    (functions / "notify").mkdir(parents=True)
    (functions / "notify" / "handler.py").write_text(textwrap.dedent(NOTIFY), encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'ferry.db'}")
    runner = DurableRunner(
        store,
        default_integrations(functions),
        clock=JumpingClock(),
        poll_seconds=0.01,
        mocks=MockedTasks(parse_mock_config(MOCKS)),
    )
    server = ApiServer(runner, port=0)
    server.start()
    sfn = client_for(server.url)

    created = sfn.create_state_machine(name="Orders", definition=json.dumps(ORDERS), roleArn=ROLE)
    try:
        yield MockApi(server, sfn, created["stateMachineArn"])
    finally:
        server.shutdown()
        store.close()


def test_happy_path_uses_every_mock(mock_api: MockApi) -> None:

    described = mock_api.run("HappyPath")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "order": 7,
        "charge": LAMBDA_OK,
        "notify": {"MessageId": "m-1"},
    }
    # The execution itself is an ordinary one of the machine (no "#" in its ARN).
    assert described["stateMachineArn"] == mock_api.machine_arn


def test_retry_path_counts_each_attempt(mock_api: MockApi) -> None:

    described = mock_api.run("RetryPath")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["charge"] == LAMBDA_OK
    events = mock_api.history(described["executionArn"])
    failed = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert (
        failed
        == [
            {
                "resourceType": "lambda",
                "resource": "invoke",
                "error": "Lambda.TimeoutException",
                "cause": "Lambda timed out.",
            }
        ]
        * 2
    )


def test_states_left_out_of_the_case_call_the_real_integration(mock_api: MockApi) -> None:

    described = mock_api.run("HybridPath")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["notify"] == {"real": True}


def test_throw_fails_the_execution_with_its_error(mock_api: MockApi) -> None:
    described = mock_api.run("FailPath")
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Card.Declined",
        "no funds",
    )


def test_without_a_case_the_real_integration_runs(mock_api: MockApi) -> None:
    described = mock_api.run(None)
    assert described["status"] == "FAILED"  # the function "absent" does not exist
    assert described["error"] != "Card.Declined"


def test_an_unknown_case_is_a_validation_error(mock_api: MockApi) -> None:
    code, message = error_of(
        lambda: mock_api.sfn.start_execution(stateMachineArn=f"{mock_api.machine_arn}#Nope")
    )
    assert code == "ValidationException"
    assert "no test case 'Nope'" in message
