"""Optimized integrations: sns, sqs, dynamodb item calls, events:putEvents, ecs:runTask.

Each takes only the parameters Step Functions documents for it (others are dropped, as AWS
drops them: an SQS ``MessageSystemAttribute`` never reaches the queue) and answers in its own
shape (docs: step-functions/latest/dg/connect-sns.html, connect-sqs.html, connect-ddb.html,
connect-eventbridge.html, connect-ecs.html):

* ``sns:publish`` / ``sqs:sendMessage`` — a ``Message``/``MessageBody`` that is not a string
  is sent as its JSON text; the result is the API response plus ``SdkHttpMetadata`` and
  ``SdkResponseMetadata`` (the AWS SDK for Java 1.x response metadata Step Functions exposes).
* ``dynamodb:getItem|putItem|updateItem|deleteItem`` — the API response as is.
* ``events:putEvents`` — an object ``Detail`` is sent as JSON text, the state machine and
  execution ARNs are appended to each entry's ``Resources``, and a response with a non-zero
  ``FailedEntryCount`` fails as ``EventBridge.FailedEntry`` with the response as cause.
* ``ecs:runTask`` — the result is the started task as ``DescribeTasks`` describes it;
  ``ecs:runTask.sync`` sets ``StartedBy: AWS Step Functions``, polls ``DescribeTasks`` until
  the task is ``STOPPED`` (bounded by the Task's ``TimeoutSeconds`` or ``sync_timeout``) and
  answers the task; an essential container that exited non-zero fails as ``States.TaskFailed``.

Service errors are named by :func:`ferry.integrations.aws_errors.optimized_failure`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError

from ferry.errors import StatesError
from ferry.integrations.aws_clients import ClientPool
from ferry.integrations.aws_errors import OptimizedNaming, optimized_failure, task_failed
from ferry.integrations.aws_shapes import to_json, to_request
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON, dumps

_RESOURCE = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:"
    r"(?P<service>sns|sqs|dynamodb|events|ecs):(?P<action>[a-zA-Z]+)(?P<sync>\.sync)?$"
)
_SNS = OptimizedNaming("SNS", "AmazonSNS", suffix=True)
_SQS = OptimizedNaming("SQS", "AmazonSQS", suffix=True)
_DYNAMODB = OptimizedNaming("DynamoDB", "AmazonDynamoDBv2", suffix=False)
_EVENTS = OptimizedNaming("EventBridge", "AmazonEventBridge", suffix=False)
_ECS = OptimizedNaming("ECS", "AmazonECS", suffix=False)
_DDB_READ = {"Key", "TableName", "ConsistentRead", "ExpressionAttributeNames"}
_DDB_WRITE = {
    "TableName",
    "ConditionExpression",
    "ConditionalOperator",
    "Expected",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ReturnConsumedCapacity",
    "ReturnItemCollectionMetrics",
    "ReturnValues",
}
_HEADER_CASE = {
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "date": "Date",
    "x-amzn-requestid": "x-amzn-RequestId",
    "x-amz-crc32": "x-amz-crc32",
}
STARTED_BY = "AWS Step Functions"


@dataclass(frozen=True, slots=True)
class _Spec:
    """One optimized API: its botocore call, accepted parameters and error naming."""

    service: str
    operation: str
    params: frozenset[str]
    naming: OptimizedNaming
    sdk_metadata: bool = False
    stringify: str | None = None


def _spec(
    service: str,
    operation: str,
    params: set[str],
    naming: OptimizedNaming,
    *,
    sdk_metadata: bool = False,
    stringify: str | None = None,
) -> _Spec:
    return _Spec(service, operation, frozenset(params), naming, sdk_metadata, stringify)


_SPECS: dict[tuple[str, str], _Spec] = {
    ("sns", "publish"): _spec(
        "sns",
        "Publish",
        {
            "Message",
            "MessageAttributes",
            "MessageStructure",
            "MessageDeduplicationId",
            "MessageGroupId",
            "PhoneNumber",
            "Subject",
            "TargetArn",
            "TopicArn",
        },
        _SNS,
        sdk_metadata=True,
        stringify="Message",
    ),
    ("sqs", "sendMessage"): _spec(
        "sqs",
        "SendMessage",
        {
            "DelaySeconds",
            "MessageAttributes",
            "MessageBody",
            "MessageDeduplicationId",
            "MessageGroupId",
            "QueueUrl",
        },
        _SQS,
        sdk_metadata=True,
        stringify="MessageBody",
    ),
    ("dynamodb", "getItem"): _spec(
        "dynamodb",
        "GetItem",
        _DDB_READ | {"AttributesToGet", "ProjectionExpression", "ReturnConsumedCapacity"},
        _DYNAMODB,
    ),
    ("dynamodb", "putItem"): _spec("dynamodb", "PutItem", _DDB_WRITE | {"Item"}, _DYNAMODB),
    ("dynamodb", "deleteItem"): _spec("dynamodb", "DeleteItem", _DDB_WRITE | {"Key"}, _DYNAMODB),
    ("dynamodb", "updateItem"): _spec(
        "dynamodb",
        "UpdateItem",
        _DDB_WRITE | {"Key", "AttributeUpdates", "UpdateExpression"},
        _DYNAMODB,
    ),
    ("events", "putEvents"): _spec("events", "PutEvents", {"Entries"}, _EVENTS),
    ("ecs", "runTask"): _spec(
        "ecs",
        "RunTask",
        {
            "Cluster",
            "Group",
            "LaunchType",
            "NetworkConfiguration",
            "Overrides",
            "PlacementConstraints",
            "PlacementStrategy",
            "PlatformVersion",
            "PropagateTags",
            "TaskDefinition",
            "EnableExecuteCommand",
            "CapacityProviderStrategy",
            "Count",
            "EnableECSManagedTags",
            "ReferenceId",
            "Tags",
        },
        _ECS,
    ),
}


class ServiceTaskError(Exception):
    """A task that fails with an error of Step Functions' own making (not a service's)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.failure = TaskFailure(error, cause)


