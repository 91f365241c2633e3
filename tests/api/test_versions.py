"""Versions and aliases through boto3: publish, list, delete, describe, start by version/alias.

Expected texts and shapes are AWS's as recorded by LocalStack's parity tests against real AWS
(test_sfn_api_versioning.snapshot.json, test_sfn_api_aliasing.snapshot.json) and the API
reference (https://docs.aws.amazon.com/step-functions/latest/apireference/
API_PublishStateMachineVersion.html, API_CreateStateMachineAlias.html).
"""

from __future__ import annotations

import json
from typing import Any

from .conftest import PASS_MACHINE, Api, error_of

V2_MACHINE = {
    "StartAt": "Hello",
    "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "v2"}, "End": True}},
}


def _two_versions(api: Api) -> str:
    arn = api.machine(PASS_MACHINE, publish=True)
    api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(V2_MACHINE))
    api.sfn.publish_state_machine_version(stateMachineArn=arn, description="second")
    return arn


def _arns(listing: dict[str, Any], key: str, field: str) -> list[str]:
    return [item[field] for item in listing[key]]


def test_create_with_publish_returns_version_1(api: Api) -> None:
    response = api.sfn.create_state_machine(
        name="Pub", definition=json.dumps(PASS_MACHINE), roleArn="arn:aws:iam::1:role/r",
        publish=True, versionDescription="v1",
    )  # fmt: skip
    arn = response["stateMachineArn"]
    assert response["stateMachineVersionArn"] == f"{arn}:1"
    described = api.sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert described["stateMachineArn"] == f"{arn}:1"
    assert described["description"] == "v1"
    assert json.loads(described["definition"]) == PASS_MACHINE
    assert "revisionId" not in described  # the initial revision (recorded)


def test_version_description_needs_publish(api: Api) -> None:
    code, message = error_of(lambda: api.machine(PASS_MACHINE, versionDescription="x"))
    assert (code, message) == (
        "ValidationException",
        "Version description can only be set when publish is true",
    )


def test_publish_is_idempotent_per_revision_and_lists_newest_first(api: Api) -> None:
    arn = api.machine(PASS_MACHINE)
    first = api.sfn.publish_state_machine_version(stateMachineArn=arn)
    again = api.sfn.publish_state_machine_version(stateMachineArn=arn)
    assert first["stateMachineVersionArn"] == again["stateMachineVersionArn"] == f"{arn}:1"
    update = api.sfn.update_state_machine(
        stateMachineArn=arn, definition=json.dumps(V2_MACHINE), publish=True
    )
    assert update["stateMachineVersionArn"] == f"{arn}:2"
    listing = api.sfn.list_state_machine_versions(stateMachineArn=arn)
    assert _arns(listing, "stateMachineVersions", "stateMachineVersionArn") == [
        f"{arn}:2",
        f"{arn}:1",
    ]
    v1 = api.sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert json.loads(v1["definition"]) == PASS_MACHINE  # versions are immutable


def test_publish_with_a_stale_revision_conflicts(api: Api) -> None:
    arn = api.machine(PASS_MACHINE)
    old = api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(V2_MACHINE))
    new = api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS_MACHINE))
    code, message = error_of(
        lambda: api.sfn.publish_state_machine_version(
            stateMachineArn=arn, revisionId=old["revisionId"]
        )
    )
    assert code == "ConflictException"
    assert message == (
        f"Failed to publish the State Machine version for revision {old['revisionId']}. "
        f"The current State Machine revision is {new['revisionId']}."
    )


def test_delete_version_is_idempotent_and_numbers_are_not_reused(api: Api) -> None:
    arn = _two_versions(api)
    api.sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    api.sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    code, message = error_of(lambda: api.sfn.describe_state_machine(stateMachineArn=f"{arn}:2"))
    assert (code, message) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}:2'",
    )
    api.sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps({
        "StartAt": "S", "States": {"S": {"Type": "Succeed"}}
    }))  # fmt: skip
    published = api.sfn.publish_state_machine_version(stateMachineArn=arn)
    assert published["stateMachineVersionArn"] == f"{arn}:3"


def test_start_by_version_runs_that_version_and_describes_it(api: Api) -> None:
    arn = _two_versions(api)
    started = api.sfn.start_execution(stateMachineArn=f"{arn}:1", name="old")
    described = api.wait_closed(started["executionArn"])
    assert started["executionArn"].endswith(":execution:Demo:old")
    assert described["stateMachineArn"] == arn
    assert described["stateMachineVersionArn"] == f"{arn}:1"
    assert "stateMachineAliasArn" not in described
    assert json.loads(described["output"]) == {"greeting": "hi"}
    ran = api.sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert json.loads(ran["definition"]) == PASS_MACHINE
    listed = api.sfn.list_executions(stateMachineArn=arn)["executions"]
    assert listed[0]["stateMachineVersionArn"] == f"{arn}:1"


def test_start_by_a_missing_version_names_it(api: Api) -> None:
    arn = api.machine(PASS_MACHINE)
    code, message = error_of(lambda: api.sfn.start_execution(stateMachineArn=f"{arn}:9"))
    assert (code, message) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{arn}:9'",
    )


def test_alias_lifecycle_and_start_through_alias(api: Api) -> None:
    arn = _two_versions(api)
    created = api.sfn.create_state_machine_alias(
        name="live", description="d", routingConfiguration=[
            {"stateMachineVersionArn": f"{arn}:2", "weight": 100}
        ],
    )  # fmt: skip
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    started = api.sfn.start_execution(stateMachineArn=alias)
    described = api.wait_closed(started["executionArn"])
    assert described["stateMachineAliasArn"] == alias
    assert described["stateMachineVersionArn"] == f"{arn}:2"
    assert json.loads(described["output"]) == {"greeting": "v2"}
    api.sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=[
            {"stateMachineVersionArn": f"{arn}:1", "weight": 50},
            {"stateMachineVersionArn": f"{arn}:2", "weight": 50},
        ],
    )  # fmt: skip
    shown = api.sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert shown["name"] == "live"
    assert shown["description"] == "d"
    assert [r["weight"] for r in shown["routingConfiguration"]] == [50, 50]
    listing = api.sfn.list_state_machine_aliases(stateMachineArn=arn)
    assert _arns(listing, "stateMachineAliases", "stateMachineAliasArn") == [alias]
    api.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    api.sfn.delete_state_machine_alias(stateMachineAliasArn=alias)  # missing is fine (recorded)
    assert api.sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []


def test_split_alias_routes_to_both_versions(api: Api) -> None:
    arn = _two_versions(api)
    alias = api.sfn.create_state_machine_alias(
        name="canary", routingConfiguration=[
            {"stateMachineVersionArn": f"{arn}:1", "weight": 50},
            {"stateMachineVersionArn": f"{arn}:2", "weight": 50},
        ],
    )["stateMachineAliasArn"]  # fmt: skip
    seen = set()
    for n in range(20):
        started = api.sfn.start_execution(stateMachineArn=alias, name=f"run-{n}")
        seen.add(api.wait_closed(started["executionArn"])["stateMachineVersionArn"])
    assert seen == {f"{arn}:1", f"{arn}:2"}
