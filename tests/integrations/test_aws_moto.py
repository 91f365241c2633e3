"""A moto server on loopback as the AWS endpoint, and how integrations find their endpoint.

The fixtures here are shared by the other ``test_aws_*`` modules. Endpoint rules: an explicit
per-service override wins; otherwise botocore's ``AWS_ENDPOINT_URL`` /
``AWS_ENDPOINT_URL_<SERVICE>`` apply (AWS SDKs reference guide, "Service-specific endpoints").
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from ferry.integrations.aws_clients import ClientPool
from ferry.integrations.aws_sdk import AwsSdkIntegration
from ferry.integrations.base import TaskRequest, TaskSuccess
from ferry.integrations.lambda_ import LambdaIntegration
from ferry.jsontypes import JSON
from ferry.runner.local import default_integrations, run

REGION = "us-east-1"
_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port), with fake credentials set; yields its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in _CREDENTIALS.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """The moto server of this module's tests."""
    with moto_server() as url:
        yield url


def aws(service: str, url: str) -> Any:
    """A plain boto3 client on the moto server, to set up and check what a task did."""
    return boto3.client(service, region_name=REGION, endpoint_url=url)  # type: ignore[call-overload]


def endpoints(url: str) -> dict[str, str]:
    """Every service the tests touch, pointed at ``url``."""
    names = ("s3", "dynamodb", "sns", "sqs", "events", "ecs", "stepfunctions", "ec2")
    return dict.fromkeys(names, url)


def unique(prefix: str) -> str:
    """A resource name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def request(resource: str, payload: JSON) -> TaskRequest:
    """A task attempt outside any execution."""
    context = {
        "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e"},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:m"},
    }
    return TaskRequest(resource, payload, context, None, "key")


def test_constructor_endpoint_override_reaches_the_local_server(moto_url: str) -> None:
    bucket = unique("override")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    sdk = AwsSdkIntegration(endpoints={"s3": moto_url})
    outcome = sdk.invoke(request("arn:aws:states:::aws-sdk:s3:listBuckets", {}))
    assert isinstance(outcome, TaskSuccess)
    assert bucket in [b["Name"] for b in outcome.result["Buckets"]]


def test_aws_endpoint_url_environment_variable_is_honoured(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = unique("envurl")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    outcome = AwsSdkIntegration().invoke(request("arn:aws:states:::aws-sdk:s3:listBuckets", {}))
    assert isinstance(outcome, TaskSuccess)
    assert bucket in [b["Name"] for b in outcome.result["Buckets"]]


def test_service_specific_endpoint_variable_is_honoured(
    moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = unique("envsqs")
    aws("sqs", moto_url).create_queue(QueueName=queue)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", moto_url)
    outcome = AwsSdkIntegration().invoke(
        request("arn:aws:states:::aws-sdk:sqs:listQueues", {"QueueNamePrefix": queue})
    )
    assert isinstance(outcome, TaskSuccess)
    assert [url.rsplit("/", 1)[-1] for url in outcome.result["QueueUrls"]] == [queue]


def test_region_comes_from_the_resource_arn_else_the_default(moto_url: str) -> None:
    pool = ClientPool({"s3": moto_url})
    assert pool.client("s3", "eu-west-1").meta.region_name == "eu-west-1"
    assert pool.client("s3", None).meta.region_name == REGION


def test_one_client_per_service_region_and_endpoint(moto_url: str) -> None:
    pool = ClientPool({"s3": moto_url})
    assert pool.client("s3", "eu-west-1") is pool.client("s3", "eu-west-1")
    assert pool.client("s3", "eu-west-1") is not pool.client("s3", "eu-west-2")
    assert pool.client("s3", None).meta.endpoint_url == moto_url


def test_default_integrations_run_service_tasks_after_lambda(moto_url: str, tmp_path: Path) -> None:
    integrations = default_integrations(tmp_path, endpoints(moto_url))
    assert isinstance(integrations[0], LambdaIntegration)
    queue = aws("sqs", moto_url).create_queue(QueueName=unique("default"))["QueueUrl"]
    definition = {
        "StartAt": "Optimized",
        "States": {
            "Optimized": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": queue, "MessageBody": "one"},
                "ResultPath": None,
                "Next": "Sdk",
            },
            "Sdk": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueAttributes",
                "Parameters": {"QueueUrl": queue, "AttributeNames": ["All"]},
                "End": True,
            },
        },
    }
    result = run(definition, {}, integrations=integrations)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Attributes"]["ApproximateNumberOfMessages"] == "1"
