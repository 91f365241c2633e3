"""The app factory: extra action tables, settings in ARNs, and internal failures kept inside."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ferry.api import ApiSettings
from ferry.api.context import ApiContext
from ferry.api.params import JSONObject, Params

from .conftest import PASS_MACHINE, ROLE, start_server

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def _explode(context: ApiContext, params: Params) -> JSONObject:
    raise RuntimeError("secret internals /etc/passwd")


def _echo(context: ApiContext, params: Params) -> JSONObject:
    return {"got": params.raw("value"), "region": context.settings.region}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[str]:
    """The URL of a server in eu-west-1, account 999999999999, with two extra actions."""
    settings = ApiSettings(region="eu-west-1", account="999999999999")
    server = start_server(tmp_path, settings=settings, extra=[{"Explode": _explode, "Echo": _echo}])
    try:
        yield server.url
    finally:
        server.shutdown()
        server.runner.store.close()


def _call(client: str, action: str, body: JSONObject) -> tuple[int, JSONObject]:
    headers = {**HEADERS, "X-Amz-Target": f"AWSStepFunctions.{action}"}
    response = httpx.post(client, content=json.dumps(body), headers=headers, timeout=30)
    return response.status_code, response.json()


def test_an_unexpected_exception_is_a_bare_internal_failure(client: str) -> None:
    status, body = _call(client, "Explode", {})
    assert status == 500
    assert body == {"__type": "InternalFailure", "message": "Internal failure"}


def test_extra_tables_register_actions(client: str) -> None:
    assert _call(client, "Echo", {"value": [1]}) == (200, {"got": [1], "region": "eu-west-1"})


def test_region_and_account_shape_the_arns(client: str) -> None:
    body = {"name": "Where", "definition": json.dumps(PASS_MACHINE), "roleArn": ROLE}
    status, created = _call(client, "CreateStateMachine", body)
    assert status == 200
    assert created["stateMachineArn"] == "arn:aws:states:eu-west-1:999999999999:stateMachine:Where"
    assert isinstance(created["creationDate"], float)  # epoch seconds, as JSON 1.0 sends them
