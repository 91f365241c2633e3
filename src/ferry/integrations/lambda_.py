"""Lambda tasks: what Step Functions makes of a Lambda invocation.

Two resource forms reach a Lambda function
(docs: step-functions/latest/dg/connect-lambda.html):

* ``arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`` — the effective input is the
  event; the result is the function's decoded answer. A failure's error is the ``errorType``
  the function reported and its cause is the answer's text exactly as the runtime wrote it.
* ``arn:aws:states:::lambda:invoke`` (or with region and account) — ``Parameters`` are
  ``{FunctionName, Payload, Qualifier?, InvocationType?}``; the result is the ``Invoke``
  response: ``ExecutedVersion``, ``Payload``, ``SdkHttpMetadata``, ``SdkResponseMetadata``,
  ``StatusCode``. A failure's error is the reported ``errorType`` and its cause is the answer
  re-serialised compactly. ``.waitForTaskToken`` belongs to another integration.

For either form an answer without ``errorType`` fails as ``Lambda.Unknown``, and an error of the
Lambda service itself (no such function, bad parameter) fails as ``Lambda.<ErrorCode>`` with the
AWS SDK's message text. ``FunctionName`` may be a name, ``NAME:QUALIFIER``, a partial ARN
(``ACCOUNT:function:NAME``) or a full ARN; a name takes its region and account from the resource
or the execution ARN. Local functions have one version: any qualifier runs the same code and
reports ``$LATEST``. ``InvocationType: Event`` runs the function on a background thread and
answers 202 at once; ``DryRun`` answers 204 without running it. ``LogType`` and
``ClientContext`` are accepted and ignored.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.integrations.lambda_runtime import FunctionNotFoundError, Invocation, LocalFunctions
from ferry.jsontypes import JSON, dumps

__all__ = ["LambdaIntegration", "LocalFunctions"]

_DIRECT = re.compile(
    r"^arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$"
)
_INVOKE = re.compile(
    r"^arn:(?P<partition>aws[a-zA-Z-]*):states:(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:"
    r"lambda:invoke$"
)
# Lambda's FunctionName pattern (API_Invoke.html): optional ARN prefix, region, account,
# "function:", the name, and an optional qualifier.
_FUNCTION_NAME = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d:)?"
    r"(?P<account>\d{12}:)?(?:function:)?(?P<name>[A-Za-z0-9_-]{1,64})"
    r"(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$"
)
_EXECUTION_ARN = re.compile(r"^arn:(?P<partition>[^:]+):states:(?P<region>[^:]+):(?P<account>\d+):")
_DEFAULT_REGION = "us-east-1"
_DEFAULT_ACCOUNT = "123456789012"
_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")


@dataclass(frozen=True, slots=True)
class _Target:
    """A resolved function: its name and the ARN it was invoked by."""

    name: str
    arn: str


class LambdaServiceError(Exception):
    """An error answered by the Lambda API itself, reported as ``Lambda.<code>``."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message

    def failure(self, request_id: str) -> TaskFailure:
        """The task failure Step Functions reports, in the AWS Java SDK's wording."""
        details = (
            f"Service: AWSLambda; Status Code: {self.status}; Error Code: {self.code}; "
            f"Request ID: {request_id}; Proxy: null"
        )
        return TaskFailure(f"Lambda.{self.code}", f"{self.message} ({details})")


