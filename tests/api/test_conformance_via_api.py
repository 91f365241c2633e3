"""The AWS-recorded conformance corpus run through the API with boto3, as a user would.

Each JSONPath case gets its own server (SQLite store, the case's Lambda functions staged, a
virtual clock so Waits take no real time): CreateStateMachine, then StartExecution and
DescribeExecution once closed (StartSyncExecution for EXPRESS cases), judged by the corpus's
own ``compare.check_result``. Cases deferred to the later issue (JSONata, variables, Distributed
Map) are not run here; ``tests/conformance`` tracks them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conformance.corpus import (
    Case,
    CheckResult,
    corpus_available,
    is_slow,
    load_cases,
    load_checker,
    needs_later_issue,
    short_id,
)
from ferry.runner.clock import VirtualClock
from support.lambda_staging import stage_conformance_functions

from .conftest import Api, client_for, start_server

# Cases whose recording no engine can match (tests/conformance/test_aws_conformance.py).
UNMATCHABLE = {
    "express/test_express_async.py::TestExpressAsync::test_catch": "the recording masked a "
    "request id together with its opening quote",
}
CASES = [case for case in load_cases() if not needs_later_issue(case)]


def _params() -> list[object]:
    params: list[object] = []
    for case in CASES:
        marks: list[pytest.MarkDecorator] = []
        if short_id(case) in UNMATCHABLE:
            marks.append(pytest.mark.xfail(reason=UNMATCHABLE[short_id(case)]))
        if is_slow(case):
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case, id=short_id(case), marks=marks))
    return params


def test_corpus_is_present() -> None:
    """In CI the corpus must be there; elsewhere its absence only skips the suite."""
    if corpus_available():
        assert CASES
    elif os.environ.get("CI") == "true":
        pytest.fail("conformance corpus missing in CI: expected ../shared/conformance")
    else:
        pytest.skip("conformance corpus not found next to the repository")


def _outcome(api: Api, case: Case) -> tuple[str, str | None, str | None, str | None]:
    machine_type = "EXPRESS" if case.get("type") == "EXPRESS" else "STANDARD"
    arn = api.machine(case["definition"], name="Conformance", type=machine_type)
    data = json.dumps(case["input"])
    result: dict[str, Any]
    if machine_type == "EXPRESS":
        result = api.sfn.start_sync_execution(stateMachineArn=arn, input=data)
    else:
        started = api.sfn.start_execution(stateMachineArn=arn, input=data)
        result = api.wait_closed(started["executionArn"])
    return result["status"], result.get("output"), result.get("error"), result.get("cause")


@pytest.mark.parametrize("case", _params())
def test_case_via_api(case: Case, tmp_path: Path) -> None:
    stage_conformance_functions(case, tmp_path / "functions")
    server = start_server(tmp_path, clock=VirtualClock())
    try:
        api = Api(server, client_for(server.url), tmp_path / "functions")
        checker: CheckResult = load_checker()
        ok, reason = checker(case, *_outcome(api, case))
    finally:
        server.shutdown()
        server.runner.store.close()
    assert ok, reason
