"""The optimized ``arn:aws:states:::lambda:invoke`` integration: the result is the Invoke response.

Shapes and header values come from executions recorded on AWS (the conformance corpus's
``test_lambda_task_service`` cases) and docs step-functions/latest/dg/connect-lambda.html.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.integrations.lambda_ import LambdaIntegration, LocalFunctions
from support.lambda_staging import lambda_request

FUNCTIONS = Path(__file__).parent / "functions"
INVOKE = "arn:aws:states:::lambda:invoke"
HOME_ARN = "arn:aws:lambda:us-east-1:111111111111:function:"


@pytest.fixture
def lam() -> LambdaIntegration:
    return LambdaIntegration(LocalFunctions(FUNCTIONS))


def _result(outcome: object) -> dict[str, object]:
    assert isinstance(outcome, TaskSuccess), outcome
    assert isinstance(outcome.result, dict)
    return outcome.result


def _fail(outcome: object) -> TaskFailure:
    assert isinstance(outcome, TaskFailure), outcome
    return outcome


def test_handles_the_invoke_resource_forms(lam: LambdaIntegration) -> None:
    assert lam.handles(INVOKE)
    assert lam.handles("arn:aws:states:us-east-1:111111111111:lambda:invoke")
    assert not lam.handles("arn:aws:states:::lambda:invoke.waitForTaskToken")
    assert not lam.handles("arn:aws:states:::lambda:listFunctions")


def test_result_is_the_invoke_response(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "echo", "Payload": {"body": "string body"}}
    result = _result(lam.invoke(lambda_request(INVOKE, params)))
    assert list(result) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert result["ExecutedVersion"] == "$LATEST"
    assert result["Payload"] == {"body": "string body"}
    assert result["StatusCode"] == 200
    metadata = result["SdkHttpMetadata"]
    assert isinstance(metadata, dict)
    headers = metadata["HttpHeaders"]
    request_id = headers["x-amzn-RequestId"]
    assert result["SdkResponseMetadata"] == {"RequestId": request_id}
    assert metadata["HttpStatusCode"] == 200
    # Content-Length counts the runtime's encoding ('{"body": "string body"}' is 23 bytes,
    # as AWS recorded for this input in test_lambda_service_invoke_sync_execution).
    fixed = {
        "Connection": "keep-alive",
        "Content-Length": "23",
        "Content-Type": "application/json",
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
    }
    assert {key: headers[key] for key in fixed} == fixed
    assert headers["Date"].endswith(" GMT")
    assert headers["X-Amzn-Trace-Id"].startswith("Root=1-")
    assert metadata["AllHttpHeaders"] == {key: [value] for key, value in headers.items()}


@pytest.mark.parametrize(
    ("payload", "event"),
    [
        (None, {}),  # a null Payload is sent as {} (corpus test_invoke: Payload {} back)
        ('"HelloWorld"', "HelloWorld"),  # a string of JSON text is sent as that text
        ("0.0", 0.0),
        ("null", None),
        ("not json", "not json"),  # other strings go as JSON strings
        ([1, 2], [1, 2]),
        (7, 7),
    ],
)
def test_payload_is_sent_as_step_functions_sends_it(
    lam: LambdaIntegration, payload: object, event: object
) -> None:
    result = _result(
        lam.invoke(lambda_request(INVOKE, {"FunctionName": "echo", "Payload": payload}))
    )
    assert result["Payload"] == event


def test_missing_payload_is_an_empty_object(lam: LambdaIntegration) -> None:
    assert _result(lam.invoke(lambda_request(INVOKE, {"FunctionName": "echo"})))["Payload"] == {}


@pytest.mark.parametrize(
    ("function_name", "invoked_arn"),
    [
        ("context_probe", HOME_ARN + "context_probe"),
        ("context_probe:live", HOME_ARN + "context_probe:live"),
        (
            "222222222222:function:context_probe",
            "arn:aws:lambda:us-east-1:222222222222:function:context_probe",
        ),
        (
            "arn:aws:lambda:eu-west-1:333333333333:function:context_probe:$LATEST",
            "arn:aws:lambda:eu-west-1:333333333333:function:context_probe:$LATEST",
        ),
    ],
)
def test_function_name_forms(lam: LambdaIntegration, function_name: str, invoked_arn: str) -> None:
    # A bare name takes the execution's region and account (lambda_request's execution ARN).
    result = _result(lam.invoke(lambda_request(INVOKE, {"FunctionName": function_name})))
    payload = result["Payload"]
    assert isinstance(payload, dict)
    assert payload["function_name"] == "context_probe"
    assert payload["invoked_function_arn"] == invoked_arn


def test_qualifier_parameter_joins_the_invoked_arn(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "context_probe", "Qualifier": "7"}
    payload = _result(lam.invoke(lambda_request(INVOKE, params)))["Payload"]
    assert isinstance(payload, dict)
    assert payload["invoked_function_arn"] == HOME_ARN + "context_probe:7"


def test_conflicting_qualifiers_are_rejected(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "context_probe:live", "Qualifier": "7"}
    failure = _fail(lam.invoke(lambda_request(INVOKE, params)))
    assert failure.error == "Lambda.InvalidParameterValueException"
    assert (failure.cause or "").startswith(
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_function_error_names_the_error_type_and_compacts_the_cause(
    lam: LambdaIntegration,
) -> None:
    failure = _fail(
        lam.invoke(
            lambda_request(INVOKE, {"FunctionName": "nested_error", "Payload": {"value": 1}})
        )
    )
    assert failure.error == "ValueError"
    body = json.loads(failure.cause or "")
    assert body["errorMessage"] == "bad value: 1"
    # Step Functions re-serialises the answer compactly for lambda:invoke (corpus
    # test_catch_error_variable_sampling: '{"errorMessage":"Some exception was raised.",...').
    assert failure.cause == json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def test_missing_function_is_resource_not_found(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(INVOKE, {"FunctionName": "nowhere:prod"})))
    assert failure.error == "Lambda.ResourceNotFoundException"
    assert (failure.cause or "").startswith(
        f"Function not found: {HOME_ARN}nowhere:prod (Service: AWSLambda; Status Code: 404;"
    )


@pytest.mark.parametrize("function_name", [None, 5, "bad name!", ""])
def test_invalid_function_name_is_a_validation_error(
    lam: LambdaIntegration, function_name: object
) -> None:
    failure = _fail(lam.invoke(lambda_request(INVOKE, {"FunctionName": function_name})))
    assert failure.error == "Lambda.ValidationException"
    assert "at 'functionName' failed to satisfy constraint" in (failure.cause or "")


def test_event_invocation_answers_202_and_runs_in_the_background(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "notify").mkdir()
    (tmp_path / "notify" / "handler.py").write_text(
        "from pathlib import Path\n\n\n"
        "def handler(event, context):\n"
        "    Path(event['marker']).write_text('yes')\n"
    )
    lam = LambdaIntegration.from_directory(tmp_path)
    params = {
        "FunctionName": "notify",
        "InvocationType": "Event",
        "Payload": {"marker": str(marker)},
    }
    result = _result(lam.invoke(lambda_request(INVOKE, params)))
    assert result["StatusCode"] == 202
    assert result["Payload"] == ""
    assert "ExecutedVersion" not in result
    for thread in threading.enumerate():
        if thread.name == "lambda-event-notify":
            thread.join()
    assert marker.read_text() == "yes"


def test_dry_run_answers_204_without_running(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "exit_early", "InvocationType": "DryRun"}
    result = _result(lam.invoke(lambda_request(INVOKE, params)))
    assert result["StatusCode"] == 204


def test_dry_run_of_a_missing_function_is_resource_not_found(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "nowhere", "InvocationType": "DryRun"}
    assert _fail(lam.invoke(lambda_request(INVOKE, params))).error == (
        "Lambda.ResourceNotFoundException"
    )


def test_unknown_invocation_type_is_a_validation_error(lam: LambdaIntegration) -> None:
    params = {"FunctionName": "echo", "InvocationType": "Later"}
    failure = _fail(lam.invoke(lambda_request(INVOKE, params)))
    assert failure.error == "Lambda.ValidationException"
    assert (failure.cause or "").startswith(
        "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun] ("
    )