class LambdaIntegration:
    """Runs Lambda tasks against the functions of a :class:`LocalFunctions` registry."""

    def __init__(self, functions: LocalFunctions) -> None:
        self.functions = functions

    @classmethod
    def from_directory(cls, directory: Path) -> LambdaIntegration:
        """An integration over the functions found in ``directory``."""
        return cls(LocalFunctions(directory))

    def handles(self, resource: str) -> bool:
        """Whether ``resource`` is a Lambda function ARN or the ``lambda:invoke`` integration."""
        return bool(_DIRECT.match(resource) or _INVOKE.match(resource))

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Run one attempt of a Lambda task; never raises."""
        request_id = _request_id(request.idempotency_key)
        try:
            if _DIRECT.match(request.resource):
                return self._direct(request, request_id)
            return self._service(request, request_id)
        except LambdaServiceError as exc:
            return exc.failure(request_id)
        except Exception as exc:  # invoke must never raise into the engine
            return _internal_error(exc).failure(request_id)

    def _direct(self, request: TaskRequest, request_id: str) -> TaskOutcome:
        match = _DIRECT.match(request.resource)
        assert match is not None
        target = _Target(match["name"], request.resource)
        body = dumps(request.payload).encode("utf-8")
        answer = self._call(target, body, request, request_id)
        if answer.function_error:
            text = _text(answer.payload)
            return TaskFailure(_error_name(_decode(answer.payload)), text)
        return TaskSuccess(_decode(answer.payload))

    def _service(self, request: TaskRequest, request_id: str) -> TaskOutcome:
        params = request.payload if isinstance(request.payload, dict) else {}
        target = _resolve(params, request)
        body = _payload_bytes(params.get("Payload"))
        kind = params.get("InvocationType", "RequestResponse")
        if kind not in _INVOCATION_TYPES:
            raise LambdaServiceError("ValidationException", 400, _enum_message(kind))
        if kind == "RequestResponse":
            answer = self._call(target, body, request, request_id)
            if answer.function_error:
                decoded = _decode(answer.payload)
                cause = decoded if isinstance(decoded, str) else dumps(decoded)
                return TaskFailure(_error_name(decoded), cause)
            return TaskSuccess(_response(answer, 200))
        self._check_exists(target)
        if kind == "Event":
            self._start_async(target, body, request_id)
        status = 202 if kind == "Event" else 204
        return TaskSuccess(_response(Invocation(request_id, b"", False), status))

    def _call(
        self, target: _Target, body: bytes, request: TaskRequest, request_id: str
    ) -> Invocation:
        try:
            return self.functions.invoke(
                target.name,
                body,
                target.arn,
                request.timeout_seconds,
                request_id,
                idempotency_key=request.idempotency_key,
            )
        except FunctionNotFoundError:
            raise _not_found(target) from None

    def _check_exists(self, target: _Target) -> None:
        if not self.functions.exists(target.name):
            raise _not_found(target)

    def _start_async(self, target: _Target, body: bytes, request_id: str) -> None:
        def run() -> None:
            # Nobody waits for an Event invocation's answer; its failure stays with Lambda.
            with contextlib.suppress(FunctionNotFoundError):
                self.functions.invoke(target.name, body, target.arn, None, request_id)

        threading.Thread(target=run, name=f"lambda-event-{target.name}", daemon=True).start()


def _resolve(params: dict[str, JSON], request: TaskRequest) -> _Target:
    """Turn ``FunctionName`` (+ ``Qualifier``) into a function name and invoked ARN."""
    raw = params.get("FunctionName")
    match = _FUNCTION_NAME.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise LambdaServiceError("ValidationException", 400, _name_message(raw))
    qualifier = match["qualifier"]
    explicit = params.get("Qualifier")
    if explicit is not None:
        if qualifier is not None and explicit != qualifier:
            message = (
                "The derived qualifier from the function name does not match the specified "
                "qualifier."
            )
            raise LambdaServiceError("InvalidParameterValueException", 400, message)
        qualifier = str(explicit)
    partition, region, account = _home(request)
    region = match["region"].rstrip(":") if match["region"] else region
    account = match["account"].rstrip(":") if match["account"] else account
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{match['name']}"
    return _Target(match["name"], f"{arn}:{qualifier}" if qualifier else arn)


def _home(request: TaskRequest) -> tuple[str, str, str]:
    """Partition, region and account for a bare function name: the resource's, else the
    execution's (a Step Functions execution calls functions of its own account and region)."""
    partition, region, account = "aws", _DEFAULT_REGION, _DEFAULT_ACCOUNT
    context = request.context if isinstance(request.context, dict) else {}
    execution = context.get("Execution")
    execution_id = execution.get("Id") if isinstance(execution, dict) else None
    found = _EXECUTION_ARN.match(execution_id) if isinstance(execution_id, str) else None
    if found:
        partition, region, account = found["partition"], found["region"], found["account"]
    own = _INVOKE.match(request.resource)
    if own and own["region"]:
        region = own["region"]
    if own and own["account"]:
        account = own["account"]
    return partition, region, account


