"""The AWS errors of the alias and version actions, and the Map Run actions (inline Maps only).

Texts are AWS's as recorded by LocalStack's parity tests (test_sfn_api_aliasing.snapshot.json).
"""

from __future__ import annotations

import json

from .conftest import PASS_MACHINE, Api, error_of


def _published(api: Api) -> str:
    arn = api.machine(PASS_MACHINE, publish=True)
    api.sfn.update_state_machine(
        stateMachineArn=arn,
        definition=json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
    )
    api.sfn.publish_state_machine_version(stateMachineArn=arn)
    return arn


def _create(api: Api, name: str, routes: list[tuple[str, int]]) -> tuple[str, str]:
    config = [{"stateMachineVersionArn": a, "weight": w} for a, w in routes]
    return error_of(
        lambda: api.sfn.create_state_machine_alias(name=name, routingConfiguration=config)
    )


def test_routing_configuration_errors(api: Api) -> None:
    arn = _published(api)
    assert _create(api, "a", [(arn, 100)]) == (
        "ValidationException",
        f"Routing configuration must contain state machine version ARNs. Received: [{arn}]",
    )
    assert _create(api, "a", [(f"{arn}:1", 50), (f"{arn}:1", 50)]) == (
        "ValidationException",
        "Routing configuration must contain distinct state machine version ARNs. "
        f"Received: [{arn}:1, {arn}:1]",
    )
    assert _create(api, "a", [(f"{arn}:1", 70), (f"{arn}:2", 29)]) == (
        "ValidationException",
        "Sum of routing configuration weights must equal 100. Received: [70, 29]",
    )
    assert _create(api, "a", [(f"{arn}:1", 101)]) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' "
        "failed to satisfy constraint: Member must have value less than or equal to 100",
    )
    assert _create(api, "a", [(f"{arn}:7", 100)])[0] == "ResourceNotFound"


def test_alias_names_follow_the_pattern(api: Api) -> None:
    arn = _published(api)
    for name in ("123", "INVALID ALIAS", "ALIAS@"):
        assert _create(api, name, [(f"{arn}:1", 100)]) == (
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$",
        )


def test_alias_create_is_idempotent_but_not_for_other_routing(api: Api) -> None:
    arn = _published(api)
    config = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    first = api.sfn.create_state_machine_alias(name="live", routingConfiguration=config)
    again = api.sfn.create_state_machine_alias(name="live", routingConfiguration=config)
    assert first["stateMachineAliasArn"] == again["stateMachineAliasArn"]
    assert _create(api, "live", [(f"{arn}:2", 100)]) == (
        "ConflictException",
        "Failed to create alias because an alias with the same name and a different routing "
        "configuration already exists.",
    )


def test_a_version_behind_an_alias_cannot_be_deleted(api: Api) -> None:
    arn = _published(api)
    config = [{"stateMachineVersionArn": f"{arn}:1", "weight": 100}]
    api.sfn.create_state_machine_alias(name="live", routingConfiguration=config)
    code, message = error_of(
        lambda: api.sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    )
    assert (code, message) == (
        "ConflictException",
        "Version to be deleted must not be referenced by an alias. "
        "Current list of aliases referencing this version: [live]",
    )


def test_missing_aliases_are_resource_not_found(api: Api) -> None:
    arn = _published(api)
    missing = f"{arn}:nope"
    expected = ("ResourceNotFound", "Request references a resource that does not exist.")
    assert error_of(lambda: api.sfn.describe_state_machine_alias(stateMachineAliasArn=missing)) == (
        expected
    )
    assert (
        error_of(
            lambda: api.sfn.update_state_machine_alias(
                stateMachineAliasArn=missing, description="x"
            )
        )
        == expected
    )


def test_inline_maps_have_no_map_runs(api: Api) -> None:
    arn = api.machine({
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}},
    })  # fmt: skip
    started = api.sfn.start_execution(stateMachineArn=arn, input='{"items": [1, 2]}')
    assert api.wait_closed(started["executionArn"])["status"] == "SUCCEEDED"
    assert api.sfn.list_map_runs(executionArn=started["executionArn"])["mapRuns"] == []
    missing = started["executionArn"].replace(":execution:", ":execution:x") + "z"
    assert error_of(lambda: api.sfn.list_map_runs(executionArn=missing))[0] == (
        "ExecutionDoesNotExist"
    )
    map_run = "arn:aws:states:us-east-1:123456789012:mapRun:Demo/M:0b5b3d3c"
    assert error_of(lambda: api.sfn.describe_map_run(mapRunArn=map_run))[0] == "ResourceNotFound"
