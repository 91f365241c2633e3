"""State machine actions: Create, Update, Delete, Describe (also for an execution), List,
ValidateStateMachineDefinition.

Response shapes follow AWS's recorded answers: DescribeStateMachine carries ``status`` ACTIVE,
logging OFF and tracing disabled, and a ``revisionId`` only once the machine has been updated.
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.params import JSONObject, Params
from ferry.api.tags import read_tags
from ferry.asl.diagnostics import Diagnostic
from ferry.asl.validate import parse_definition_text, validate
from ferry.asl.validate_variables import unresolved_variables
from ferry.jsontypes import JSON
from ferry.store.errors import ExecutionDoesNotExistError, StateMachineDoesNotExistError
from ferry.store.records import MachineRecord, NewMachine

MAX_DEFINITION = 1_048_576
_TYPES = ("STANDARD", "EXPRESS")
_LOGGING: JSONObject = {"level": "OFF", "includeExecutionData": False}
_TRACING: JSONObject = {"enabled": False}


def diagnostics_of(text: str) -> list[Diagnostic]:
    """Every problem AWS would report in definition ``text`` (empty when it is valid)."""
    document, problems = parse_definition_text(text)
    if problems:
        return problems
    return validate(document)


def _location(diagnostic: Diagnostic) -> str:
    return diagnostic.location or "/"


def check_definition(text: str) -> None:
    """Raise AWS's ``InvalidDefinition`` when ``text`` is not a valid definition.

    AWS's text (recorded, CreateStateMachine): "Invalid State Machine Definition:
    'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'".
    """
    problems = diagnostics_of(text)
    if problems:
        listed = ", ".join(f"{d.code}: {d.message} at {_location(d)}" for d in problems)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{listed}'")


def _role(params: Params, *, required: bool) -> str | None:
    role = params.string("roleArn", required=required, min_len=1, max_len=256)
    if role is not None and not role.startswith("arn:"):
        raise arns.invalid_arn(f"Invalid ARN prefix: {role}")
    return role


def machine_or_fail(context: ApiContext, arn: str) -> MachineRecord:
    """The machine ``arn`` names (an ARN checked for shape first).

    Raises:
        ApiError: ``InvalidArn``.
        StateMachineDoesNotExistError: No machine has this ARN.
    """
    arns.parse(arn, "stateMachine")
    machine = context.store.machines.describe(arn)
    if machine is None:
        raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{arn}'")
    return machine


def create_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """CreateStateMachine: idempotent for the same name, definition and type."""
    name = arns.check_name(params.required("name", max_len=arns.MAX_NAME))
    definition = params.required("definition", max_len=MAX_DEFINITION)
    role = _role(params, required=True) or ""
    machine_type = params.enum("type", _TYPES) or "STANDARD"
    tags = read_tags(params)
    check_definition(definition)
    settings = context.settings
    new = NewMachine(
        arn=arns.machine_arn(settings.region, settings.account, name),
        name=name,
        definition=definition,
        type="EXPRESS" if machine_type == "EXPRESS" else "STANDARD",
        role_arn=role,
        tags=tags,
    )
    record = context.store.machines.create(new, context.now())
    return {"stateMachineArn": record.arn, "creationDate": record.created}


def update_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """UpdateStateMachine: a new revision when the definition or the role changes."""
    arn = params.required("stateMachineArn", max_len=2048)
    definition = params.string("definition", min_len=1, max_len=MAX_DEFINITION)
    role = _role(params, required=False)
    changes_config = any(
        params.raw(k) is not None for k in ("loggingConfiguration", "tracingConfiguration")
    )
    if definition is None and role is None and not changes_config:
        raise ApiError(
            "MissingRequiredParameter",
            "Either the definition, the role ARN, the LoggingConfiguration, "
            "or the TracingConfiguration must be specified",
        )
    machine = machine_or_fail(context, arn)
    if definition is not None:
        check_definition(definition)
    if (definition or machine.definition, role or machine.role_arn) == (
        machine.definition,
        machine.role_arn,
    ):
        # AWS keeps the revision when nothing changed (recorded: same revisionId twice).
        return {"updateDate": machine.updated, "revisionId": machine.revision_id}
    updated = context.store.machines.update(
        arn, context.now(), definition=definition, role_arn=role
    )
    return {"updateDate": updated.updated, "revisionId": updated.revision_id}


def delete_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """DeleteStateMachine: succeeds for a machine that does not exist, as on AWS."""
    arn = params.required("stateMachineArn", max_len=2048)
    arns.parse(arn, "stateMachine")
    context.store.machines.delete(arn)
    return {}


def describe_view(machine: MachineRecord) -> JSONObject:
    """A machine as DescribeStateMachine shows it."""
    view: JSONObject = {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "type": machine.type,
        "creationDate": machine.created,
        "loggingConfiguration": dict(_LOGGING),
        "tracingConfiguration": dict(_TRACING),
    }
    if machine.updated != machine.created:
        view["revisionId"] = machine.revision_id
    return view


def describe_state_machine(context: ApiContext, params: Params) -> JSONObject:
    """DescribeStateMachine."""
    return describe_view(machine_or_fail(context, params.required("stateMachineArn")))


def describe_state_machine_for_execution(context: ApiContext, params: Params) -> JSONObject:
    """DescribeStateMachineForExecution: the machine at the revision the execution ran."""
    arn = params.required("executionArn", max_len=2048)
    arns.parse(arn, "execution")
    record = context.store.executions.describe(arn)
    if record is None:
        raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{arn}'")
    machine = None
    if record.revision_id is not None:
        machine = context.store.machines.revision(record.machine_arn, record.revision_id)
    machine = machine or context.store.machines.describe(record.machine_arn)
    if machine is None:
        raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{record.machine_arn}'")
    view: JSONObject = {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "updateDate": machine.updated,
        "loggingConfiguration": dict(_LOGGING),
        "tracingConfiguration": dict(_TRACING),
    }
    if record.revision_id is not None:
        view["revisionId"] = record.revision_id
    return view


def list_state_machines(context: ApiContext, params: Params) -> JSONObject:
    """ListStateMachines, a page at a time in name order."""
    max_results, token = params.page(token_max=1024)
    page = context.store.machines.list(max_results, token)
    items: list[JSON] = [
        {"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.created}
        for m in page.items
    ]
    body: JSONObject = {"stateMachines": items}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def _diagnostic_view(diagnostic: Diagnostic) -> JSON:
    view: JSONObject = {
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
    }
    # AWS leaves the location out where the definition is not an object at all (recorded).
    if not (diagnostic.location == "" and diagnostic.code == "SCHEMA_VALIDATION_FAILED"
            and diagnostic.message.startswith("Definition must be")):  # fmt: skip
        view["location"] = _location(diagnostic)
    return view


def validate_state_machine_definition(context: ApiContext, params: Params) -> JSONObject:
    """ValidateStateMachineDefinition: OK or FAIL with every diagnostic."""
    del context
    definition = params.string("definition", required=True, max_len=MAX_DEFINITION) or ""
    params.enum("type", _TYPES)
    max_results = params.integer("maxResults", minimum=0, maximum=100) or 100
    errors = diagnostics_of(definition)
    problems = errors
    if not errors:  # AWS lists warnings (e.g. a variable no state assigns) with result OK
        problems = unresolved_variables(parse_definition_text(definition)[0])
    shown = [_diagnostic_view(d) for d in problems[:max_results]]
    return {
        "result": "FAIL" if errors else "OK",
        "diagnostics": shown,
        "truncated": len(problems) > max_results,
    }


ACTIONS = {
    "CreateStateMachine": create_state_machine,
    "UpdateStateMachine": update_state_machine,
    "DeleteStateMachine": delete_state_machine,
    "DescribeStateMachine": describe_state_machine,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
    "ListStateMachines": list_state_machines,
    "ValidateStateMachineDefinition": validate_state_machine_definition,
}
