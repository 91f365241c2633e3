"""GetExecutionHistory: an execution's events a page at a time, oldest or newest first.

With ``includeExecutionData`` false AWS leaves out "execution data (input or output of a
history event)" (API reference, GetExecutionHistory), so every event's details lose their
payload fields and the ``*Details`` that describe them.
"""

from __future__ import annotations

from ferry.api.context import ApiContext
from ferry.api.executions import execution_or_fail
from ferry.api.params import JSONObject, Params
from ferry.jsontypes import JSON

_DATA_FIELDS = frozenset({"input", "output", "inputDetails", "outputDetails", "parameters"})


def without_data(event: JSONObject) -> JSONObject:
    """``event`` with the execution data removed from its details."""
    stripped: JSONObject = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            stripped[key] = {k: v for k, v in value.items() if k not in _DATA_FIELDS}
        else:
            stripped[key] = value
    return stripped


def get_execution_history(context: ApiContext, params: Params) -> JSONObject:
    """GetExecutionHistory."""
    arn = params.required("executionArn", max_len=2048)
    reverse = params.boolean("reverseOrder", default=False)
    include_data = params.boolean("includeExecutionData", default=True)
    max_results, token = params.page(token_max=3096)
    execution_or_fail(context, arn)
    page = context.store.history.read(
        arn, reverse=reverse, max_results=max_results, next_token=token
    )
    events: list[JSON] = [e if include_data else without_data(e) for e in page.items]
    body: JSONObject = {"events": events}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


ACTIONS = {"GetExecutionHistory": get_execution_history}
