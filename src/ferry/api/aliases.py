"""State machine aliases: Create, Describe, Update, Delete, List.

An alias ARN is the machine's ARN and ``:NAME``; its ``routingConfiguration`` sends executions
to one or two versions by weight (API reference, "CreateStateMachineAlias"). Validation texts
are AWS's as recorded by LocalStack's parity tests (test_sfn_api_aliasing.snapshot.json).
"""

from __future__ import annotations

import re

from ferry.api import arns, machines
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError, validation_error
from ferry.api.params import JSONObject, Params
from ferry.jsontypes import JSON
from ferry.store.versions import AliasRecord, Routing, split_qualified

_NAME_PATTERN = r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
_NAME = re.compile(_NAME_PATTERN)
MAX_ROUTES = 2
NOT_FOUND_TEXT = "Request references a resource that does not exist."


def _not_found() -> ApiError:
    return ApiError("ResourceNotFound", NOT_FOUND_TEXT)


def _alias_name(params: Params) -> str:
    name = params.required("name", max_len=arns.MAX_NAME)
    if not _NAME.match(name):
        raise validation_error(
            f"Value '{name}' at 'name' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {_NAME_PATTERN}"
        )
    return name


def alias_parts(arn: str) -> tuple[str, str]:
    """``(machine ARN, alias name)`` of an alias ARN.

    Raises:
        ApiError: ``InvalidArn`` for anything but ``...:stateMachine:NAME:ALIAS``.
    """
    arns.parse(arn, "stateMachine")
    machine_arn, qualifier = split_qualified(arn)
    if qualifier is None or qualifier.isdigit():
        raise arns.invalid_arn(f"Invalid ARN format: {arn}")
    return machine_arn, qualifier


def _routes(params: Params) -> list[tuple[str, int]]:
    items = params.objects("routingConfiguration")
    if not items:
        raise validation_error(
            "Value null at 'routingConfiguration' failed to satisfy constraint: "
            "Member must not be null"
        )
    routes: list[tuple[str, int]] = []
    for index, item in enumerate(items, start=1):
        arn, weight = item.get("stateMachineVersionArn"), item.get("weight")
        if not isinstance(arn, str) or isinstance(weight, bool) or not isinstance(weight, int):
            raise ApiError(
                "SerializationException", "Unexpected value type in routingConfiguration"
            )
        if weight > 100 or weight < 0:
            bound = "less than or equal to 100" if weight > 100 else "greater than or equal to 0"
            raise validation_error(
                f"Value '{weight}' at 'routingConfiguration.{index}.member.weight' failed to "
                f"satisfy constraint: Member must have value {bound}"
            )
        routes.append((arn, weight))
    if len(routes) > MAX_ROUTES:
        shown = ", ".join(
            f"RoutingConfigurationListItem(stateMachineVersionArn={a}, weight={w})"
            for a, w in routes
        )
        raise validation_error(
            f"Value '[{shown}]' at 'routingConfiguration' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_ROUTES}"
        )
    return routes


def _routing(context: ApiContext, params: Params) -> tuple[str, Routing]:
    """The routing's machine ARN and ``(version, weight)`` pairs, checked as AWS checks them."""
    routes = _routes(params)
    received = ", ".join(a for a, _ in routes)
    parts = [split_qualified(a) for a, _ in routes]
    if any(q is None or not q.isdigit() for _, q in parts):
        raise ApiError(
            "ValidationException",
            "Routing configuration must contain state machine version ARNs. "
            f"Received: [{received}]",
        )
    if len({a for a, _ in routes}) != len(routes):
        raise ApiError(
            "ValidationException",
            "Routing configuration must contain distinct state machine version ARNs. "
            f"Received: [{received}]",
        )
    if sum(w for _, w in routes) != 100:
        weights = ", ".join(str(w) for _, w in routes)
        raise ApiError(
            "ValidationException",
            f"Sum of routing configuration weights must equal 100. Received: [{weights}]",
        )
    machine_arns = {m for m, _ in parts}
    if len(machine_arns) != 1:
        raise ApiError(
            "ValidationException",
            "Routing configuration must contain state machine versions of the same state "
            f"machine. Received: [{received}]",
        )
    machine_arn = parts[0][0]
    routing = tuple((int(q or 0), w) for (_, q), (_, w) in zip(parts, routes, strict=True))
    for number, _ in routing:
        if context.store.versions.get(machine_arn, number) is None:
            raise _not_found()
    return machine_arn, routing


