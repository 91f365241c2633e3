"""How Step Functions names the errors of AWS service calls.

AWS SDK integrations (docs: step-functions/latest/dg/supported-services-awssdk.html, "Using AWS
SDK service integrations"): the error is ``ServiceName.ErrorName``, both in PascalCase, and the
error name always carries the ``Exception`` suffix even where the service's API reference leaves
it out (``S3.NoSuchKey`` is reported as ``S3.NoSuchKeyException``). Step Functions runs these
calls with the AWS SDK for Java 2.x, so the service part is that SDK's client name
(``DynamoDb``, ``Sqs``, ``Sfn``, ``CloudWatchLogs``...) and an error the service model does not
declare is that SDK's catch-all ``<Service>Exception`` (``S3.S3Exception`` for a bodiless 404).
The cause is the SDK's message: ``<message> (Service: S3, Status Code: 404, Request ID: ...)``.

Optimized integrations (sns, sqs, dynamodb, events, ecs) run on the AWS SDK for Java 1.x and
report ``<PREFIX>.<ErrorCode>`` with that SDK's cause text:
``<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ...; Request ID: ...;
Proxy: null)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import ClientError

from ferry.errors import StatesError
from ferry.integrations.base import TaskFailure


def java_service_name(service_id: str) -> str:
    """The AWS SDK for Java 2.x client name for a botocore ``serviceId``.

    Words are split at non-alphanumerics, camel-case humps, the end of an acronym and after a
    digit; each word is lower-cased and capitalised: ``DynamoDB`` → ``DynamoDb``, ``SQS`` →
    ``Sqs``, ``CloudWatch Logs`` → ``CloudWatchLogs``, ``EC2`` → ``Ec2``.
    """
    text = re.sub(r"[^A-Za-z0-9]+", " ", service_id)
    text = " ".join(re.split(r"(?<=[a-z])(?=[A-Z][a-zA-Z0-9])", text))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)
    return "".join(word.lower().capitalize() for word in text.split())


# A HEAD answer has no body to name its error; the Java 2.x S3 client names a 404 to these
# operations after what is missing (its ExceptionTranslationInterceptor).
_S3_HEAD_404 = {"HeadObject": "NoSuchKey", "HeadBucket": "NoSuchBucket"}


def sdk_failure(service: str, error: ClientError, operation: str = "") -> TaskFailure:
    """The failure an ``aws-sdk:`` task reports for a service error of ``service``.

    Args:
        service: The Java 2.x client name (see :func:`java_service_name`).
        error: botocore's error; its class name is the modelled error shape, or
            ``ClientError`` when the service model does not declare the code.
        operation: The API operation called (``HeadObject``).
    """
    shape = type(error).__name__
    code = error.response.get("Error", {}).get("Code")
    if service == "S3" and code == "404" and operation in _S3_HEAD_404:
        shape = _S3_HEAD_404[operation]
    name = f"{service}Exception" if shape == "ClientError" else shape
    if not name.endswith("Exception"):
        name += "Exception"
    meta = error.response.get("ResponseMetadata", {})
    details = [
        f"Service: {service}",
        f"Status Code: {meta.get('HTTPStatusCode')}",
        f"Request ID: {meta.get('RequestId') or 'null'}",
    ]
    if "HostId" in meta:
        details.append(f"Extended Request ID: {meta['HostId'] or 'null'}")
    return TaskFailure(f"{service}.{name}", f"{_message(error)} ({', '.join(details)})")


@dataclass(frozen=True, slots=True)
class OptimizedNaming:
    """How one optimized integration names its errors.

    Attributes:
        prefix: The error prefix (``DynamoDB``, ``SNS``...).
        sdk_service: The Java 1.x SDK's service name in causes (``AmazonDynamoDBv2``).
        suffix: Whether the error name takes the modelled exception name with an
            ``Exception`` suffix (SNS, SQS) rather than the bare error code (DynamoDB, ECS).
    """

    prefix: str
    sdk_service: str
    suffix: bool


def optimized_failure(naming: OptimizedNaming, error: ClientError) -> TaskFailure:
    """The failure an optimized integration reports for a service error."""
    code = str(error.response.get("Error", {}).get("Code", "")) or "Unknown"
    name = code
    if naming.suffix:
        shape = type(error).__name__
        name = f"{naming.sdk_service}Exception" if shape == "ClientError" else shape
        if not name.endswith("Exception"):
            name += "Exception"
    meta = error.response.get("ResponseMetadata", {})
    details = (
        f"Service: {naming.sdk_service}; Status Code: {meta.get('HTTPStatusCode')}; "
        f"Error Code: {code}; Request ID: {meta.get('RequestId') or 'null'}; Proxy: null"
    )
    return TaskFailure(f"{naming.prefix}.{name}", f"{_message(error)} ({details})")


def task_failed(exc: Exception) -> TaskFailure:
    """A failure that is not a service's answer (bad parameters, no connection)."""
    text = str(exc) or type(exc).__name__
    return TaskFailure(StatesError.TASK_FAILED.value, text)


def _message(error: ClientError) -> str:
    # The Java SDKs print a missing message as "null" (a HEAD 404 has no body to carry one).
    message = error.response.get("Error", {}).get("Message")
    return str(message) if message else "null"
