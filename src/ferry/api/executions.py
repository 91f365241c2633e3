"""Execution actions: Start, StartSync (EXPRESS), Describe, List, Stop, Redrive.

Shapes follow AWS's recorded answers (DescribeExecution: ``inputDetails``/``outputDetails``
``{"included": true}``, ``redriveCount``, ``redriveStatus`` with its reason).
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.inputs import BadJsonError, decode
from ferry.api.machines import machine_or_fail
from ferry.api.params import JSONObject, Params
from ferry.jsontypes import JSON, dumps
from ferry.store.errors import ExecutionDoesNotExistError, ExecutionNotRunningError
from ferry.store.records import ExecutionRecord, ExecutionStatus, RedriveFilter

# AWS's order in its own validation message (recorded, ListExecutions).
STATUSES = ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING")
REDRIVE_FILTERS = ("REDRIVEN", "NOT_REDRIVEN")
_REDRIVABLE = ("FAILED", "ABORTED", "TIMED_OUT")
_STATUS_OF: dict[str, ExecutionStatus] = {
    "SUCCEEDED": "SUCCEEDED",
    "TIMED_OUT": "TIMED_OUT",
    "ABORTED": "ABORTED",
    "FAILED": "FAILED",
    "RUNNING": "RUNNING",
}
_REDRIVE_OF: dict[str, RedriveFilter] = {"REDRIVEN": "REDRIVEN", "NOT_REDRIVEN": "NOT_REDRIVEN"}


def execution_input(params: Params) -> JSON:
    """The ``input`` field decoded (``{}`` when absent).

    Raises:
        ApiError: ``InvalidExecutionInput`` with AWS's text.
    """
    text = params.string("input")
    if text is None:
        return {}
    try:
        return decode(text)
    except BadJsonError as exc:
        raise ApiError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'"
        ) from None


def execution_or_fail(context: ApiContext, arn: str) -> ExecutionRecord:
    """The execution ``arn`` names.

    Raises:
        ApiError: ``InvalidArn``.
        ExecutionDoesNotExistError: No execution has this ARN.
    """
    arns.parse(arn, "execution", "express")
    record = context.store.executions.describe(arn)
    if record is None:
        raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{arn}'")
    return record


def start_execution(context: ApiContext, params: Params) -> JSONObject:
    """StartExecution: same name and input while running returns the running execution."""
    machine_arn = params.required("stateMachineArn", max_len=2048)
    arns.parse(machine_arn, "stateMachine")
    name = params.string("name", min_len=1, max_len=arns.MAX_NAME)
    if name is not None:
        arns.check_name(name)
    data = execution_input(params)
    record = context.runner.start(machine_arn, data, name=name)
    return {"executionArn": record.arn, "startDate": record.start_date}


def start_sync_execution(context: ApiContext, params: Params) -> JSONObject:
    """StartSyncExecution: run an EXPRESS machine to its end and answer with the result."""
    machine = machine_or_fail(context, params.required("stateMachineArn", max_len=2048))
    name = params.string("name", min_len=1, max_len=arns.MAX_NAME)
    if name is not None:
        arns.check_name(name)
    data = execution_input(params)
    if machine.type != "EXPRESS":
        raise ApiError(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        )
    started = context.now()
    result = context.runner.start_sync(machine.arn, data, name=name)
    arn = result.execution_arn.replace(":execution:", ":express:")
    body: JSONObject = {
        "executionArn": arn,
        "stateMachineArn": machine.arn,
        "name": arn.rsplit(":", 1)[-1],
        "startDate": started,
        "stopDate": context.now(),
        "status": result.status,
        "input": dumps(data),
        "inputDetails": {"included": True},
        "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
    }
    if result.status == "SUCCEEDED":
        body["output"] = dumps(result.output)
        body["outputDetails"] = {"included": True}
    _add_failure(body, result.error, result.cause)
    return body


def _add_failure(body: JSONObject, error: str | None, cause: str | None) -> None:
    if error is not None:
        body["error"] = error
    if cause is not None:
        body["cause"] = cause


def _redrive_status(record: ExecutionRecord) -> JSONObject:
    if record.status in _REDRIVABLE:
        return {"redriveStatus": "REDRIVABLE"}
    return {
        "redriveStatus": "NOT_REDRIVABLE",
        "redriveStatusReason": f"Execution is {record.status} and cannot be redriven",
    }


def describe_view(record: ExecutionRecord) -> JSONObject:
    """An execution as DescribeExecution shows it."""
    body: JSONObject = {
        "executionArn": record.arn,
        "stateMachineArn": record.machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
        "input": record.input,
        "inputDetails": {"included": True},
        "redriveCount": record.redrive_count,
        **_redrive_status(record),
    }
    if record.stop_date is not None:
        body["stopDate"] = record.stop_date
    if record.output is not None:
        body["output"] = record.output
        body["outputDetails"] = {"included": True}
    _add_failure(body, record.error, record.cause)
    if record.redrive_date is not None:
        body["redriveDate"] = record.redrive_date
    map_run = map_run_of(record)
    if map_run is not None:
        body["mapRunArn"] = map_run
    return body


def map_run_of(record: ExecutionRecord) -> str | None:
    """The ARN of the Map Run that dispatched ``record``, if a Distributed Map did (a child
    keeps its Map Run's ARN as its revision: the run holds the child's definition)."""
    revision = record.revision_id
    if revision is not None and revision.startswith("arn:") and ":mapRun:" in revision:
        return revision
    return None


def describe_execution(context: ApiContext, params: Params) -> JSONObject:
    """DescribeExecution."""
    return describe_view(execution_or_fail(context, params.required("executionArn")))


def _summary(record: ExecutionRecord) -> JSON:
    item: JSONObject = {
        "executionArn": record.arn,
        "stateMachineArn": record.machine_arn,
        "name": record.name,
        "status": record.status,
        "startDate": record.start_date,
        "redriveCount": record.redrive_count,
    }
    if record.stop_date is not None:
        item["stopDate"] = record.stop_date
    if record.redrive_date is not None:
        item["redriveDate"] = record.redrive_date
    return item


def list_executions(context: ApiContext, params: Params) -> JSONObject:
    """ListExecutions of one machine, newest first, by status and redrive filters."""
    if params.raw("mapRunArn") is not None:
        return _list_map_run_executions(context, params)
    machine = machine_or_fail(context, params.required("stateMachineArn", max_len=2048))
    status = params.enum("statusFilter", STATUSES)
    redrive = params.enum("redriveFilter", REDRIVE_FILTERS)
    max_results, token = params.page(token_max=3096)
    if status == "PENDING_REDRIVE":  # Ferry redrives at once: nothing ever waits to be
        return {"executions": []}
    page = context.store.executions.list(
        machine.arn,
        status=None if status is None else _STATUS_OF[status],
        redrive=None if redrive is None else _REDRIVE_OF[redrive],
        max_results=max_results,
        next_token=token,
    )
    body: JSONObject = {"executions": [_summary(r) for r in page.items]}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def _list_map_run_executions(context: ApiContext, params: Params) -> JSONObject:
    """ListExecutions(mapRunArn): a Map Run's child executions, each with its ``mapRunArn``
    (API reference: "specify either a mapRunArn or a stateMachineArn, but not both")."""
    from ferry.api.map_runs import map_run_or_fail  # noqa: PLC0415 - map_runs imports us

    if params.raw("stateMachineArn") is not None:
        raise ApiError(
            "ValidationException", "Specify either a mapRunArn or a stateMachineArn, but not both"
        )
    run = map_run_or_fail(context, params.required("mapRunArn", max_len=2000))
    status = params.enum("statusFilter", STATUSES)
    params.enum("redriveFilter", REDRIVE_FILTERS)
    max_results, token = params.page(token_max=3096)
    page = context.store.map_runs.executions(run.arn, max_results, token)
    items = [r for r in page.items if status is None or r.status == status]
    body: JSONObject = {"executions": [{**_summary(r), "mapRunArn": run.arn} for r in items]}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def stop_execution(context: ApiContext, params: Params) -> JSONObject:
    """StopExecution: the execution is aborted at its owner's next step."""
    arn = params.required("executionArn", max_len=2048)
    error = params.string("error", max_len=256)
    cause = params.string("cause", max_len=32768)
    record = execution_or_fail(context, arn)
    if record.status == "RUNNING":
        try:
            context.runner.stop(arn, error, cause)
        except ExecutionNotRunningError:
            pass  # it closed meanwhile: report when it did
        else:
            return {"stopDate": context.now()}
        record = execution_or_fail(context, arn)
    return {"stopDate": record.stop_date if record.stop_date is not None else context.now()}


def redrive_execution(context: ApiContext, params: Params) -> JSONObject:
    """RedriveExecution: reopen a FAILED/ABORTED/TIMED_OUT execution from where it failed."""
    arn = params.required("executionArn", max_len=2048)
    params.string("clientToken", min_len=1, max_len=64)
    execution_or_fail(context, arn)
    record = context.runner.redrive(arn)
    return {
        "redriveDate": record.redrive_date if record.redrive_date is not None else context.now()
    }


ACTIONS = {
    "StartExecution": start_execution,
    "StartSyncExecution": start_sync_execution,
    "DescribeExecution": describe_execution,
    "ListExecutions": list_executions,
    "StopExecution": stop_execution,
    "RedriveExecution": redrive_execution,
}
