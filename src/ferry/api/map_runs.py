"""Map Runs: ListMapRuns, DescribeMapRun, UpdateMapRun.

A Distributed Map (``ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED``) starts a Map Run; an
inline Map has none (developer guide, "Examining Map Runs"). Shapes from the API reference:
ListMapRuns answers ``mapRuns`` of MapRunListItem (``executionArn``, ``mapRunArn``,
``stateMachineArn``, ``startDate``, ``stopDate``); DescribeMapRun adds ``status``,
``maxConcurrency``, ``toleratedFailure*``, ``itemCounts``/``executionCounts`` and the redrive
fields; UpdateMapRun answers an empty body and fails with ``InvalidArn``, ``ResourceNotFound``
or ``ValidationException``.
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError, validation_error
from ferry.api.executions import execution_or_fail
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
    body: JSONObject = {"mapRuns": [_list_item(run, execution.machine_arn) for run in page.items]}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def _list_item(run: MapRunRecord, machine_arn: str) -> JSONObject:
    item: JSONObject = {
        "executionArn": run.execution_arn,
        "mapRunArn": run.arn,
        "stateMachineArn": machine_arn,
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


ACTIONS = {
    "ListMapRuns": list_map_runs,
    "DescribeMapRun": describe_map_run,
    "UpdateMapRun": update_map_run,
}
