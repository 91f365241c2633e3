"""Optimized integrations end to end against a loopback moto server.

Request/response shapes: docs step-functions/latest/dg/connect-sns.html, connect-sqs.html,
connect-ddb.html, connect-eventbridge.html, connect-ecs.html.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from ferry.integrations.aws_optimized import AwsOptimizedIntegration
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.jsontypes import JSON
from ferry.runner.local import ExecutionResult, run
from integrations.test_aws_moto import aws, endpoints, moto_server, request, unique


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def opt(moto_url: str) -> AwsOptimizedIntegration:
    return AwsOptimizedIntegration(endpoints=endpoints(moto_url), poll_seconds=0.05)


def _task(resource: str, parameters: dict[str, JSON], **extra: JSON) -> dict[str, Any]:
    state: dict[str, JSON] = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::{resource}",
        "Parameters": parameters,
        "End": True,
    }
    state.update(extra)
    return {"StartAt": "Call", "States": {"Call": state}}


def _run(opt: AwsOptimizedIntegration, definition: JSON, data: JSON) -> ExecutionResult:
    return run(definition, data, integrations=[opt])


def _queue(url: str) -> str:
    queue: str = aws("sqs", url).create_queue(QueueName=unique("q"))["QueueUrl"]
    return queue


def _received(url: str, queue: str) -> list[dict[str, Any]]:
    answer = aws("sqs", url).receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    return list(answer.get("Messages", []))


def _assert_sdk_metadata(output: dict[str, Any]) -> None:
    # The Java SDK 1.x response metadata Step Functions adds to sns/sqs results.
    meta = output["SdkHttpMetadata"]
    assert meta["HttpStatusCode"] == 200
    assert meta["AllHttpHeaders"]["Content-Type"] == [meta["HttpHeaders"]["Content-Type"]]
    assert output["SdkResponseMetadata"]["RequestId"]


def test_sqs_send_message_sends_an_object_body_as_json_text(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    queue = _queue(moto_url)
    parameters = {"QueueUrl": queue, "MessageBody.$": "$.order"}
    result = _run(opt, _task("sqs:sendMessage", parameters), {"order": {"id": 7}})
    assert result.status == "SUCCEEDED", result.cause
    [message] = _received(moto_url, queue)
    assert message["Body"] == '{"id":7}'
    assert result.output["MessageId"] == message["MessageId"]
    assert result.output["MD5OfMessageBody"] == hashlib.md5(b'{"id":7}').hexdigest()
    _assert_sdk_metadata(result.output)


def test_sqs_drops_parameters_the_integration_does_not_support(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    queue = _queue(moto_url)
    parameters = {
        "QueueUrl": queue,
        "MessageBody": "test",
        "MessageSystemAttribute": {"AWSTraceHeader": "test"},
    }
    result = _run(opt, _task("sqs:sendMessage", parameters), {})
    assert result.status == "SUCCEEDED", result.cause
    assert [m["Body"] for m in _received(moto_url, queue)] == ["test"]


def test_sqs_missing_queue_fails_with_the_sqs_prefix(opt: AwsOptimizedIntegration) -> None:
    missing = "http://127.0.0.1/123456789012/" + unique("absent")
    outcome = opt.invoke(
        request("arn:aws:states:::sqs:sendMessage", {"QueueUrl": missing, "MessageBody": "x"})
    )
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "SQS.QueueDoesNotExistException"
    assert outcome.cause is not None
    assert "(Service: AmazonSQS; Status Code: 400; Error Code: " in outcome.cause


def test_sns_publish_reaches_a_subscribed_queue(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    sns = aws("sns", moto_url)
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    queue = _queue(moto_url)
    queue_arn = aws("sqs", moto_url).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    parameters = {"TopicArn": topic, "Message.$": "$"}
    result = _run(opt, _task("sns:publish", parameters), {"hello": "world"})
    assert result.status == "SUCCEEDED", result.cause
    [message] = _received(moto_url, queue)
    envelope = json.loads(message["Body"])
    assert envelope["Message"] == '{"hello":"world"}'
    assert envelope["MessageId"] == result.output["MessageId"]
    _assert_sdk_metadata(result.output)


def test_sns_missing_topic_fails_with_the_sns_prefix(opt: AwsOptimizedIntegration) -> None:
    topic = "arn:aws:sns:us-east-1:123456789012:" + unique("absent")
    outcome = opt.invoke(
        request("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": "x"})
    )
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "SNS.NotFoundException"
    assert outcome.cause is not None
    assert "(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; " in outcome.cause


def _table(url: str) -> str:
    name = unique("table")
    aws("dynamodb", url).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_dynamodb_put_update_get_delete(opt: AwsOptimizedIntegration, moto_url: str) -> None:
    table = _table(moto_url)
    key = {"id": {"S.$": "$.id"}}
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": table,
                    "Item": {"id": {"S.$": "$.id"}, "n": {"N": "1"}},
                },
                "ResultPath": "$.put",
                "Next": "Update",
            },
            "Update": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": table,
                    "Key": key,
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                    "ReturnValues": "ALL_NEW",
                },
                "ResultPath": "$.update",
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": table, "Key": key},
                "ResultPath": "$.get",
                "End": True,
            },
        },
    }
    result = _run(opt, definition, {"id": "a1"})
    assert result.status == "SUCCEEDED", result.cause
    assert "Attributes" not in result.output["put"]
    assert result.output["update"]["Attributes"] == {"id": {"S": "a1"}, "n": {"N": "2"}}
    assert result.output["get"]["Item"] == {"id": {"S": "a1"}, "n": {"N": "2"}}
    deleted = _run(
        opt, _task("dynamodb:deleteItem", {"TableName": table, "Key": key}), {"id": "a1"}
    )
    assert deleted.status == "SUCCEEDED", deleted.cause
    assert "Item" not in aws("dynamodb", moto_url).get_item(
        TableName=table, Key={"id": {"S": "a1"}}
    )


def test_dynamodb_missing_table_is_caught_by_its_error_name(opt: AwsOptimizedIntegration) -> None:
    parameters = {"TableName": unique("absent"), "Key": {"id": {"S": "1"}}}
    catch = [{"ErrorEquals": ["DynamoDB.ResourceNotFoundException"], "Next": "Missing"}]
    definition = _task("dynamodb:getItem", parameters, Catch=catch)
    definition["States"]["Missing"] = {"Type": "Pass", "End": True}
    result = _run(opt, definition, {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Error"] == "DynamoDB.ResourceNotFoundException"
    assert (
        "(Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: " in result.output["Cause"]
    )
    assert result.output["Cause"].endswith("; Proxy: null)")


def test_events_put_events_sends_detail_as_text_with_the_execution_arns(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    events = aws("events", moto_url)
    queue = _queue(moto_url)
    queue_arn = aws("sqs", moto_url).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    source = unique("ferry.test")
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    entry = {"Source": source, "DetailType": "Order", "Detail.$": "$"}
    result = _run(opt, _task("events:putEvents", {"Entries": [entry]}), {"order": 7})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["FailedEntryCount"] == 0
    assert len(result.output["Entries"]) == 1
    [message] = _received(moto_url, queue)
    event = json.loads(message["Body"])
    assert event["detail"] == {"order": 7}
    assert result.execution_arn in event["resources"]
    assert any(":stateMachine:" in arn for arn in event["resources"])


def _ecs_task_definition(url: str) -> tuple[str, str]:
    """A cluster with one EC2 container instance, and a task definition to run on it."""
    ecs = aws("ecs", url)
    cluster = ecs.create_cluster(clusterName=unique("c"))["cluster"]["clusterArn"]
    ec2 = aws("ec2", url)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]
    document = json.dumps({"instanceId": instance["InstanceId"]})
    ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=document)
    family = unique("family")
    ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "main", "image": "busybox", "memory": 64}],
    )
    return cluster, family


def _run_task_parameters(cluster: str, family: str) -> dict[str, JSON]:
    return {"Cluster": cluster, "TaskDefinition": family, "LaunchType": "EC2"}


def test_ecs_run_task_answers_the_described_task(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    cluster, family = _ecs_task_definition(moto_url)
    parameters = _run_task_parameters(cluster, family)
    outcome = opt.invoke(request("arn:aws:states:::ecs:runTask", parameters))
    assert isinstance(outcome, TaskSuccess), outcome
    [task] = outcome.result["Tasks"]
    assert task["ClusterArn"] == cluster
    assert family in task["TaskDefinitionArn"]


def test_ecs_run_task_sync_waits_until_the_task_stops(
    opt: AwsOptimizedIntegration, moto_url: str
) -> None:
    cluster, family = _ecs_task_definition(moto_url)
    ecs = aws("ecs", moto_url)
    done = threading.Event()
    stopper = threading.Thread(target=_stop_first_task, args=(ecs, cluster, done), daemon=True)
    stopper.start()
    parameters = _run_task_parameters(cluster, family)
    result = _run(opt, _task("ecs:runTask.sync", parameters), {})
    done.set()
    stopper.join(timeout=10)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["LastStatus"] == "STOPPED"
    assert result.output["StartedBy"] == "AWS Step Functions"


def _stop_first_task(ecs: Any, cluster: str, done: threading.Event) -> None:
    # Plays the container finishing: moto's tasks run until someone stops them.
    while not done.wait(0.05):
        arns = ecs.list_tasks(cluster=cluster)["taskArns"]
        if arns:
            ecs.stop_task(cluster=cluster, task=arns[0], reason="done")
            return


def test_handles_only_the_documented_apis(opt: AwsOptimizedIntegration) -> None:
    assert opt.handles("arn:aws:states:::sqs:sendMessage")
    assert opt.handles("arn:aws:states:::dynamodb:updateItem")
    assert opt.handles("arn:aws:states:::ecs:runTask.sync")
    assert opt.handles("arn:aws:states:us-east-1:123456789012:sns:publish")
    assert not opt.handles("arn:aws:states:::sqs:sendMessage.sync")
    assert not opt.handles("arn:aws:states:::dynamodb:scan")
    assert not opt.handles("arn:aws:states:::aws-sdk:sqs:sendMessage")
