"""The HTTP Task (``arn:aws:states:::http:invoke``) against a small HTTP server on loopback.

Shapes from docs step-functions/latest/dg/call-https-apis.html: the result is ``{Headers,
ResponseBody, StatusCode, StatusText}`` and a non-2xx answer fails as
``States.Http.StatusCode.<code>``.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ferry.integrations.aws_http import HttpInvokeIntegration
from ferry.integrations.base import TaskFailure, TaskRequest
from ferry.jsontypes import JSON
from ferry.runner.local import ExecutionResult, run


class _Echo(BaseHTTPRequestHandler):
    """Answers with what it received; ``/missing`` is a 404 and ``/text`` plain text."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/missing":
            self._send(404, "text/plain", b"no such thing")
            return
        if parsed.path == "/text":
            self._send(200, "text/plain", b"plain words")
            return
        echo = {
            "method": self.command,
            "path": parsed.path,
            "query": urllib.parse.parse_qs(parsed.query),
            "contentType": self.headers.get("Content-Type"),
            "custom": self.headers.get("X-Custom"),
            "body": body,
        }
        self._send(200, "application/json", json.dumps(echo).encode("utf-8"))

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _run(parameters: dict[str, JSON], data: JSON = None, **extra: JSON) -> ExecutionResult:
    state: dict[str, JSON] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": parameters,
        "End": True,
    }
    state.update(extra)
    definition = {"StartAt": "Call", "States": {"Call": state}}
    return run(definition, data if data is not None else {}, integrations=[HttpInvokeIntegration()])


def test_post_json_body_headers_and_query(base_url: str) -> None:
    parameters = {
        "ApiEndpoint": f"{base_url}/orders",
        "Method": "POST",
        "Headers": {"X-Custom": "yes"},
        "QueryParameters": {"page": "2"},
        "RequestBody.$": "$.order",
        "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/x"},
    }
    result = _run(parameters, {"order": {"id": 7}})
    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert out["StatusCode"] == 200
    assert out["StatusText"] == "OK"
    assert out["Headers"]["Content-Type"] == ["application/json"]
    echo = out["ResponseBody"]  # a JSON answer comes back decoded
    assert echo["method"] == "POST"
    assert echo["path"] == "/orders"
    assert echo["query"] == {"page": ["2"]}
    assert echo["custom"] == "yes"
    assert echo["contentType"] == "application/json"
    assert json.loads(echo["body"]) == {"id": 7}


def test_a_text_answer_stays_text(base_url: str) -> None:
    result = _run({"ApiEndpoint": f"{base_url}/text", "Method": "GET"})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["ResponseBody"] == "plain words"


def test_url_encoded_body_with_array_format(base_url: str) -> None:
    parameters = {
        "ApiEndpoint": f"{base_url}/form",
        "Method": "POST",
        "RequestBody": {"name": "a b", "tags": ["x", "y"]},
        "Transform": {
            "RequestBodyEncoding": "URL_ENCODED",
            "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"},
        },
    }
    result = _run(parameters)
    assert result.status == "SUCCEEDED", result.cause
    echo = result.output["ResponseBody"]
    assert echo["contentType"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(echo["body"]) == {"name": ["a b"], "tags[]": ["x", "y"]}


def test_a_404_fails_with_the_status_code_error_and_can_be_caught(base_url: str) -> None:
    catch = [{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}]
    state: dict[str, JSON] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {"ApiEndpoint": f"{base_url}/missing", "Method": "GET"},
        "Catch": catch,
        "End": True,
    }
    definition = {
        "StartAt": "Call",
        "States": {"Call": state, "Gone": {"Type": "Pass", "End": True}},
    }
    result = run(definition, {}, integrations=[HttpInvokeIntegration()])
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Error"] == "States.Http.StatusCode.404"
    assert json.loads(result.output["Cause"])["ResponseBody"] == "no such thing"


def test_no_listener_fails_as_a_socket_error() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    port = server.server_address[1]
    server.server_close()  # the port is now closed: nothing answers there
    outcome = HttpInvokeIntegration(timeout=5).invoke(
        TaskRequest(
            "arn:aws:states:::http:invoke",
            {"ApiEndpoint": f"http://127.0.0.1:{port}/", "Method": "GET"},
            {},
            None,
            "k",
        )
    )
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "States.Http.Socket"


def test_an_unsupported_method_is_rejected_before_sending(base_url: str) -> None:
    result = _run({"ApiEndpoint": f"{base_url}/x", "Method": "BREW"})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
