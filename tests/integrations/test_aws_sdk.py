"""The AWS SDK integration end to end: definitions run by ``ferry.runner.local.run`` against moto.

Rules from docs step-functions/latest/dg/supported-services-awssdk.html: the action is the API
operation in camelCase, parameters are PascalCase even for camelCase APIs, the result is the
API response, and errors are ``ServiceName.ErrorName`` with the ``Exception`` suffix always
present (the page's own example: S3's ``BucketAlreadyExists`` is caught as
``S3.BucketAlreadyExistsException``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from ferry.integrations.aws_sdk import AwsSdkIntegration
from ferry.integrations.base import TaskFailure
from ferry.jsontypes import JSON
from ferry.runner.local import ExecutionResult, run
from integrations.test_aws_moto import aws, endpoints, moto_server, request, unique

ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3,6})?Z$")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def sdk(moto_url: str) -> AwsSdkIntegration:
    return AwsSdkIntegration(endpoints=endpoints(moto_url))


def _task(resource: str, parameters: dict[str, JSON], **extra: JSON) -> dict[str, JSON]:
    state: dict[str, JSON] = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::aws-sdk:{resource}",
        "Parameters": parameters,
        "End": True,
    }
    state.update(extra)
    return {"StartAt": "Call", "States": {"Call": state}}


def _run(sdk: AwsSdkIntegration, definition: dict[str, JSON], data: JSON) -> ExecutionResult:
    return run(definition, data, integrations=[sdk])


def test_put_then_get_object_returns_the_api_response(
    sdk: AwsSdkIntegration, moto_url: str
) -> None:
    bucket = unique("sdk")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket.$": "$.bucket", "Key": "greeting.txt", "Body.$": "$.text"},
                "ResultPath": "$.put",
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket.$": "$.bucket", "Key": "greeting.txt"},
                "End": True,
            },
        },
    }
    result = _run(sdk, definition, {"bucket": bucket, "text": "hello ferry"})
    assert result.status == "SUCCEEDED", result.cause
    out: dict[str, Any] = result.output
    assert out["Body"] == "hello ferry"  # a streamed body comes back as its text
    assert out["ContentLength"] == len("hello ferry")
    assert ISO_INSTANT.match(out["LastModified"]), out["LastModified"]
    assert "ResponseMetadata" not in out
    body = aws("s3", moto_url).get_object(Bucket=bucket, Key="greeting.txt")["Body"].read()
    assert body == b"hello ferry"


def test_missing_key_fails_as_s3_no_such_key_exception(
    sdk: AwsSdkIntegration, moto_url: str
) -> None:
    bucket = unique("sdk")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    result = _run(sdk, _task("s3:getObject", {"Bucket": bucket, "Key": "absent"}), {})
    assert result.status == "FAILED"
    assert result.error == "S3.NoSuchKeyException"
    assert result.cause is not None
    assert result.cause.startswith(
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: "
    )


def test_catch_on_the_service_error_name(sdk: AwsSdkIntegration, moto_url: str) -> None:
    bucket = unique("sdk")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    catch = [{"ErrorEquals": ["S3.NoSuchKeyException"], "Next": "Missing"}]
    definition = _task("s3:getObject", {"Bucket": bucket, "Key": "absent"}, Catch=catch)
    definition["States"]["Missing"] = {"Type": "Pass", "End": True}
    result = _run(sdk, definition, {})
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "S3.NoSuchKeyException"


def test_head_object_404_is_named_after_the_missing_key(
    sdk: AwsSdkIntegration, moto_url: str
) -> None:
    bucket = unique("sdk")
    aws("s3", moto_url).create_bucket(Bucket=bucket)
    outcome = sdk.invoke(
        request("arn:aws:states:::aws-sdk:s3:headObject", {"Bucket": bucket, "Key": "absent"})
    )
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "S3.NoSuchKeyException"


def test_dynamodb_error_prefix_is_the_sdk_client_name(sdk: AwsSdkIntegration) -> None:
    parameters = {"TableName": unique("absent"), "Key": {"id": {"S": "1"}}}
    result = _run(sdk, _task("dynamodb:getItem", parameters), {})
    assert result.status == "FAILED"
    assert result.error == "DynamoDb.ResourceNotFoundException"
    assert result.cause is not None
    assert "(Service: DynamoDb, Status Code: 400, Request ID: " in result.cause


def test_pascal_case_parameters_bind_to_a_camel_case_api(sdk: AwsSdkIntegration) -> None:
    # ECS's members are camelCase (clusterName); Step Functions writes them in PascalCase and
    # answers in PascalCase too.
    name = unique("cluster")
    result = _run(sdk, _task("ecs:createCluster", {"ClusterName": name}), {})
    assert result.status == "SUCCEEDED", result.cause
    cluster = result.output["Cluster"]
    assert cluster["ClusterName"] == name
    assert cluster["Status"] == "ACTIVE"


def test_sfn_names_the_step_functions_client(sdk: AwsSdkIntegration) -> None:
    result = _run(sdk, _task("sfn:listStateMachines", {}), {})
    assert result.status == "SUCCEEDED", result.cause
    assert isinstance(result.output["StateMachines"], list)


def test_an_object_for_a_string_member_is_sent_as_json_text(
    sdk: AwsSdkIntegration, moto_url: str
) -> None:
    queue = aws("sqs", moto_url).create_queue(QueueName=unique("sdk"))["QueueUrl"]
    parameters = {"QueueUrl": queue, "MessageBody": {"order": 7}}
    result = _run(sdk, _task("sqs:sendMessage", parameters), {})
    assert result.status == "SUCCEEDED", result.cause
    got = aws("sqs", moto_url).receive_message(QueueUrl=queue)["Messages"][0]
    assert got["Body"] == '{"order":7}'


def test_a_parameter_the_api_rejects_fails_the_task(sdk: AwsSdkIntegration) -> None:
    result = _run(sdk, _task("s3:getObject", {"Bucket": "b", "Key": "k", "Nope": 1}), {})
    assert result.status == "FAILED"
    assert result.error == "States.TaskFailed"
    assert result.cause is not None
    assert "Nope" in result.cause


def test_an_unknown_action_is_a_runtime_error(sdk: AwsSdkIntegration) -> None:
    outcome = sdk.invoke(request("arn:aws:states:::aws-sdk:s3:noSuchThing", {}))
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "States.Runtime"


def test_handles_only_aws_sdk_resources(sdk: AwsSdkIntegration) -> None:
    assert sdk.handles("arn:aws:states:::aws-sdk:s3:listBuckets")
    assert sdk.handles("arn:aws:states:eu-west-1:123456789012:aws-sdk:s3:listBuckets")
    assert not sdk.handles("arn:aws:states:::sqs:sendMessage")
    assert not sdk.handles("arn:aws:states:::aws-sdk:s3:listBuckets.sync")
