"""Activity tasks that ended before a worker came are never handed out; the AWS CLI as a worker.

AWS (GetActivityTask): the poll "responds as soon as a task becomes available"; a task whose
execution stopped or whose TimeoutSeconds passed is no longer available, and its token answers
``TaskTimedOut`` (see :mod:`ferry.api.tasks`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ferry.api import ApiSettings
from ferry.runner.clock import VirtualClock

from .conftest import Api, client_for, start_server
from .test_activities import POLL_SECONDS, activity_machine, history_types

AWS_CLI = Path(sys.executable).parent / "aws"
SHORT_POLL = ApiSettings(activity_poll_seconds=POLL_SECONDS)


@pytest.fixture
def virtual_api(tmp_path: Path) -> Iterator[Api]:
    """A server on a virtual clock: with no task running, it jumps to the next timer."""
    server = start_server(tmp_path, clock=VirtualClock(), settings=SHORT_POLL)
    try:
        yield Api(server, client_for(server.url), tmp_path / "functions")
    finally:
        server.shutdown()
        server.runner.store.close()


def test_timed_out_task_is_not_handed_out(virtual_api: Api) -> None:
    api = virtual_api
    activity = api.sfn.create_activity(name="Slow")["activityArn"]
    arn = api.machine(activity_machine(activity, TimeoutSeconds=300))
    started = api.sfn.start_execution(stateMachineArn=arn, input="{}")
    described = api.wait_closed(started["executionArn"])  # nobody polled within 300 s
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert "ActivityTimedOut" in history_types(api, started["executionArn"])
    assert "taskToken" not in api.sfn.get_activity_task(activityArn=activity)


def test_task_of_a_stopped_execution_is_not_handed_out(tmp_path: Path) -> None:
    server = start_server(tmp_path, settings=SHORT_POLL)
    try:
        api = Api(server, client_for(server.url), tmp_path / "functions")
        activity = api.sfn.create_activity(name="Work")["activityArn"]
        arn = api.machine(activity_machine(activity))
        started = api.sfn.start_execution(stateMachineArn=arn, input="{}")
        api.sfn.stop_execution(executionArn=started["executionArn"])
        assert api.wait_closed(started["executionArn"])["status"] == "ABORTED"
        assert "taskToken" not in api.sfn.get_activity_task(activityArn=activity)
    finally:
        server.shutdown()
        server.runner.store.close()


def _aws(url: str, *args: str) -> dict[str, object]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    command = [str(AWS_CLI), "stepfunctions", *args, "--endpoint-url", url, "--output", "json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    parsed: dict[str, object] = json.loads(done.stdout) if done.stdout.strip() else {}
    return parsed


def test_aws_cli_worker_round_trip(api: Api) -> None:
    created = _aws(api.url, "create-activity", "--name", "FromCli")
    activity = str(created["activityArn"])
    described = _aws(api.url, "describe-activity", "--activity-arn", activity)
    assert described["name"] == "FromCli"
    arn = api.machine(activity_machine(activity))
    started = api.sfn.start_execution(stateMachineArn=arn, input='{"job": 42}')
    task = _aws(
        api.url, "get-activity-task", "--activity-arn", activity, "--worker-name", "cli-worker"
    )
    assert json.loads(str(task["input"])) == {"job": 42}
    _aws(
        api.url, "send-task-success",
        "--task-token", str(task["taskToken"]), "--task-output", '{"done": 42}',
    )  # fmt: skip
    closed = api.wait_closed(started["executionArn"])
    assert (closed["status"], json.loads(closed["output"])) == ("SUCCEEDED", {"done": 42})
    events = api.sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    started_events = [e for e in events if e["type"] == "ActivityStarted"]
    assert started_events[0]["activityStartedEventDetails"] == {"workerName": "cli-worker"}
    listed = _aws(api.url, "list-activities")
    assert listed["activities"] == [
        {"activityArn": activity, "name": "FromCli", "creationDate": created["creationDate"]}
    ]
