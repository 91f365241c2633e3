"""Callback task actions: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

A token no task was given is ``InvalidToken``; a token whose task has ended (answered, timed
out, or its execution closed) is ``TaskTimedOut`` with AWS's text "Task Timed Out: 'Provided
task does not exist anymore'".
"""

from __future__ import annotations

from ferry.api.context import ApiContext
from ferry.api.errors import ENDED_TASK_TEXT, ApiError
from ferry.api.inputs import BadJsonError, decode
from ferry.api.params import JSONObject, Params
from ferry.store.errors import ExecutionNotRunningError

MAX_TOKEN = 2048  # taskToken: "Length Constraints: Minimum length of 1. Maximum length of 2048."


def _ended() -> ApiError:
    return ApiError("TaskTimedOut", ENDED_TASK_TEXT)


def send_task_success(context: ApiContext, params: Params) -> JSONObject:
    """SendTaskSuccess: the task's result is ``output`` (JSON text)."""
    token = params.required("taskToken", max_len=MAX_TOKEN)
    text = params.string("output", required=True, max_len=262_144) or ""
    try:
        output = decode(text)
    except BadJsonError as exc:
        raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from None
    try:
        context.runner.send_task_success(token, output)
    except ExecutionNotRunningError:
        raise _ended() from None
    return {}


def send_task_failure(context: ApiContext, params: Params) -> JSONObject:
    """SendTaskFailure: the task fails with ``error`` and ``cause``."""
    token = params.required("taskToken", max_len=MAX_TOKEN)
    error = params.string("error", max_len=256)
    cause = params.string("cause", max_len=32768)
    try:
        context.runner.send_task_failure(token, error, cause)
    except ExecutionNotRunningError:
        raise _ended() from None
    return {}


def send_task_heartbeat(context: ApiContext, params: Params) -> JSONObject:
    """SendTaskHeartbeat: the task's HeartbeatSeconds start again."""
    token = params.required("taskToken", max_len=MAX_TOKEN)
    try:
        context.runner.send_task_heartbeat(token)
    except ExecutionNotRunningError:
        raise _ended() from None
    return {}


ACTIONS = {
    "SendTaskSuccess": send_task_success,
    "SendTaskFailure": send_task_failure,
    "SendTaskHeartbeat": send_task_heartbeat,
}
