"""The AWS SDK integration: ``arn:aws:states:::aws-sdk:SERVICE:ACTION`` runs a botocore call.

Docs: step-functions/latest/dg/supported-services-awssdk.html. ``SERVICE`` is the lower-case
SDK client name (``s3``, ``dynamodb``, ``sfn``, ``cloudwatchlogs``...), ``ACTION`` the API
operation in camelCase (``getObject`` → ``GetObject``). Parameters and results are shaped by
:mod:`ferry.integrations.aws_shapes`; service errors are named by
:func:`ferry.integrations.aws_errors.sdk_failure`, and anything else (a parameter botocore
rejects, no connection) fails as ``States.TaskFailed``. ``.waitForTaskToken`` is stripped by
the runner before this integration sees the resource.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore import xform_name
from botocore.exceptions import ClientError, UnknownServiceError
from botocore.model import OperationModel

from ferry.errors import StatesError
from ferry.integrations.aws_clients import ClientPool
from ferry.integrations.aws_errors import java_service_name, sdk_failure, task_failed
from ferry.integrations.aws_shapes import to_json, to_request
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess

_RESOURCE = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:"
    r"aws-sdk:(?P<service>[a-z0-9]+):(?P<action>[a-zA-Z0-9]+)$"
)
# SDK client names (Java 2.x, lower-cased) whose botocore name differs and which the
# serviceId rule below cannot find quickly; others are found by scanning every service.
_ALIASES = {
    "sfn": "stepfunctions",
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "cognitoidentityprovider": "cognito-idp",
    "apigatewayv2": "apigatewayv2",
}


@dataclass(frozen=True, slots=True)
class SdkCall:
    """One resolved ``aws-sdk`` resource."""

    service: str
    """botocore's service name."""
    error_service: str
    """The service part of error names (``DynamoDb``)."""
    operation: OperationModel
    region: str | None


class AwsSdkIntegration:
    """Runs ``aws-sdk:`` tasks with boto3."""

    def __init__(
        self, endpoints: Mapping[str, str] | None = None, pool: ClientPool | None = None
    ) -> None:
        """Create the integration.

        Args:
            endpoints: Per-service endpoint overrides, keyed by botocore service name
                (``{"s3": "http://127.0.0.1:5000"}``).
            pool: Clients to share with other integrations (built from ``endpoints`` if
                not given).
        """
        self.pool = pool or ClientPool(endpoints)
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def handles(self, resource: str) -> bool:
        """Whether ``resource`` is an ``aws-sdk:SERVICE:ACTION`` resource."""
        return bool(_RESOURCE.match(resource))

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Run one attempt; never raises."""
        try:
            call = self.resolve(request.resource)
        except LookupError as exc:
            return TaskFailure(StatesError.RUNTIME.value, str(exc))
        try:
            return TaskSuccess(self._call(call, request.payload))
        except ClientError as exc:
            return sdk_failure(call.error_service, exc, call.operation.name)
        except Exception as exc:  # invoke never raises into the engine
            return task_failed(exc)

    def resolve(self, resource: str) -> SdkCall:
        """The botocore service and operation ``resource`` names.

        Raises:
            LookupError: no such service or action.
        """
        match = _RESOURCE.match(resource)
        if match is None:
            raise LookupError(f"not an aws-sdk resource: '{resource}'")
        service = self._botocore_name(match["service"])
        model = self.pool.model(service)
        action = match["action"]
        wanted = action[:1].upper() + action[1:]
        names = {name.lower(): name for name in model.operation_names}
        operation = names.get(wanted.lower())
        if operation is None:
            raise LookupError(
                f"The resource provided {resource} is not recognized: the service "
                f"'{match['service']}' has no action '{action}'"
            )
        return SdkCall(
            service=service,
            error_service=java_service_name(model.service_id),
            operation=model.operation_model(operation),
            region=match["region"] or None,
        )

    def _call(self, call: SdkCall, payload: Any) -> Any:
        client = self.pool.client(call.service, call.region)
        params = to_request(payload if payload is not None else {}, call.operation.input_shape)
        method = getattr(client, xform_name(call.operation.name))
        response = method(**params)
        response.pop("ResponseMetadata", None)
        return to_json(response, call.operation.output_shape)

    def _botocore_name(self, name: str) -> str:
        with self._lock:
            known = self._names.get(name)
        if known is not None:
            return known
        found = self._find_service(name)
        with self._lock:
            self._names[name] = found
        return found

    def _find_service(self, name: str) -> str:
        available = self.pool.services()
        if name in _ALIASES:
            return _ALIASES[name]
        if name in available:
            return name
        for service in available:
            try:
                service_id = self.pool.model(service).service_id
            except UnknownServiceError:
                continue
            if java_service_name(service_id).lower() == name:
                return service
        raise LookupError(f"The resource provided names an unknown AWS SDK service: '{name}'")
