"""AWS JSON 1.0, the wire protocol of the Step Functions API, and nothing about its actions.

Every request is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Action>`` and a JSON object
body (``Content-Type: application/x-amz-json-1.0``). A success is HTTP 200 with a JSON object;
timestamps are epoch seconds as JSON numbers. A failure is HTTP 400 (500 for our own faults)
with ``{"__type": "<Code>", "message": "..."}`` and the code again in ``x-amzn-ErrorType``,
which is what botocore reads to raise ``ClientError`` with that code.

This module turns one HTTP request into ``(action name, params)``, calls the action's handler
from an :data:`Actions` table, and turns the result or the :class:`ApiError` into the response.
An unexpected exception is logged here and answered with a bare ``InternalFailure``: never a
traceback in a response.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ferry.api.context import ApiContext
from ferry.api.errors import ApiError, translate
from ferry.api.params import JSONObject, Params
from ferry.errors import FerryError
from ferry.jsontypes import dumps

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"

log = logging.getLogger("ferry.api")

Handler = Callable[[ApiContext, Params], JSONObject]
"""One action: takes the server context and the request's params, returns the response body."""
Actions = Mapping[str, Handler]
"""An action table: AWS action name (``StartExecution``) -> handler."""


def json_response(body: Mapping[str, Any], status: int = 200) -> Response:
    """A JSON 1.0 response with a request id, as AWS sends them."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    return Response(dumps(dict(body)), status, headers, media_type=CONTENT_TYPE)


def error_response(error: ApiError) -> Response:
    """The response for an :class:`ApiError`."""
    response = json_response({"__type": error.code, "message": error.message}, error.status)
    response.headers["x-amzn-ErrorType"] = error.code
    return response


def action_name(request: Request) -> str:
    """The action a request names in ``X-Amz-Target``.

    Raises:
        ApiError: ``UnknownOperationException`` when the header is missing or foreign.
    """
    target = request.headers.get("x-amz-target", "")
    if not target.startswith(TARGET_PREFIX) or len(target) == len(TARGET_PREFIX):
        raise ApiError("UnknownOperationException", "Missing or unknown X-Amz-Target header")
    return target.removeprefix(TARGET_PREFIX)


def parse_body(raw: bytes) -> JSONObject:
    """The request body as a JSON object (an empty body is ``{}``).

    Raises:
        ApiError: ``SerializationException`` for bytes that are not one JSON object.
    """
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError("SerializationException", "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError("SerializationException", "Request body must be a JSON object") from None
    return body


def endpoint(actions: Actions, context: ApiContext) -> Callable[[Request], Any]:
    """The Starlette endpoint serving ``actions``."""

    async def serve(request: Request) -> Response:
        try:
            name = action_name(request)
            handler = actions.get(name)
            if handler is None:
                raise ApiError("UnknownOperationException", f"Unknown operation {name}")
            params = Params(parse_body(await request.body()))
            # Handlers touch the store and the runner's lock: keep them off the event loop.
            result = await run_in_threadpool(handler, context, params)
        except ApiError as exc:
            return error_response(exc)
        except FerryError as exc:
            known = translate(exc)
            if known is not None:
                return error_response(known)
            log.exception("internal failure serving %s", request.headers.get("x-amz-target"))
            return error_response(ApiError("InternalFailure", "Internal failure", 500))
        except Exception:
            log.exception("internal failure serving %s", request.headers.get("x-amz-target"))
            return error_response(ApiError("InternalFailure", "Internal failure", 500))
        return json_response(result)

    return serve
