"""Lambda tasks with a function ARN as ``Resource``: the result is the function's answer.

AWS behaviour: docs step-functions/latest/dg/connect-lambda.html and the Python runtime's error
format (lambda/latest/dg/python-exceptions.html): ``errorMessage``, ``errorType``,
``requestId``, ``stackTrace``, written with ``json.dumps`` defaults.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.integrations.lambda_ import LambdaIntegration, LocalFunctions
from support.lambda_staging import lambda_request

FUNCTIONS = Path(__file__).parent / "functions"
ARN = "arn:aws:lambda:us-east-1:111111111111:function:"
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def lam() -> LambdaIntegration:
    return LambdaIntegration(LocalFunctions(FUNCTIONS))


def _fail(outcome: object) -> TaskFailure:
    assert isinstance(outcome, TaskFailure), outcome
    return outcome


def test_handles_function_arns_with_and_without_qualifier(lam: LambdaIntegration) -> None:
    assert lam.handles(ARN + "echo")
    assert lam.handles(ARN + "echo:prod")
    assert lam.handles(ARN + "echo:$LATEST")
    assert not lam.handles("arn:aws:states:::sqs:sendMessage")
    assert not lam.handles("arn:aws:states:::lambda:invoke.waitForTaskToken")


def test_result_is_the_decoded_answer(lam: LambdaIntegration) -> None:
    payload = {"order": 7, "lines": [{"sku": "A", "qty": 2}], "note": "ça"}
    assert lam.invoke(lambda_request(ARN + "echo", payload)) == TaskSuccess(payload)


@pytest.mark.parametrize("value", [None, 0, 0.0, True, "HelloWorld", [], {}])
def test_any_json_value_round_trips(lam: LambdaIntegration, value: object) -> None:
    # docs connect-lambda / corpus test_invoke_json_values: scalars pass through as themselves
    assert lam.invoke(lambda_request(ARN + "echo", value)) == TaskSuccess(value)


def test_handler_gets_a_fresh_copy_of_the_event(lam: LambdaIntegration) -> None:
    payload = {"items": ["a"]}
    outcome = lam.invoke(lambda_request(ARN + "mutate", payload))
    assert outcome == TaskSuccess({"items": ["a", "added"], "touched": True})
    assert payload == {"items": ["a"]}


def test_exception_becomes_its_type_name_and_the_runtime_error_text(
    lam: LambdaIntegration,
) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "custom_error", {})))
    assert failure.error == "OrderRejectedError"
    assert failure.cause is not None
    body = json.loads(failure.cause)
    assert list(body) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert body["errorMessage"] == "commande refusée ✗"
    assert UUID4.match(body["requestId"])
    frame = '  File "/var/task/handler.py", line 10, in handler\n'
    assert body["stackTrace"] == [frame + '    raise OrderRejectedError("commande refusée ✗")\n']
    # The cause is the runtime's own text: ", "/": " separators, non-ASCII kept (python3.12).
    assert failure.cause == json.dumps(body, ensure_ascii=False)


def test_stack_trace_lists_every_user_frame_under_var_task(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "nested_error", {"value": 5})))
    assert failure.error == "ValueError"
    body = json.loads(failure.cause or "")
    assert body["errorMessage"] == "bad value: 5"
    assert body["stackTrace"] == [
        '  File "/var/task/handler.py", line 8, in handler\n    return helpers.check(event)\n',
        '  File "/var/task/helpers.py", line 6, in check\n'
        "    raise ValueError(f\"bad value: {event['value']}\")\n",
    ]


def test_single_module_function_shows_its_own_file_name(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "single_file", 1)))
    assert failure.error == "RuntimeError"
    body = json.loads(failure.cause or "")
    assert body["errorMessage"] == "single 1"
    assert body["stackTrace"] == [
        '  File "/var/task/single_file.py", line 8, in handler\n'
        '    raise RuntimeError("single " + str(event))\n'
    ]


def test_request_id_is_stable_per_attempt_and_distinct_between_attempts(
    lam: LambdaIntegration,
) -> None:
    def request_id(key: str) -> str:
        failure = _fail(lam.invoke(lambda_request(ARN + "custom_error", {}, key=key)))
        return str(json.loads(failure.cause or "")["requestId"])

    first = request_id("run-1/Task/2/0")
    assert request_id("run-1/Task/2/0") == first
    assert request_id("run-1/Task/2/1") != first
    assert UUID4.match(request_id(""))


def test_unserialisable_result_is_a_marshal_error(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "unserialisable", {})))
    assert failure.error == "Runtime.MarshalError"
    body = json.loads(failure.cause or "")
    assert (
        body["errorMessage"]
        == "Unable to marshal response: Object of type set is not JSON serializable"
    )
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["stackTrace"] == []


def test_bytes_pass_through_and_non_json_reads_as_text(lam: LambdaIntegration) -> None:
    outcome = lam.invoke(lambda_request(ARN + "raw_bytes", {}))
    assert outcome == TaskSuccess("plain text, not JSON")


def test_decimals_are_encoded_as_numbers(lam: LambdaIntegration) -> None:
    outcome = lam.invoke(lambda_request(ARN + "decimals", {}))
    assert outcome == TaskSuccess({"price": 1.5, "count": 3})


def test_answer_over_six_megabytes_is_lambdas_size_error(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "too_large", {})))
    assert failure.error == "Function.ResponseSizeTooLarge"
    assert failure.cause == (
        '{"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed '
        'payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}'
    )


def test_sys_exit_is_a_runtime_exit_error(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "exit_early", {})))
    assert failure.error == "Runtime.ExitError"
    body = json.loads(failure.cause or "")
    assert body["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")


def test_missing_function_is_resource_not_found(lam: LambdaIntegration) -> None:
    failure = _fail(lam.invoke(lambda_request(ARN + "no_such_function", {})))
    assert failure.error == "Lambda.ResourceNotFoundException"
    assert failure.cause is not None
    assert failure.cause.startswith(
        f"Function not found: {ARN}no_such_function (Service: AWSLambda; Status Code: 404; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )
    assert failure.cause.endswith("; Proxy: null)")


def test_context_carries_lambdas_fields(lam: LambdaIntegration) -> None:
    resource = ARN + "context_probe:live"
    outcome = lam.invoke(lambda_request(resource, {}, timeout_seconds=30))
    assert isinstance(outcome, TaskSuccess)
    fields = outcome.result
    assert fields["function_name"] == "context_probe"
    assert fields["function_version"] == "$LATEST"
    assert fields["invoked_function_arn"] == resource
    assert fields["memory_limit_in_mb"] == "128"
    assert UUID4.match(fields["aws_request_id"])
    assert fields["log_group_name"] == "/aws/lambda/context_probe"
    assert re.match(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", fields["log_stream_name"])
    assert 0 < fields["remaining_ms"] <= 30_000
    assert fields["identity_id"] is None
    assert fields["client_context"] is None
