"""Schema-driven fuzz of the API: whatever a client sends, the answer is a 200 or an AWS error
(4xx with ``__type``), never a 5xx (API reference, "Common Errors": client errors are 400s).
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ferry.jsontypes import JSON

from .conftest import Api

FIELDS = {
    "CreateStateMachine": ["name", "definition", "roleArn", "type", "tags"],
    "StartExecution": ["stateMachineArn", "name", "input"],
    "DescribeExecution": ["executionArn"],
    "ListExecutions": [
        "stateMachineArn",
        "statusFilter",
        "redriveFilter",
        "maxResults",
        "nextToken",
    ],
    "GetExecutionHistory": [
        "executionArn",
        "maxResults",
        "reverseOrder",
        "nextToken",
        "includeExecutionData",
    ],
    "SendTaskSuccess": ["taskToken", "output"],
    "TagResource": ["resourceArn", "tags"],
    "ValidateStateMachineDefinition": ["definition", "type", "maxResults"],
}
ARN_LIKE = st.sampled_from(
    [
        "arn:aws:states:us-east-1:123456789012:stateMachine:Fuzz",
        "arn:aws:states:us-east-1:123456789012:execution:Fuzz:x",
        "arn:aws:states::::",
        "arn:aws:states:us-east-1:123456789012:activity:a",
    ]
)
scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=40) | ARN_LIKE
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, JSON]]:
    """An action and a body built from its field names (plus stray keys) with any values."""
    action = draw(st.sampled_from(sorted(FIELDS)))
    keys = draw(st.lists(st.sampled_from([*FIELDS[action], "stray"]), unique=True))
    body: dict[str, JSON] = {key: draw(values) for key in keys}
    return action, body


def _post(url: str, target: str, content: bytes) -> httpx.Response:
    headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"}
    return httpx.post(url, content=content, headers=headers, timeout=30)


def _assert_aws_answer(response: httpx.Response) -> None:
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        body = response.json()
        assert isinstance(body["__type"], str)
        assert response.headers["x-amzn-ErrorType"] == body["__type"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=requests())
def test_fuzzed_bodies_get_aws_errors_never_5xx(
    api: Api, request: tuple[str, dict[str, JSON]]
) -> None:
    action, body = request
    _assert_aws_answer(_post(api.url, f"AWSStepFunctions.{action}", json.dumps(body).encode()))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=64))
def test_fuzzed_bytes_get_aws_errors_never_5xx(api: Api, raw: bytes) -> None:
    _assert_aws_answer(_post(api.url, "AWSStepFunctions.StartExecution", raw))


@pytest.mark.parametrize(
    ("target", "content", "code"),
    [
        ("AWSStepFunctions.NoSuchAction", b"{}", "UnknownOperationException"),
        ("Other.ListStateMachines", b"{}", "UnknownOperationException"),
        ("AWSStepFunctions.ListStateMachines", b"{not json", "SerializationException"),
        ("AWSStepFunctions.ListStateMachines", b"[1]", "SerializationException"),
        ("AWSStepFunctions.ListStateMachines", b'{"maxResults": "ten"}', "SerializationException"),
        ("AWSStepFunctions.DescribeExecution", b"{}", "ValidationException"),
    ],
)
def test_protocol_errors(api: Api, target: str, content: bytes, code: str) -> None:
    response = _post(api.url, target, content)
    assert response.status_code == 400
    assert response.json()["__type"] == code


def test_missing_required_parameter_message(api: Api) -> None:
    response = _post(api.url, "AWSStepFunctions.DescribeExecution", b"{}")
    assert response.json()["message"] == (
        "1 validation error detected: Value null at 'executionArn' failed to satisfy "
        "constraint: Member must not be null"
    )
