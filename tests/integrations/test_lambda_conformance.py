"""The corpus's Lambda functions, staged as the conformance runner stages them, give the task
outcomes AWS recorded (``<repo>/../shared/conformance``; skipped when it is absent).

Expected texts are read from the recorded cases, with ``<uuid:1>`` standing for the request id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.integrations.lambda_ import LambdaIntegration
from ferry.jsontypes import payload_size
from support.lambda_staging import (
    CONFORMANCE_FUNCTIONS,
    lambda_request,
    stage_conformance_functions,
    without_function_docstrings,
)

CORPUS = CONFORMANCE_FUNCTIONS.parent / "public.jsonl"
PREFIX = "tests/aws/services/stepfunctions/v2/"
INVOKE = "arn:aws:states:::lambda:invoke"

pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason="conformance corpus not present")


def _cases() -> dict[str, dict[str, Any]]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return {case["id"].removeprefix(PREFIX): case for case in map(json.loads, lines)}


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, Any]]:
    return _cases()


def _staged(case: dict[str, Any], tmp_path: Path) -> tuple[LambdaIntegration, str]:
    """An integration over the case's staged functions, and the (single) function's ARN."""
    lam = LambdaIntegration.from_directory(stage_conformance_functions(case, tmp_path))
    (arn,) = case["lambda_functions"]
    return lam, arn


def _with_request_id(expected: str, cause: str) -> str:
    request_id = json.loads(cause)["requestId"]
    return expected.replace("<uuid:1>", request_id)


@pytest.mark.parametrize("source", sorted(p.name for p in CONFORMANCE_FUNCTIONS.glob("*.py")))
def test_every_corpus_function_loads(source: str, tmp_path: Path) -> None:
    spec = {"name": "fn", "source": f"lambdafunctions/{source}", "handler": "handler.handler"}
    directory = stage_conformance_functions({"lambda_functions": {"arn": spec}}, tmp_path)
    staged = (directory / "fn" / "handler.py").read_text()
    original = (CONFORMANCE_FUNCTIONS / source).read_text()
    assert staged == without_function_docstrings(original)
    assert len(staged.splitlines()) < len(original.splitlines())  # each handler had a docstring
    assert LambdaIntegration.from_directory(directory).functions.exists("fn")


def test_function_docstrings_are_dropped_and_nothing_else() -> None:
    source = (
        '"""Module."""\n\n\nclass A:\n    """Class."""\n\n\n'
        'def f(x):\n    """Doc\n    more."""\n    return x\n\n\n'
        'def g():\n    """Only a docstring."""\n'
    )
    assert without_function_docstrings(source) == (
        '"""Module."""\n\n\nclass A:\n    """Class."""\n\n\n'
        "def f(x):\n    return x\n\n\n"
        'def g():\n    """Only a docstring."""\n'
    )


def test_direct_raise_custom_exception(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases["error_handling/test_task_lambda.py::TestTaskLambda::test_raise_custom_exception"]
    lam, arn = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(arn, case["input"]))
    expected = case["expected"]["output"]
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == expected["Error"]
    assert outcome.cause == _with_request_id(expected["Cause"], outcome.cause or "")


def test_direct_raise_exception(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases["error_handling/test_task_lambda.py::TestTaskLambda::test_raise_exception_catch"]
    lam, arn = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(arn, case["input"]))
    expected = case["expected"]["output"]["task_failed_error"]
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == expected["Error"]
    assert outcome.cause == _with_request_id(expected["Cause"], outcome.cause or "")


def test_invoke_raise_custom_exception(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases[
        "error_handling/test_task_service_lambda.py::TestTaskServiceLambda::test_raise_custom_exception"
    ]
    lam, _ = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(INVOKE, case["input"]))
    expected = case["expected"]["output"]
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == expected["Error"]
    assert outcome.cause == _with_request_id(expected["Cause"], outcome.cause or "")


def test_invoke_bytes_payload(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases[
        "services/test_lambda_task_service.py::TestTaskServiceLambda::test_invoke_bytes_payload"
    ]
    lam, _ = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(INVOKE, case["input"]))
    expected = case["expected"]["output"]["final"]
    assert isinstance(outcome, TaskSuccess)
    assert outcome.result["Payload"] == expected["Payload"]
    headers = outcome.result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == expected["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"]


def test_direct_bytes_payload(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases["services/test_lambda_task.py::TestTaskLambda::test_invoke_bytes_payload"]
    lam, arn = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(arn, case["input"]))
    assert outcome == TaskSuccess(case["expected"]["output"])


def test_invoke_echo_result_selector(cases: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    case = cases["context_object/test_context_object.py::TestSnfBase::test_result_selector"]
    lam, _ = _staged(case, tmp_path)
    params = {"FunctionName": case["input"]["FunctionName"], "Payload": {"Input": case["input"]}}
    outcome = lam.invoke(lambda_request(INVOKE, params))
    expected = case["expected"]["output"]["LambdaOutput"]
    assert isinstance(outcome, TaskSuccess)
    assert outcome.result["Payload"] == params["Payload"]
    # The recorded function name is masked; a name of the recorded length gives AWS's length.
    assert len(case["input"]["FunctionName"]) == len("lambda_func_751de652")
    assert (
        outcome.result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"]
        == (expected["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"])
    )


def test_large_output_exceeds_the_step_functions_quota(
    cases: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    case = cases[
        "error_handling/test_states_errors.py::TestStatesErrors::"
        "test_task_lambda_data_limit_exceeded_on_large_utf8_response"
    ]
    lam, arn = _staged(case, tmp_path)
    outcome = lam.invoke(lambda_request(arn, case["input"]))
    # Lambda passes 257 KiB through; the engine turns it into States.DataLimitExceeded.
    assert isinstance(outcome, TaskSuccess)
    assert payload_size(outcome.result) > 256 * 1024


@pytest.mark.parametrize(
    "case_id",
    [
        "services/test_lambda_task.py::TestTaskLambda::test_invoke_json_values[0.0]",
        "services/test_lambda_task.py::TestTaskLambda::test_invoke_json_values[HelloWorld]",
        "services/test_lambda_task.py::TestTaskLambda::test_invoke_json_values[True]",
        "services/test_lambda_task.py::TestTaskLambda::test_invoke_json_values[json_value6]",
        "local_mocking/test_base_scenarios.py::TestBaseScenarios::test_lambda_invoke",
    ],
)
def test_direct_identity_cases(
    cases: dict[str, dict[str, Any]], case_id: str, tmp_path: Path
) -> None:
    case = cases[case_id]
    lam, arn = _staged(case, tmp_path)
    assert lam.invoke(lambda_request(arn, case["input"])) == TaskSuccess(case["expected"]["output"])
