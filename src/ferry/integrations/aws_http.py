"""The HTTP Task: ``arn:aws:states:::http:invoke`` calls an HTTP(S) API.

Docs: step-functions/latest/dg/call-https-apis.html ("Call HTTPS APIs"). Parameters:
``ApiEndpoint`` and ``Method`` (required), ``Headers``, ``QueryParameters``, ``RequestBody``,
``Transform`` (``RequestBodyEncoding: URL_ENCODED`` with ``RequestEncodingOptions.ArrayFormat``
INDICES, REPEAT, COMMAS or BRACKETS) and ``Authentication`` — the EventBridge connection, which
has no local counterpart and is ignored. A JSON body is sent as ``application/json``.

The result is ``{Headers, ResponseBody, StatusCode, StatusText}``: header values are lists,
and a JSON response body is decoded (any other body is its text). A response outside 2xx fails
as ``States.Http.StatusCode.<code>`` with the result as cause; a request that gets no response
fails as ``States.Http.Socket``.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import Any

from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON, dumps

RESOURCE = "arn:aws:states:::http:invoke"
DEFAULT_TIMEOUT = 60.0
_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}


class HttpInvokeError(Exception):
    """A request Step Functions would reject before sending it."""


class HttpInvokeIntegration:
    """Runs ``http:invoke`` tasks with the standard library's HTTP client."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Create the integration; ``timeout`` bounds each request when the Task sets none."""
        self.timeout = timeout

    def handles(self, resource: str) -> bool:
        """Whether ``resource`` is the HTTP Task resource."""
        return resource == RESOURCE

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Send the request; never raises."""
        params = request.payload if isinstance(request.payload, dict) else {}
        try:
            prepared = _prepare(params)
        except HttpInvokeError as exc:
            return TaskFailure("States.Runtime", str(exc))
        timeout = request.timeout_seconds or self.timeout
        try:
            with urllib.request.urlopen(prepared, timeout=timeout) as answer:  # noqa: S310
                return _outcome(answer.status, answer.reason, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            return _outcome(answer.code, answer.reason, answer.headers, answer.read())
        except (OSError, http.client.HTTPException) as exc:
            return TaskFailure("States.Http.Socket", f"The HTTP request failed: {exc}")


def _prepare(params: dict[str, JSON]) -> urllib.request.Request:
    endpoint = params.get("ApiEndpoint")
    method = params.get("Method")
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
        raise HttpInvokeError(f"The ApiEndpoint '{endpoint}' is not a valid HTTP(S) URL")
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise HttpInvokeError(f"The Method '{method}' is not supported by the HTTP Task")
    url = _with_query(endpoint, params.get("QueryParameters"))
    headers = {str(k): str(v) for k, v in (params.get("Headers") or {}).items()}
    body = _body(params, headers)
    # Only http(s) URLs get here (checked above), so urlopen cannot reach file: or others.
    return urllib.request.Request(url, data=body, headers=headers, method=method.upper())  # noqa: S310


def _with_query(endpoint: str, query: JSON) -> str:
    if not isinstance(query, dict) or not query:
        return endpoint
    text = urllib.parse.urlencode({k: _text(v) for k, v in query.items()})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{text}"


def _body(params: dict[str, JSON], headers: dict[str, str]) -> bytes | None:
    if "RequestBody" not in params:
        return None
    body = params["RequestBody"]
    transform = params.get("Transform")
    if isinstance(transform, dict) and transform.get("RequestBodyEncoding") == "URL_ENCODED":
        options = transform.get("RequestEncodingOptions") or {}
        array_format = options.get("ArrayFormat", "INDICES") if isinstance(options, dict) else ""
        _default(headers, "Content-Type", "application/x-www-form-urlencoded")
        return _url_encoded(body, str(array_format)).encode("utf-8")
    if isinstance(body, str):
        return body.encode("utf-8")
    _default(headers, "Content-Type", "application/json")
    return dumps(body).encode("utf-8")


def _url_encoded(body: JSON, array_format: str) -> str:
    if not isinstance(body, dict):
        return urllib.parse.quote_plus(_text(body))
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        if not isinstance(value, list):
            pairs.append((key, _text(value)))
        elif array_format == "COMMAS":
            pairs.append((key, ",".join(_text(item) for item in value)))
        elif array_format == "REPEAT":
            pairs.extend((key, _text(item)) for item in value)
        elif array_format == "BRACKETS":
            pairs.extend((f"{key}[]", _text(item)) for item in value)
        else:
            pairs.extend((f"{key}[{index}]", _text(item)) for index, item in enumerate(value))
    return urllib.parse.urlencode(pairs)


def _outcome(status: int, reason: str, headers: Message, raw: bytes) -> TaskOutcome:
    result = {
        "Headers": _headers(headers),
        "ResponseBody": _decode(raw),
        "StatusCode": status,
        "StatusText": reason,
    }
    if 200 <= status < 300:
        return TaskSuccess(result)
    return TaskFailure(f"States.Http.StatusCode.{status}", dumps(result))


def _headers(headers: Message) -> dict[str, JSON]:
    merged: dict[str, list[str]] = {}
    for name, value in headers.items():
        merged.setdefault(name, []).append(value)
    return dict(merged)


def _decode(raw: bytes) -> JSON:
    text = raw.decode("utf-8", errors="replace")
    try:
        decoded: Any = json.loads(text)
    except ValueError:
        return text
    return decoded


def _default(headers: dict[str, str], name: str, value: str) -> None:
    if not any(key.lower() == name.lower() for key in headers):
        headers[name] = value


def _text(value: JSON) -> str:
    if isinstance(value, str):
        return value
    return dumps(value)
