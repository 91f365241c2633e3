"""Map Runs: ListMapRuns and DescribeMapRun.

Only a Distributed Map (``ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED``) creates a Map Run
on AWS; an inline Map runs its iterations inside the execution and has none (developer guide,
"Examining Map Runs"). Ferry runs every Map inline, so an existing execution lists no Map Runs
and no Map Run ARN names anything.
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.executions import execution_or_fail
from ferry.api.params import JSONObject, Params


def list_map_runs(context: ApiContext, params: Params) -> JSONObject:
    """ListMapRuns: empty for an existing execution (ExecutionDoesNotExist otherwise)."""
    arn = params.required("executionArn", max_len=2048)
    params.page(token_max=3096)
    execution_or_fail(context, arn)
    return {"mapRuns": []}


def describe_map_run(context: ApiContext, params: Params) -> JSONObject:
    """DescribeMapRun: no Map Run exists, so every well-formed ARN is ResourceNotFound."""
    del context
    arn = params.required("mapRunArn", max_len=2000)
    arns.parse(arn, "mapRun")
    raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")


ACTIONS = {
    "ListMapRuns": list_map_runs,
    "DescribeMapRun": describe_map_run,
}
