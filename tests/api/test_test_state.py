"""TestState through boto3: one state run by the engine, its status, nextState and inspection data.

Statuses and fields as the API reference documents them
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html): SUCCEEDED,
FAILED, RETRIABLE (a Retrier matches: reported instead of retried), CAUGHT_ERROR; DEBUG adds
inspectionData with the JSONPath pipeline (API_InspectionData.html).
"""

from __future__ import annotations

import json
from typing import Any

from .conftest import ROLE, Api, error_code

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:double"


def _test(api: Api, state: dict[str, Any], data: Any, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = api.sfn.test_state(
        definition=json.dumps(state), roleArn=ROLE, input=json.dumps(data), **extra
    )
    return response


def test_pass_state_debug_shows_each_step(api: Api) -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.order",
        "Parameters": {"id.$": "$.id"},
        "ResultPath": "$.copy",
        "OutputPath": "$.copy",
        "Next": "Ship",
    }
    answer = _test(api, state, {"order": {"id": 7}}, inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "Ship"
    assert json.loads(answer["output"]) == {"id": 7}
    data = {k: json.loads(v) for k, v in answer["inspectionData"].items()}
    assert data == {
        "input": {"order": {"id": 7}},
        "afterInputPath": {"id": 7},
        "afterParameters": {"id": 7},
        "result": {"id": 7},
        "afterResultSelector": {"id": 7},
        "afterResultPath": {"order": {"id": 7}, "copy": {"id": 7}},
    }


def test_info_level_has_no_inspection_data_and_end_has_no_next_state(api: Api) -> None:
    answer = _test(api, {"Type": "Pass", "Result": 1, "End": True}, {})
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == 1
    assert "nextState" not in answer
    assert "inspectionData" not in answer


def test_choice_reports_the_branch_taken(api: Api) -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}],
        "Default": "Small",
    }
    assert _test(api, state, {"n": 9})["nextState"] == "Big"
    assert _test(api, state, {"n": 1})["nextState"] == "Small"


def test_fail_state_fails(api: Api) -> None:
    answer = _test(api, {"Type": "Fail", "Error": "Boom", "Cause": "why"}, {})
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Boom", "why")
    assert "nextState" not in answer


def test_task_really_invokes_the_function(api: Api) -> None:
    api.function("double", "def handler(event, context):\n    return event['x'] * 2\n")
    state = {"Type": "Task", "Resource": LAMBDA, "ResultPath": "$.twice", "End": True}
    answer = _test(api, state, {"x": 21}, inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"x": 21, "twice": 42}
    assert json.loads(answer["inspectionData"]["result"]) == 42


def test_mocked_result_skips_the_call(api: Api) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"v.$": "$.value"}, "End": True}
    answer = _test(api, state, {}, mock={"result": '{"value": 5}'}, inspectionLevel="DEBUG")
    assert json.loads(answer["output"]) == {"v": 5}
    assert json.loads(answer["inspectionData"]["afterResultSelector"]) == {"v": 5}


def test_mocked_error_is_retriable_caught_or_failed(api: Api) -> None:
    mock = {"errorOutput": {"error": "Oops", "cause": "bad"}}
    task: dict[str, Any] = {"Type": "Task", "Resource": LAMBDA, "End": True}
    failed = _test(api, task, {}, mock=mock)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Oops", "bad")
    retried = _test(api, {**task, "Retry": [{"ErrorEquals": ["Oops"]}]}, {}, mock=mock)
    assert (retried["status"], retried["error"]) == ("RETRIABLE", "Oops")
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.err"}]
    caught = _test(api, {**task, "Catch": catch}, {"a": 1}, mock=mock)
    assert (caught["status"], caught["nextState"], caught["error"]) == (
        "CAUGHT_ERROR",
        "Handle",
        "Oops",
    )
    assert json.loads(caught["output"]) == {"a": 1, "err": {"Error": "Oops", "Cause": "bad"}}


def test_bad_state_definitions_are_refused(api: Api) -> None:
    assert error_code(lambda: _test(api, {"Type": "Pass"}, {})) == "InvalidDefinition"
    assert error_code(lambda: _test(api, {"Type": "Nope", "End": True}, {})) == (
        "InvalidDefinition"
    )
    code = error_code(lambda: api.sfn.test_state(definition="[]", roleArn=ROLE, input="{}"))
    assert code == "InvalidDefinition"


def test_variables_are_set_before_the_state_and_reported_after_it(api: Api) -> None:
    # API_TestState: `variables` are "JSON object literal that sets variables used in the state
    # under test"; API_InspectionData: `variables` is the set after the state ran, the ones
    # given plus the ones it assigned.
    state = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Assign": {"total": "{% $price * $states.input.quantity %}"},
        "Output": "{% $price %}",
        "End": True,
    }
    answer = _test(
        api,
        state,
        {"quantity": 3},
        inspectionLevel="DEBUG",
        variables=json.dumps({"price": 5}),
    )
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == 5
    assert json.loads(answer["inspectionData"]["variables"]) == {"price": 5, "total": 15}
    code = error_code(lambda: _test(api, state, {}, variables="[1]"))
    assert code == "ValidationException"