def create_state_machine_alias(context: ApiContext, params: Params) -> JSONObject:
    """CreateStateMachineAlias: idempotent for the same name, description and routing."""
    name = _alias_name(params)
    description = params.string("description", max_len=256)
    machine_arn, routing = _routing(context, params)
    machines.machine_or_fail(context, machine_arn)
    now = context.now()
    new = AliasRecord(machine_arn, name, description, routing, now, now)
    stored, created = context.store.versions.create_alias(new)
    if not created and (stored.description, stored.routing) != (description, routing):
        raise ApiError(
            "ConflictException",
            "Failed to create alias because an alias with the same name and a different "
            "routing configuration already exists.",
        )
    return {"stateMachineAliasArn": stored.arn, "creationDate": stored.created}


def _routing_view(alias: AliasRecord) -> list[JSON]:
    return [
        {"stateMachineVersionArn": f"{alias.machine_arn}:{version}", "weight": weight}
        for version, weight in alias.routing
    ]


def describe_state_machine_alias(context: ApiContext, params: Params) -> JSONObject:
    """DescribeStateMachineAlias."""
    machine_arn, name = alias_parts(params.required("stateMachineAliasArn", max_len=2048))
    alias = context.store.versions.alias(machine_arn, name)
    if alias is None:
        raise _not_found()
    view: JSONObject = {
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": _routing_view(alias),
        "creationDate": alias.created,
        "updateDate": alias.updated,
    }
    if alias.description is not None:
        view["description"] = alias.description
    return view


def update_state_machine_alias(context: ApiContext, params: Params) -> JSONObject:
    """UpdateStateMachineAlias: a new description and/or routing."""
    machine_arn, name = alias_parts(params.required("stateMachineAliasArn", max_len=2048))
    description = params.string("description", max_len=256)
    routing = None
    if params.raw("routingConfiguration") is not None:
        routed_machine, routing = _routing(context, params)
        if routed_machine != machine_arn:
            raise _not_found()
    elif description is None:
        raise ApiError(
            "ValidationException",
            "Either the description or the routing configuration must be specified",
        )
    alias = context.store.versions.update_alias(
        machine_arn, name, context.now(), description=description, routing=routing
    )
    if alias is None:
        raise _not_found()
    return {"updateDate": alias.updated}


def delete_state_machine_alias(context: ApiContext, params: Params) -> JSONObject:
    """DeleteStateMachineAlias: succeeds for an alias that does not exist (recorded)."""
    machine_arn, name = alias_parts(params.required("stateMachineAliasArn", max_len=2048))
    context.store.versions.delete_alias(machine_arn, name)
    return {}


def list_state_machine_aliases(context: ApiContext, params: Params) -> JSONObject:
    """ListStateMachineAliases, in name order."""
    machine = machines.machine_or_fail(context, params.required("stateMachineArn", max_len=2048))
    max_results, token = params.page(token_max=1024)
    page = context.store.versions.list_aliases(machine.arn, max_results, token)
    items: list[JSON] = [
        {"stateMachineAliasArn": a.arn, "creationDate": a.created} for a in page.items
    ]
    body: JSONObject = {"stateMachineAliases": items}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


ACTIONS = {
    "CreateStateMachineAlias": create_state_machine_alias,
    "DescribeStateMachineAlias": describe_state_machine_alias,
    "UpdateStateMachineAlias": update_state_machine_alias,
    "DeleteStateMachineAlias": delete_state_machine_alias,
    "ListStateMachineAliases": list_state_machine_aliases,
}
