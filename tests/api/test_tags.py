"""Tags live in the store with their resource: they survive a server restart and work on
activities as on state machines (API reference: TagResource, UntagResource,
ListTagsForResource — "Tags may only contain Unicode letters..." apply to both kinds)."""

from __future__ import annotations

import json
from pathlib import Path

from api.conftest import client_for, error_code, start_server

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _tags(sfn: object, arn: str) -> dict[str, str]:
    listed = sfn.list_tags_for_resource(resourceArn=arn)["tags"]  # type: ignore[attr-defined]
    return {item["key"]: item["value"] for item in listed}


def test_tag_changes_survive_a_server_restart(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    sfn = client_for(server.url)
    arn = sfn.create_state_machine(
        name="Tagged",
        definition=json.dumps(PASS),
        roleArn="arn:aws:iam::123456789012:role/x",
        tags=[{"key": "team", "value": "ops"}],
    )["stateMachineArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "phase", "value": "3"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    server.shutdown()
    server.runner.store.close()

    again = start_server(tmp_path)
    try:
        assert _tags(client_for(again.url), arn) == {"phase": "3"}
    finally:
        again.shutdown()
        again.runner.store.close()


def test_activities_can_be_tagged(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        sfn = client_for(server.url)
        arn = sfn.create_activity(name="work", tags=[{"key": "a", "value": "1"}])["activityArn"]
        sfn.tag_resource(resourceArn=arn, tags=[{"key": "b", "value": "2"}])
        assert _tags(sfn, arn) == {"a": "1", "b": "2"}
        sfn.untag_resource(resourceArn=arn, tagKeys=["a"])
        assert _tags(sfn, arn) == {"b": "2"}
        sfn.delete_activity(activityArn=arn)
        assert error_code(lambda: sfn.list_tags_for_resource(resourceArn=arn)) == "ResourceNotFound"
    finally:
        server.shutdown()
        server.runner.store.close()
