"""Local Lambda functions, invoked the way AWS Lambda's Python runtime invokes them.

This is the Lambda side of a Lambda task: bytes in, bytes out, plus the "function error" flag
(``X-Amz-Function-Error``). What Step Functions makes of the answer lives in
:mod:`ferry.integrations.lambda_`.

Layout of a functions directory — function ``NAME`` is the first of:

* ``DIR/NAME/handler.py``, ``DIR/NAME/lambda_function.py`` or ``DIR/NAME/__init__.py``: the
  function's code root (shown as ``/var/task`` in stack traces) is ``DIR/NAME``;
* ``DIR/NAME.py``: the code root is ``DIR``.

The module must define ``handler`` or ``lambda_handler`` (looked up in that order). Names follow
Lambda's rule (letters, digits, ``-``, ``_``; at most 64), so a name can never escape ``DIR``.

Each entry module is imported once, on first use, under a private package name
(``_ferry_lambda_<n>``) whose search path is the code root. Sibling modules are reachable by
relative import (``from . import helpers``) and two functions' modules never collide. The code
root is deliberately *not* put on ``sys.path``: that would let one function's ``import helpers``
find another function's ``helpers``. A failed import is retried on the next invocation, as
Lambda re-runs a failed init.

Like the ``python3.12`` runtime (awslambdaric): the event is decoded afresh from the request
bytes; a result is encoded with ``json.dumps`` (default separators, non-ASCII kept) unless it is
``bytes``, which pass through untouched; a result that cannot be encoded is a
``Runtime.MarshalError``; an exception becomes ``{"errorMessage", "errorType", "requestId",
"stackTrace"}`` with ``traceback.format_list`` frames of the handler's code. Invocations run
concurrently on the caller's thread; a module's globals are shared between them, as in a warm
execution environment.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from ferry.jsontypes import JSON

Handler = Callable[[Any, Any], Any]

# Lambda's limit on a synchronous response; larger answers become a function error.
# Docs: lambda/latest/dg/gettingstarted-limits.html ("Invocation payload ... 6 MB").
MAX_RESPONSE_BYTES = 6_291_556
# A function with no configured timeout gets Lambda's maximum (900 s) as its deadline.
DEFAULT_TIMEOUT_SECONDS = 900.0
TASK_ROOT = "/var/task"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ENTRY_FILES = ("handler.py", "lambda_function.py", "__init__.py")
_HANDLER_NAMES = ("handler", "lambda_handler")
_module_ids = itertools.count(1)


class FunctionNotFoundError(LookupError):
    """No function of that name exists in the functions directory."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """What Lambda's ``Invoke`` answers: the response body and whether the function failed."""

    request_id: str
    payload: bytes
    function_error: bool


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    entry: Path
    root: Path
    module_name: str  # as AWS would name it in "Unable to import module '...'"


class CognitoIdentity:
    """``context.identity``: always present, empty unless invoked from the Mobile SDK."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None


class LambdaContext:
    """The ``context`` argument a handler receives (fields as in awslambdaric)."""

    def __init__(
        self,
        name: str,
        request_id: str,
        invoked_arn: str,
        timeout: float | None,
        idempotency_key: str = "",
    ) -> None:
        self.function_name = name
        # Ferry's addition: the attempt's stable key (execution ARN, state name, entered-event
        # id, retry count). A task re-run after a crash sees the same key (and request id).
        self.idempotency_key = idempotency_key or request_id
        self.function_version = "$LATEST"
        self.invoked_function_arn = invoked_arn
        self.memory_limit_in_mb = "128"  # a string, read from the environment by the runtime
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        day = datetime.now(UTC).strftime("%Y/%m/%d")
        self.log_stream_name = f"{day}/[$LATEST]{secrets.token_hex(16)}"
        self.identity = CognitoIdentity()
        self.client_context: object | None = None
        seconds = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
        self._deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the task's timeout (never negative)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _InitError(Exception):
    """The function's module could not be loaded; carries Lambda's error body."""

    def __init__(self, body: dict[str, JSON]) -> None:
        super().__init__(body.get("errorMessage"))
        self.body = body


class LocalFunctions:
    """The Lambda functions found in one directory (see the module docstring for the layout)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def exists(self, name: str) -> bool:
        """Whether function ``name`` is present in the directory."""
        return self._find(name) is not None

    def invoke(
        self,
        name: str,
        payload: bytes,
        invoked_arn: str,
        timeout: float | None,
        request_id: str,
        *,
        idempotency_key: str = "",
    ) -> Invocation:
        """Invoke function ``name`` with the request body ``payload``.

        Raises:
            FunctionNotFoundError: There is no function ``name``.
        """
        source = self._find(name)
        if source is None:
            raise FunctionNotFoundError(name)
        try:
            handler = self._handler(source)
        except _InitError as exc:
            return Invocation(request_id, _error_text(exc.body), function_error=True)
        context = LambdaContext(name, request_id, invoked_arn, timeout, idempotency_key)
        body, failed = _run(handler, payload, context, source.root)
        if not failed and len(body) > MAX_RESPONSE_BYTES:
            return Invocation(request_id, _too_large(len(body)), function_error=True)
        return Invocation(request_id, body, failed)

    def _find(self, name: str) -> _Source | None:
        if not _NAME.match(name):
            return None
        folder = self.directory / name
        for entry_name in _ENTRY_FILES:
            entry = folder / entry_name
            if entry.is_file():
                module = name if entry_name == "__init__.py" else entry.stem
                return _Source(name, entry, folder, module)
        single = self.directory / f"{name}.py"
        if single.is_file():
            return _Source(name, single, self.directory, name)
        return None

    def _handler(self, source: _Source) -> Handler:
        with self._lock:
            # Imports run under the lock: a module is executed once even when the first
            # invocations of a function arrive together.
            handler = self._handlers.get(source.name)
            if handler is None:
                handler = _load(source)
                self._handlers[source.name] = handler
            return handler


