"""Map Runs: ListMapRuns, DescribeMapRun, UpdateMapRun.

A Distributed Map (``ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED``) starts a Map Run; an
inline Map has none (developer guide, "Examining Map Runs"). Shapes from the API reference:
ListMapRuns answers ``mapRuns`` of MapRunListItem (``executionArn``, ``mapRunArn``,
``stateMachineArn`` — the children's ``MACHINE/LABEL`` machine, as AWS's recorded answer shows —
``startDate``, ``stopDate``); DescribeMapRun adds ``status``,
``maxConcurrency``, ``toleratedFailure*``, ``itemCounts``/``executionCounts`` and the redrive
fields; UpdateMapRun answers an empty body and fails with ``InvalidArn``, ``ResourceNotFound``
or ``ValidationException``.

DescribeStateMachineForExecution of a child answers with "the state machine associated with the
Map Run" (its ``MACHINE/LABEL`` ARN and the ItemProcessor's definition) plus ``mapRunArn`` and
``label`` (API reference, DescribeStateMachineForExecution); other executions go to the
machines module's handler.
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError, validation_error
from ferry.api.executions import execution_or_fail, map_run_of
from ferry.api.machines import describe_state_machine_for_execution as describe_for_execution
from ferry.api.params import JSONObject, Params
from ferry.store.map_runs import MapRunRecord


def map_run_or_fail(context: ApiContext, arn: str) -> MapRunRecord:
    """The Map Run ``arn`` names.

    Raises:
        ApiError: ``InvalidArn``, or ``ResourceNotFound`` (AWS's text).
    """
    arns.parse(arn, "mapRun")
    record = context.store.map_runs.describe(arn)
    if record is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
    return record


def list_map_runs(context: ApiContext, params: Params) -> JSONObject:
    """ListMapRuns: the Map Runs an execution started, newest first."""
    arn = params.required("executionArn", max_len=2048)
    max_results, token = params.page(token_max=3096)
    execution = execution_or_fail(context, arn)
    page = context.store.map_runs.list(execution.arn, max_results, token)
    body: JSONObject = {"mapRuns": [_list_item(run) for run in page.items]}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def _list_item(run: MapRunRecord) -> JSONObject:
    item: JSONObject = {
        "executionArn": run.execution_arn,
        "mapRunArn": run.arn,
        "stateMachineArn": run.machine_arn,
        "startDate": run.start_date,
    }
    if run.stop_date is not None:
        item["stopDate"] = run.stop_date
    return item


def describe_map_run(context: ApiContext, params: Params) -> JSONObject:
    """DescribeMapRun: settings, status and counts."""
    run = map_run_or_fail(context, params.required("mapRunArn", max_len=2000))
    body: JSONObject = {
        "mapRunArn": run.arn,
        "executionArn": run.execution_arn,
        "status": run.status,
        "startDate": run.start_date,
        "maxConcurrency": run.max_concurrency,
        "toleratedFailurePercentage": run.tolerated_failure_percentage,
        "toleratedFailureCount": run.tolerated_failure_count,
        "itemCounts": dict(run.item_counts),
        "executionCounts": dict(run.execution_counts),
        "redriveCount": run.redrive_count,
    }
    if run.stop_date is not None:
        body["stopDate"] = run.stop_date
    if run.redrive_date is not None:
        body["redriveDate"] = run.redrive_date
    return body


def update_map_run(context: ApiContext, params: Params) -> JSONObject:
    """UpdateMapRun: new MaxConcurrency / tolerated failures for a running Map Run."""
    arn = params.required("mapRunArn", max_len=2000)
    concurrency = params.integer("maxConcurrency", minimum=0)
    count = params.integer("toleratedFailureCount", minimum=0)
    percentage = _percentage(params)
    run = map_run_or_fail(context, arn)
    if concurrency is None and count is None and percentage is None:
        raise ApiError(
            "ValidationException",
            "At least one of maxConcurrency, toleratedFailureCount or "
            "toleratedFailurePercentage must be given",
        )
    if run.status != "RUNNING":
        raise ApiError("ValidationException", f"Map Run is {run.status} and cannot be updated")
    context.store.map_runs.update(
        arn,
        max_concurrency=concurrency,
        tolerated_failure_count=count,
        tolerated_failure_percentage=percentage,
    )
    return {}


def _percentage(params: Params) -> float | None:
    value = params.raw("toleratedFailurePercentage")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError("SerializationException", "toleratedFailurePercentage: expected a number")
    if not 0 <= value <= 100:
        raise validation_error(
            f"Value '{value}' at 'toleratedFailurePercentage' failed to satisfy constraint: "
            "Member must have value between 0 and 100"
        )
    return float(value)


def describe_state_machine_for_execution(context: ApiContext, params: Params) -> JSONObject:
    """DescribeStateMachineForExecution, answering for a Map Run's child too."""
    arn = params.required("executionArn", max_len=2048)
    arns.parse(arn, "execution")
    record = context.store.executions.describe(arn)
    run_arn = None if record is None else map_run_of(record)
    if record is None or run_arn is None:
        return describe_for_execution(context, params)
    run = map_run_or_fail(context, run_arn)
    parent = context.store.executions.describe(run.execution_arn)
    machine = None if parent is None else context.store.machines.describe(parent.machine_arn)
    name = run.machine_arn.split(":stateMachine:", 1)[-1]
    view: JSONObject = {
        "stateMachineArn": run.machine_arn,
        "name": name,
        "definition": context.store.map_runs.definition(run.arn) or "{}",
        "roleArn": "" if machine is None else machine.role_arn,
        "updateDate": run.start_date if machine is None else machine.updated,
        # As for any machine (machines.py): logging off, no tracing.
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
        "mapRunArn": run.arn,
        "label": name.split("/", 1)[-1],
    }
    return view


ACTIONS = {
    "ListMapRuns": list_map_runs,
    "DescribeMapRun": describe_map_run,
    "UpdateMapRun": update_map_run,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
}
