"""``ferry server`` as a process driven by the AWS CLI; Lambda and callback tasks via boto3;
tags.

The callback pattern is AWS's (https://docs.aws.amazon.com/step-functions/latest/dg/
connect-to-resource.html#connect-wait-token): the task pauses until SendTaskSuccess or
SendTaskFailure returns its token.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import MAX_POLLS, PASS_MACHINE, Api, client_for, error_code, error_of

AWS_CLI = Path(sys.executable).parent / "aws"
WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken"
TOKEN_MACHINE_NAME = "Approval"


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``ferry server --port 0`` on a fresh store; yields the process and its URL."""
    command = [
        sys.executable, "-m", "ferry.cli.main", "server",
        "--store", f"sqlite:///{tmp_path / 'cli.db'}", "--port", "0",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()  # "ferry server: URL, store ..., owner ..."
        assert banner.startswith("ferry server: http://127.0.0.1:"), banner
        yield process, banner.split()[2].rstrip(",")
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


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
    parsed: dict[str, object] = json.loads(done.stdout)
    return parsed


def test_aws_cli_against_ferry_server_then_sigterm(
    server_process: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = server_process
    assert _aws(url, "list-state-machines") == {"stateMachines": []}
    created = _aws(
        url, "create-state-machine", "--name", "FromCli",
        "--definition", json.dumps(PASS_MACHINE), "--role-arn", "arn:aws:iam::123456789012:role/r",
    )  # fmt: skip
    arn = str(created["stateMachineArn"])
    assert arn.endswith(":stateMachine:FromCli")
    started = _aws(url, "start-execution", "--state-machine-arn", arn, "--input", '{"x": 1}')
    sfn = client_for(url)
    for _ in range(MAX_POLLS):
        described = sfn.describe_execution(executionArn=started["executionArn"])
        if described["status"] != "RUNNING":
            break
        time.sleep(0.01)
    assert described["status"] == "SUCCEEDED"
    listed = _aws(url, "list-state-machines")
    assert [m["name"] for m in listed["stateMachines"]] == ["FromCli"]  # type: ignore[attr-defined]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0


def test_lambda_task_through_start_execution(api: Api) -> None:
    double = api.function(
        "double",
        """
        def handler(event, context):
            return {"doubled": event["n"] * 2, "request": context.aws_request_id != ""}
        """,
    )
    definition = {
        "StartAt": "Double",
        "States": {"Double": {"Type": "Task", "Resource": double, "End": True}},
    }
    arn = api.machine(definition, name="Doubler")
    execution = api.sfn.start_execution(stateMachineArn=arn, input='{"n": 21}')["executionArn"]
    described = api.wait_closed(execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"doubled": 42, "request": True}
    types = [e["type"] for e in api.sfn.get_execution_history(executionArn=execution)["events"]]
    assert "LambdaFunctionSucceeded" in types


def _token_machine(api: Api) -> str:
    tokens = api.functions / "tokens.txt"
    api.function(
        "park",
        f"""
        def handler(event, context):
            with open({str(tokens)!r}, "a") as out:
                out.write(event["token"] + "\\n")
            return {{}}
        """,
    )
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": WAIT_FOR_TOKEN,
                "Parameters": {"FunctionName": "park", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    return api.machine(definition, name=TOKEN_MACHINE_NAME)


def _next_token(api: Api, count: int) -> str:
    tokens = api.functions / "tokens.txt"
    for _ in range(MAX_POLLS):
        lines = tokens.read_text().split() if tokens.exists() else []
        if len(lines) >= count:
            return lines[count - 1]
        time.sleep(0.01)
    raise AssertionError("the callback handler never ran")


def test_callback_task_answered_with_send_task_success(api: Api) -> None:
    arn = _token_machine(api)
    execution = api.sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token = _next_token(api, 1)
    api.sfn.send_task_heartbeat(taskToken=token)
    api.sfn.send_task_success(taskToken=token, output='{"approved": true}')
    described = api.wait_closed(execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    # The task has ended: AWS's TaskTimedOut, with its text.
    code, message = error_of(lambda: api.sfn.send_task_success(taskToken=token, output="{}"))
    assert (code, message) == (
        "TaskTimedOut",
        "Task Timed Out: 'Provided task does not exist anymore'",
    )
    assert error_code(lambda: api.sfn.send_task_heartbeat(taskToken=token)) == "TaskTimedOut"


def test_callback_task_failure_and_token_errors(api: Api) -> None:
    arn = _token_machine(api)
    execution = api.sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token = _next_token(api, 1)
    bad = lambda: api.sfn.send_task_success(taskToken=token, output="{nope")  # noqa: E731
    assert error_code(bad) == "InvalidOutput"
    api.sfn.send_task_failure(taskToken=token, error="Rejected", cause="no budget")
    described = api.wait_closed(execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "no budget",
    )
    assert (
        error_code(lambda: api.sfn.send_task_success(taskToken="unknown", output="{}"))
        == "InvalidToken"
    )
    assert error_code(lambda: api.sfn.send_task_failure(taskToken="unknown")) == "InvalidToken"


def test_tags_on_create_tag_untag_and_list(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Tagged", tags=[{"key": "team", "value": "core"}])
    assert api.sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "core"}
    ]
    api.sfn.tag_resource(
        resourceArn=arn, tags=[{"key": "env", "value": ""}, {"key": "team", "value": "ops"}]
    )
    tags = api.sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    assert sorted((t["key"], t["value"]) for t in tags) == [("env", ""), ("team", "ops")]
    api.sfn.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert api.sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": ""}]
    gone = arn + "Gone"
    code, message = error_of(lambda: api.sfn.tag_resource(resourceArn=gone, tags=[]))
    assert (code, message) == ("ResourceNotFound", f"Resource not found: '{gone}'")
    assert error_code(lambda: api.sfn.list_tags_for_resource(resourceArn="bad")) == "InvalidArn"