def _load(source: _Source) -> Handler:
    module = _import(source)
    for attribute in _HANDLER_NAMES:
        handler = getattr(module, attribute, None)
        if callable(handler):
            return handler  # type: ignore[no-any-return]
    message = f"Handler '{_HANDLER_NAMES[0]}' missing on module '{source.module_name}'"
    raise _InitError(_error_body(message, "Runtime.HandlerNotFound", [], ""))


def _import(source: _Source) -> ModuleType:
    unique = f"_ferry_lambda_{next(_module_ids)}"
    spec = importlib.util.spec_from_file_location(
        unique, source.entry, submodule_search_locations=[str(source.root)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        raise _InitError(_error_body("Cannot load", "Runtime.ImportModuleError", [], ""))
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[unique]
        raise _InitError(_init_failure(exc, source)) from exc
    return module


def _init_failure(exc: Exception, source: _Source) -> dict[str, JSON]:
    module = source.module_name
    if isinstance(exc, SyntaxError):
        filename = _task_path(exc.filename or "", source.root)
        frame = f'  File "{filename}" Line {exc.lineno}\n    {exc.text}'
        message = f"Syntax error in module '{module}': {exc}"
        return _error_body(message, "Runtime.UserCodeSyntaxError", [frame], "")
    if isinstance(exc, ImportError):
        message = f"Unable to import module '{module}': {exc}"
        return _error_body(message, "Runtime.ImportModuleError", [], "")
    frames = _frames(exc.__traceback__, source.root)
    return _error_body(str(exc), type(exc).__name__, frames, "")


def _run(
    handler: Handler, payload: bytes, context: LambdaContext, root: Path
) -> tuple[bytes, bool]:
    """Call the handler as the runtime does; returns ``(body, function_error)``."""
    request_id = context.aws_request_id
    try:
        event = json.loads(payload)
    except ValueError as exc:
        message = f"Unable to unmarshal input: {exc}"
        return _error_text(_error_body(message, "Runtime.UnmarshalError", [], request_id)), True
    try:
        result = handler(event, context)
    except Exception as exc:
        frames = _frames(exc.__traceback__, root)
        body = _error_body(str(exc), type(exc).__name__, frames, request_id)
        return _error_text(body), True
    except SystemExit as exc:
        return _exit_error(exc, request_id), True
    return _marshal(result, request_id)


def _marshal(result: object, request_id: str) -> tuple[bytes, bool]:
    if isinstance(result, bytes):
        return result, False
    try:
        return json.dumps(result, ensure_ascii=False, default=_decimal).encode("utf-8"), False
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return _error_text(_error_body(message, "Runtime.MarshalError", [], request_id)), True


def _decimal(value: object) -> JSON:
    # The runtime encodes Decimal (boto3's DynamoDB numbers) as a JSON number.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _frames(tb: TracebackType | None, root: Path) -> list[str]:
    """The stack trace lines Lambda reports: the user's frames, the code root as /var/task."""
    summary = traceback.extract_tb(tb)
    own = str(Path(__file__))
    entries = [
        (_task_path(frame.filename, root), frame.lineno or 0, frame.name, frame.line or "")
        for frame in summary
        if frame.filename != own and not frame.filename.startswith("<frozen ")
    ]
    return traceback.format_list(entries)


def _task_path(filename: str, root: Path) -> str:
    try:
        relative = Path(filename).resolve().relative_to(root.resolve())
    except ValueError:
        return filename
    return f"{TASK_ROOT}/{relative.as_posix()}"


def _error_body(
    message: str, error_type: str, frames: list[str], request_id: str
) -> dict[str, JSON]:
    # Key order and the empty-string defaults are the runtime's (awslambdaric make_error).
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": frames,
    }


def _error_text(body: dict[str, JSON]) -> bytes:
    # The runtime's encoder: default ", " / ": " separators, non-ASCII kept (python3.12).
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _too_large(size: int) -> bytes:
    # Produced by the Lambda service, not the runtime: compact, no requestId or stackTrace.
    message = (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({MAX_RESPONSE_BYTES} bytes)."
    )
    body = {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
    return json.dumps(body, separators=(",", ":")).encode("utf-8")


def _exit_error(exc: SystemExit, request_id: str) -> bytes:
    # sys.exit() in a handler ends the runtime process; Lambda reports it, compactly.
    status = exc.code if isinstance(exc.code, int) else 1
    message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {status}"
    body = {"errorMessage": message, "errorType": "Runtime.ExitError"}
    return json.dumps(body, separators=(",", ":")).encode("utf-8")