def _payload_bytes(payload: JSON) -> bytes:
    """The request body Step Functions sends for ``Payload``.

    A missing or null payload is sent as ``{}``; a string holding JSON text is sent as that
    text (so ``"0.0"`` arrives as the number 0.0); any other value as its JSON text.
    """
    if payload is None:
        return b"{}"
    if isinstance(payload, str):
        try:
            json.loads(payload)
        except ValueError:
            return dumps(payload).encode("utf-8")
        return payload.encode("utf-8")
    return dumps(payload).encode("utf-8")


def _response(answer: Invocation, status: int) -> dict[str, JSON]:
    """The ``lambda:invoke`` result: the Invoke response as the AWS Java SDK exposes it."""
    headers: dict[str, str] = {
        "Connection": "keep-alive",
        "Content-Length": str(len(answer.payload)),
        "Content-Type": "application/json",
        "Date": email.utils.formatdate(usegmt=True),
    }
    if status == 200:
        headers["X-Amz-Executed-Version"] = "$LATEST"
    headers["X-Amzn-Trace-Id"] = _trace_id()
    headers["x-amzn-Remapped-Content-Length"] = "0"
    headers["x-amzn-RequestId"] = answer.request_id
    result: dict[str, JSON] = {}
    if status == 200:
        result["ExecutedVersion"] = "$LATEST"
    result["Payload"] = _decode(answer.payload)
    result["SdkHttpMetadata"] = {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": status,
    }
    result["SdkResponseMetadata"] = {"RequestId": answer.request_id}
    result["StatusCode"] = status
    return result


def _decode(payload: bytes) -> JSON:
    """A response body as Step Functions reads it: JSON if it parses, else the text."""
    text = _text(payload)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def _reject_constant(name: str) -> JSON:
    # NaN and Infinity are not JSON; such a body is passed on as text.
    raise ValueError(name)


def _text(payload: bytes) -> str:
    return payload.decode("utf-8", errors="replace")


def _error_name(answer: JSON) -> str:
    error_type = answer.get("errorType") if isinstance(answer, dict) else None
    return error_type if isinstance(error_type, str) and error_type else "Lambda.Unknown"


def _not_found(target: _Target) -> LambdaServiceError:
    return LambdaServiceError("ResourceNotFoundException", 404, f"Function not found: {target.arn}")


def _internal_error(exc: Exception) -> LambdaServiceError:
    # A fault of Ferry's own: reported as Lambda's internal error, which Retry may retry.
    message = f"The AWS Lambda service encountered an internal error ({type(exc).__name__})."
    return LambdaServiceError("ServiceException", 500, message)


def _name_message(value: JSON) -> str:
    return (
        f"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?"
        r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
    )


def _enum_message(value: JSON) -> str:
    return (
        f"1 validation error detected: Value '{value}' at 'invocationType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
    )


def _request_id(idempotency_key: str) -> str:
    """Lambda's request id for this attempt.

    Derived from the attempt's idempotency key, so a re-run of the same attempt after a crash
    presents the same ``context.aws_request_id`` and a handler can recognise it. Shaped as a
    version-4 UUID, as Lambda's are.
    """
    if not idempotency_key:
        return str(uuid.uuid4())
    digest = sha256(idempotency_key.encode("utf-8")).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _trace_id() -> str:
    # X-Ray trace header: Root=1-<epoch seconds hex>-<96 random bits>;Parent=...;Sampled=0
    epoch = f"{int(time.time()):08x}"
    return f"Root=1-{epoch}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"
