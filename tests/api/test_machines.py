"""State machine actions through boto3: create, describe, update, delete, list, validate.

Expected texts and shapes are AWS's as recorded by LocalStack's parity tests against real AWS
(test_sfn_api.snapshot.json) and documented in the API reference
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html).
"""

from __future__ import annotations

import json

from .conftest import PASS_MACHINE, ROLE, Api, error_code, error_of


def test_create_then_describe_shows_the_machine(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Greeter")
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:Greeter"
    described = api.sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == "Greeter"
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert described["roleArn"] == ROLE
    assert json.loads(described["definition"]) == PASS_MACHINE
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    assert "revisionId" not in described  # AWS shows one only after an update (recorded)


def test_create_is_idempotent_but_a_changed_definition_is_refused(api: Api) -> None:
    first = api.machine(PASS_MACHINE, name="Same")
    assert api.machine(PASS_MACHINE, name="Same") == first
    other = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    code, message = error_of(lambda: api.machine(other, name="Same"))
    assert code == "StateMachineAlreadyExists"
    assert message == f"State Machine Already Exists: '{first}'"


def test_invalid_definition_is_refused_with_the_diagnostic(api: Api) -> None:
    code, message = error_of(lambda: api.machine({"StartAt": "A"}, name="Broken"))
    assert code == "InvalidDefinition"
    # Recorded on AWS for a definition without States.
    assert message == (
        "Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    )


def test_invalid_names_and_types(api: Api) -> None:
    assert error_code(lambda: api.machine(PASS_MACHINE, name="has space")) == "InvalidName"
    assert error_code(lambda: api.machine(PASS_MACHINE, name="a:b")) == "InvalidName"
    assert error_code(lambda: api.machine(PASS_MACHINE, name="x" * 81)) == "ValidationException"
    code = error_code(lambda: api.machine(PASS_MACHINE, name="T", type="LONG"))
    assert code == "ValidationException"
    code = error_code(
        lambda: api.sfn.create_state_machine(
            name="R", definition=json.dumps(PASS_MACHINE), roleArn="not-an-arn"
        )
    )
    assert code == "InvalidArn"


def test_update_makes_a_new_revision_only_when_something_changes(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Updated")
    changed = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    first = api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(changed))
    again = api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(changed))
    assert first["revisionId"] == again["revisionId"]
    described = api.sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == changed
    assert described["revisionId"] == first["revisionId"]
    code, message = error_of(lambda: api.sfn.update_state_machine(stateMachineArn=arn))
    assert code == "MissingRequiredParameter"
    assert message.startswith("Either the definition, the role ARN")
    bad = json.dumps({"StartAt": "Nowhere", "States": {}})
    code = error_code(lambda: api.sfn.update_state_machine(stateMachineArn=arn, definition=bad))
    assert code == "InvalidDefinition"


def test_describe_unknown_and_malformed_arns(api: Api) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:Nope"
    code, message = error_of(lambda: api.sfn.describe_state_machine(stateMachineArn=missing))
    assert (code, message) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{missing}'",
    )
    code, message = error_of(
        lambda: api.sfn.describe_state_machine(stateMachineArn="not_a_valid_arn")
    )
    assert (code, message) == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'")
    execution = "arn:aws:states:us-east-1:123456789012:execution:M:e"
    assert (
        error_code(lambda: api.sfn.describe_state_machine(stateMachineArn=execution))
        == "InvalidArn"
    )


def test_delete_removes_and_is_idempotent(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Doomed")
    api.sfn.delete_state_machine(stateMachineArn=arn)
    api.sfn.delete_state_machine(stateMachineArn=arn)  # AWS: 200 for a missing machine
    code = error_code(lambda: api.sfn.describe_state_machine(stateMachineArn=arn))
    assert code == "StateMachineDoesNotExist"


def test_list_pages_in_name_order(api: Api) -> None:
    names = [f"M{i:02}" for i in range(5)]
    for name in reversed(names):
        api.machine(PASS_MACHINE, name=name)
    first = api.sfn.list_state_machines(maxResults=3)
    assert [m["name"] for m in first["stateMachines"]] == names[:3]
    second = api.sfn.list_state_machines(maxResults=3, nextToken=first["nextToken"])
    assert [m["name"] for m in second["stateMachines"]] == names[3:]
    assert "nextToken" not in second
    assert set(second["stateMachines"][0]) == {"stateMachineArn", "name", "type", "creationDate"}
    code, message = error_of(lambda: api.sfn.list_state_machines(maxResults=1001))
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000"
    )
    code = error_code(lambda: api.sfn.list_state_machines(nextToken="garbage!"))
    assert code == "InvalidToken"


def test_validate_definition_reports_ok_and_diagnostics(api: Api) -> None:
    ok = api.sfn.validate_state_machine_definition(definition=json.dumps(PASS_MACHINE))
    assert (ok["result"], ok["diagnostics"], ok["truncated"]) == ("OK", [], False)
    failed = api.sfn.validate_state_machine_definition(definition="{}")
    assert failed["result"] == "FAIL"
    # Recorded on AWS for an empty object.
    assert failed["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]
    text = api.sfn.validate_state_machine_definition(definition="not a definition")
    assert text["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_validate_definition_lists_warnings_with_result_ok(api: Api) -> None:
    # AWS creates a machine that reads a variable no state assigns (it fails at run time with
    # States.QueryEvaluationError), so validation says OK and lists the read as a WARNING
    # (API_ValidateStateMachineDefinition: diagnostics carry severity ERROR or WARNING).
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $never %}", "End": True}},
    }
    answer = api.sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert answer["result"] == "OK"
    assert [d["severity"] for d in answer["diagnostics"]] == ["WARNING"]
    assert "never" in answer["diagnostics"][0]["message"]
