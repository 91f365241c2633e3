"""A real Ferry API server on a free loopback port, and boto3 pointed at it.

Each test gets its own SQLite store and functions directory under ``tmp_path``; the server is
:class:`ferry.api.ApiServer` (uvicorn plus the durable runner's loop on threads), torn down
with the test.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ferry.api import ApiServer, ApiSettings
from ferry.api.protocol import Actions
from ferry.jsontypes import JSON
from ferry.runner.clock import Clock
from ferry.runner.durable import DurableRunner
from ferry.runner.local import default_integrations
from ferry.store import open_store

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ferry-test"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"
# Bound on status polls while a test waits for an execution to close; reaching it means the
# server is stuck, not slow.
MAX_POLLS = 1_500
PASS_MACHINE: JSON = {
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "End": True}},
}


def client_for(url: str) -> Any:
    """A boto3 Step Functions client for ``url`` (no retries: a test sees the first answer)."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        # StartSyncExecution's endpoint is "sync-" + host on AWS; on loopback there is none.
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, inject_host_prefix=False),
    )


def error_code(call: Callable[[], object]) -> str:
    """The AWS error code ``call`` fails with (it must fail with a ClientError)."""
    with pytest.raises(ClientError) as info:
        call()
    return str(info.value.response["Error"]["Code"])


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    """The AWS error code and message ``call`` fails with."""
    with pytest.raises(ClientError) as info:
        call()
    error = info.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


@dataclass
class Api:
    """One test's server and client."""

    server: ApiServer
    sfn: Any
    functions: Path

    @property
    def url(self) -> str:
        """The server's endpoint URL."""
        return self.server.url

    def function(self, name: str, body: str) -> str:
        """Write Lambda handler ``name`` (module ``handler``); return its ARN."""
        target = self.functions / name / "handler.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body), encoding="utf-8")
        return FUNCTION + name

    def machine(self, definition: JSON, name: str = "Demo", **extra: Any) -> str:
        """Create a state machine through the API; return its ARN."""
        response = self.sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE, **extra
        )
        return str(response["stateMachineArn"])

    def wait_closed(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution once the execution is no longer RUNNING (bounded polls)."""
        for _ in range(MAX_POLLS):
            described: dict[str, Any] = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.01)
        raise AssertionError(f"{execution_arn} never closed")


def start_server(
    tmp_path: Path,
    clock: Clock | None = None,
    settings: ApiSettings | None = None,
    extra: Iterable[Actions] = (),
) -> ApiServer:
    """A started server over a fresh SQLite store in ``tmp_path`` (functions in tmp/functions)."""
    functions = tmp_path / "functions"
    functions.mkdir(exist_ok=True)
    store = open_store(f"sqlite:///{tmp_path / 'ferry.db'}")
    runner = DurableRunner(store, default_integrations(functions), clock=clock, poll_seconds=0.01)
    server = ApiServer(runner, settings, port=0, extra=extra)
    server.start()
    return server


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A running server and a boto3 client for it."""
    server = start_server(tmp_path)
    try:
        yield Api(server, client_for(server.url), tmp_path / "functions")
    finally:
        server.shutdown()
        server.runner.store.close()