class AwsOptimizedIntegration:
    """Runs the optimized sns, sqs, dynamodb, events and ecs integrations with boto3."""

    def __init__(
        self,
        endpoints: Mapping[str, str] | None = None,
        pool: ClientPool | None = None,
        *,
        poll_seconds: float = 5.0,
        sync_timeout: float = 3600.0,
    ) -> None:
        """Create the integration.

        Args:
            endpoints: Per-service endpoint overrides keyed by botocore service name.
            pool: Clients to share with other integrations.
            poll_seconds: Pause between ``DescribeTasks`` polls of ``ecs:runTask.sync``.
            sync_timeout: Longest wait for a ``.sync`` ECS task when the Task state sets no
                ``TimeoutSeconds``.
        """
        self.pool = pool or ClientPool(endpoints)
        self.poll_seconds = poll_seconds
        self.sync_timeout = sync_timeout

    def handles(self, resource: str) -> bool:
        """Whether ``resource`` is one of the optimized APIs this integration serves."""
        match = _RESOURCE.match(resource)
        if match is None or (match["service"], match["action"]) not in _SPECS:
            return False
        return not match["sync"] or match["service"] == "ecs"

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Run one attempt; never raises."""
        match = _RESOURCE.match(request.resource)
        assert match is not None
        spec = _SPECS[(match["service"], match["action"])]
        region = match["region"] or None
        try:
            return self._run(spec, request, region, sync=bool(match["sync"]))
        except ServiceTaskError as exc:
            return exc.failure
        except ClientError as exc:
            return optimized_failure(spec.naming, exc)
        except Exception as exc:  # invoke never raises into the engine
            return task_failed(exc)

    def _run(
        self, spec: _Spec, request: TaskRequest, region: str | None, *, sync: bool
    ) -> TaskOutcome:
        params = _accepted(spec, request.payload)
        if spec.service == "events":
            params = _event_entries(params, request.context)
        if sync:
            params["StartedBy"] = STARTED_BY
        client = self.pool.client(spec.service, region)
        response = self._call(client, spec, params)
        if spec.service == "events" and response.get("FailedEntryCount"):
            raise ServiceTaskError("EventBridge.FailedEntry", dumps(self._shape(spec, response)))
        if spec.service == "ecs":
            return self._ecs_result(client, response, request, sync=sync)
        result = self._shape(spec, response)
        if spec.sdk_metadata:
            result.update(_sdk_metadata(response.get("ResponseMetadata", {})))
        return TaskSuccess(result)

    def _call(self, client: Any, spec: _Spec, params: dict[str, JSON]) -> Any:
        operation = self.pool.model(spec.service).operation_model(spec.operation)
        method: Callable[..., Any] = getattr(client, xform_name(spec.operation))
        return method(**to_request(params, operation.input_shape))

    def _shape(self, spec: _Spec, response: Any, operation: str | None = None) -> Any:
        model = self.pool.model(spec.service).operation_model(operation or spec.operation)
        body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
        return to_json(body, model.output_shape)

    def _ecs_result(
        self, client: Any, response: Any, request: TaskRequest, *, sync: bool
    ) -> TaskOutcome:
        spec = _SPECS[("ecs", "runTask")]
        failures = response.get("failures") or []
        tasks = response.get("tasks") or []
        if not tasks:
            raise ServiceTaskError(StatesError.TASK_FAILED.value, dumps(to_json(failures, None)))
        cluster, arn = tasks[0]["clusterArn"], tasks[0]["taskArn"]
        if not sync:
            described = client.describe_tasks(cluster=cluster, tasks=[arn])
            return TaskSuccess(self._shape(spec, described, "DescribeTasks"))
        deadline = time.monotonic() + min(
            request.timeout_seconds or self.sync_timeout, self.sync_timeout
        )
        while True:
            described = client.describe_tasks(cluster=cluster, tasks=[arn])
            found = (described.get("tasks") or [{}])[0]
            if found.get("lastStatus") == "STOPPED":
                task = self._shape(spec, described, "DescribeTasks")["Tasks"][0]
                if _failed_container(task):
                    raise ServiceTaskError(StatesError.TASK_FAILED.value, dumps(task))
                return TaskSuccess(task)
            if time.monotonic() + self.poll_seconds > deadline:
                raise ServiceTaskError(
                    StatesError.TASK_FAILED.value,
                    f"The ECS task {arn} did not stop within the wait Ferry allows",
                )
            time.sleep(self.poll_seconds)


def _accepted(spec: _Spec, payload: JSON) -> dict[str, JSON]:
    params = payload if isinstance(payload, dict) else {}
    kept = {key: value for key, value in params.items() if key in spec.params}
    if spec.stringify and spec.stringify in kept and not isinstance(kept[spec.stringify], str):
        kept[spec.stringify] = dumps(kept[spec.stringify])
    return kept


def _event_entries(params: dict[str, JSON], context: JSON) -> dict[str, JSON]:
    """Entries as Step Functions sends them: object details as text, its ARNs as resources."""
    ctx = context if isinstance(context, dict) else {}
    arns = [
        part.get("Id")
        for part in (ctx.get("StateMachine"), ctx.get("Execution"))
        if isinstance(part, dict) and isinstance(part.get("Id"), str)
    ]
    entries: list[JSON] = []
    for given in params.get("Entries") or []:
        entry = dict(given) if isinstance(given, dict) else given
        if isinstance(entry, dict):
            if isinstance(entry.get("Detail"), dict):
                entry["Detail"] = dumps(entry["Detail"])
            entry["Resources"] = [*(entry.get("Resources") or []), *arns]
        entries.append(entry)
    return {**params, "Entries": entries}


def _failed_container(task: dict[str, JSON]) -> bool:
    for container in task.get("Containers") or []:
        code = container.get("ExitCode") if isinstance(container, dict) else None
        if isinstance(code, int) and code != 0:
            return True
    return False


def _sdk_metadata(meta: dict[str, Any]) -> dict[str, JSON]:
    headers = {
        _HEADER_CASE.get(name, name): str(value)
        for name, value in (meta.get("HTTPHeaders") or {}).items()
    }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": meta.get("HTTPStatusCode", 200),
        },
        "SdkResponseMetadata": {"RequestId": meta.get("RequestId", "")},
    }
