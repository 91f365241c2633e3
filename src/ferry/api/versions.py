"""State machine versions: Publish, List, Delete, ``publish`` on Create/Update, and what a
version ARN or an execution's version/alias shows in Describe* and ListExecutions.

A version ARN is the machine's ARN and ``:N`` (API reference, "PublishStateMachineVersion");
the texts below are AWS's as recorded by LocalStack's parity tests
(test_sfn_api_versioning.snapshot.json). The core Create/Update/Describe/List handlers stay as
they are: this table wraps them (a later action table overrides an earlier name, see
:mod:`ferry.api.app`) and adds the version fields.
"""

from __future__ import annotations

from ferry.api import arns, executions, machines
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.params import JSONObject, Params
from ferry.jsontypes import JSON
from ferry.store.errors import StateMachineDoesNotExistError
from ferry.store.versions import RevisionConflictError, VersionRecord, split_qualified

MAX_DESCRIPTION = 256


def version_parts(arn: str) -> tuple[str, int]:
    """``(machine ARN, version number)`` of a version ARN.

    Raises:
        ApiError: ``InvalidArn`` for anything but ``...:stateMachine:NAME:N``.
    """
    arns.parse(arn, "stateMachine")
    machine_arn, qualifier = split_qualified(arn)
    if qualifier is None or not qualifier.isdigit():
        raise arns.invalid_arn(f"Invalid ARN format: {arn}")
    return machine_arn, int(qualifier)


def publish(
    context: ApiContext, machine_arn: str, *, revision_id: str | None, description: str | None
) -> VersionRecord:
    """Publish the machine's current revision (AWS's ``ConflictException`` for a stale one)."""
    try:
        return context.store.versions.publish(
            machine_arn, context.now(), revision_id=revision_id, description=description
        )
    except RevisionConflictError as exc:
        raise ApiError("ConflictException", str(exc)) from None


def publish_state_machine_version(context: ApiContext, params: Params) -> JSONObject:
    """PublishStateMachineVersion: idempotent for a revision that is already published."""
    arn = params.required("stateMachineArn", max_len=2048)
    revision_id = params.string("revisionId", max_len=2048)
    description = params.string("description", max_len=MAX_DESCRIPTION)
    machine = machines.machine_or_fail(context, arn)
    version = publish(context, machine.arn, revision_id=revision_id, description=description)
    return {"creationDate": version.created, "stateMachineVersionArn": version.arn}


def list_state_machine_versions(context: ApiContext, params: Params) -> JSONObject:
    """ListStateMachineVersions, newest first."""
    machine = machines.machine_or_fail(context, params.required("stateMachineArn", max_len=2048))
    max_results, token = params.page(token_max=1024)
    page = context.store.versions.list(machine.arn, max_results, token)
    items: list[JSON] = [
        {"stateMachineVersionArn": v.arn, "creationDate": v.created} for v in page.items
    ]
    body: JSONObject = {"stateMachineVersions": items}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def delete_state_machine_version(context: ApiContext, params: Params) -> JSONObject:
    """DeleteStateMachineVersion: refused while an alias routes to it; a missing one is fine."""
    machine_arn, number = version_parts(params.required("stateMachineVersionArn", max_len=2048))
    holders = context.store.versions.aliases_of_version(machine_arn, number)
    if holders:
        raise ApiError(
            "ConflictException",
            "Version to be deleted must not be referenced by an alias. "
            f"Current list of aliases referencing this version: [{', '.join(holders)}]",
        )
    context.store.versions.delete(machine_arn, number)
    return {}


def _publish_flags(params: Params) -> tuple[bool, str | None]:
    publish_now = params.boolean("publish", default=False)
    description = params.string("versionDescription", max_len=MAX_DESCRIPTION)
    if description is not None and not publish_now:
        raise ApiError(
            "ValidationException", "Version description can only be set when publish is true"
        )
    return publish_now, description


def create_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """CreateStateMachine, with ``publish``/``versionDescription`` publishing version 1."""
    publish_now, description = _publish_flags(params)
    body = machines.create_state_machine(context, params)
    if publish_now:
        arn = str(body["stateMachineArn"])
        version = publish(context, arn, revision_id=None, description=description)
        body["stateMachineVersionArn"] = version.arn
    return body


def update_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """UpdateStateMachine, with ``publish`` answering the (possibly existing) version's ARN."""
    publish_now, description = _publish_flags(params)
    fields = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
    if publish_now and all(params.raw(k) is None for k in fields):
        # Publishing alone is an update on AWS (recorded: no revisionId, the version's ARN).
        machine = machines.machine_or_fail(context, params.required("stateMachineArn"))
        body: JSONObject = {"updateDate": machine.updated}
    else:
        body = machines.update_state_machine(context, params)
    if publish_now:
        arn = params.required("stateMachineArn", max_len=2048)
        version = publish(context, arn, revision_id=None, description=description)
        body["stateMachineVersionArn"] = version.arn
    return body


def describe_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """DescribeStateMachine, also of a version ARN (its revision's definition)."""
    arn = params.required("stateMachineArn", max_len=2048)
    arns.parse(arn, "stateMachine")
    machine_arn, qualifier = split_qualified(arn)
    if qualifier is None or not qualifier.isdigit():
        return machines.describe_state_machine(context, params)
    version = context.store.versions.get(machine_arn, int(qualifier))
    record = None
    if version is not None:
        record = context.store.machines.revision(machine_arn, version.revision_id)
    if version is None or record is None:
        raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{arn}'")
    view = machines.describe_view(record)
    view["stateMachineArn"] = version.arn
    view["creationDate"] = version.created
    if version.description is not None:
        view["description"] = version.description
    return view


def _with_origin(context: ApiContext, item: JSONObject) -> JSONObject:
    origin = context.store.versions.origin(str(item["executionArn"]))
    if origin is not None and origin.version_arn is not None:
        item["stateMachineVersionArn"] = origin.version_arn
    if origin is not None and origin.alias_arn is not None:
        item["stateMachineAliasArn"] = origin.alias_arn
    return item


def describe_execution(context: ApiContext, params: Params) -> JSONObject:
    """DescribeExecution, with the version and alias the execution started through."""
    return _with_origin(context, executions.describe_execution(context, params))


def list_executions(context: ApiContext, params: Params) -> JSONObject:
    """ListExecutions, each item with the version and alias it started through."""
    body = executions.list_executions(context, params)
    listed = body.get("executions")
    if isinstance(listed, list):
        body["executions"] = [
            _with_origin(context, item) if isinstance(item, dict) else item for item in listed
        ]
    return body


ACTIONS = {
    "PublishStateMachineVersion": publish_state_machine_version,
    "ListStateMachineVersions": list_state_machine_versions,
    "DeleteStateMachineVersion": delete_state_machine_version,
    "CreateStateMachine": create_state_machine,
    "UpdateStateMachine": update_state_machine,
    "DescribeStateMachine": describe_state_machine,
    "DescribeExecution": describe_execution,
    "ListExecutions": list_executions,
}
