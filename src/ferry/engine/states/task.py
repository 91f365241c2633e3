"""Task: does one unit of work through the integration its ``Resource`` names, then shapes the
result with ResultSelector, ResultPath and OutputPath (ASL spec: Task State). Tasks time out
after TimeoutSeconds(Path) with ``States.Timeout``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import TaskState
from ferry.engine import flow
from ferry.engine.dataflow import runtime_error, size_failure, too_large
from ferry.engine.execution import Frame
from ferry.engine.history import error_details, payload_details
from ferry.engine.outcome import Failed, Outcome
from ferry.engine.tasks import ResourceInfo, describe
from ferry.errors import Failure
from ferry.integrations.base import TaskOutcome, TaskSuccess
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: TaskState) -> Outcome:
    """Evaluate the task's parameters and schedule it."""
    data = act.effective_input(frame, state)
    info = describe(state.resource)
    task_id = act.new_task_id()
    # Callback tasks and activities are answered by token (SendTaskSuccess/Failure).
    wants_token = info.pattern == "token" or info.kind == "activity"
    token = act.task_token(task_id) if wants_token else None
    context = act.context(frame, token)
    payload = _payload(act, frame, state, data, context)
    timeout = _seconds(act, frame, state, data, "Timeout")
    heartbeat = _seconds(act, frame, state, data, "Heartbeat")
    if info.kind in ("lambda", "activity"):
        # LambdaFunctionScheduled / ActivityScheduled; an activity starts (ActivityStarted)
        # only when a worker takes it with GetActivityTask.
        details = {"resource": state.resource, **payload_details("input", payload)}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None and info.kind == "activity":
            details["heartbeatInSeconds"] = heartbeat
        act.history.emit(frame, f"{_PREFIX[info.kind]}Scheduled", details)
        if info.kind == "lambda":
            act.history.emit(frame, "LambdaFunctionStarted", None)
    else:
        details = {
            **_names(info),
            "region": _region(act.state.info.arn),
            "parameters": dumps(payload),
        }
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        act.history.emit(frame, "TaskScheduled", details)
        act.history.emit(frame, "TaskStarted", _names(info))
    return act.run_task(
        frame,
        task_id=task_id,
        token=token,
        resource=state.resource,
        payload=payload,
        context=context,
        timeout=timeout,
        heartbeat=heartbeat,
    )


def on_result(act: Activation, frame: Frame, state: TaskState, outcome: TaskOutcome) -> Outcome:
    """The integration answered: record it, then shape the result."""
    info = describe(state.resource)
    if not isinstance(outcome, TaskSuccess):
        _failed_event(act, frame, info, "Failed", error=outcome.error, cause=outcome.cause)
        return Failed(Failure(outcome.error, outcome.cause))
    result = outcome.result
    text = dumps(result)
    if too_large(text):
        failure = size_failure(state.resource, terminal=False)
        _failed_event(act, frame, info, "Failed", error=failure.error, cause=failure.cause)
        return Failed(failure)
    details: dict[str, JSON] = {"output": text, "outputDetails": {"truncated": False}}
    if info.kind in _PREFIX:
        act.history.emit(frame, f"{_PREFIX[info.kind]}Succeeded", details)
    else:
        act.history.emit(frame, "TaskSucceeded", {**_names(info), **details})
    if state.result_selector is not None:
        result = act.evaluate(state.result_selector, result, frame)
    return act.finish_result(frame, state, result)


def on_timeout(act: Activation, frame: Frame, state: TaskState, error: str) -> Outcome:
    """TimeoutSeconds (``States.Timeout``) or HeartbeatSeconds (``States.HeartbeatTimeout``)
    elapsed before the task answered."""
    info = describe(state.resource)
    _failed_event(act, frame, info, "TimedOut", error=error, cause=None)
    return Failed(Failure(error, None))


def submitted(act: Activation, frame: Frame, state: TaskState, response: JSON) -> None:
    """TaskSubmitted: the callback task's service call returned its response."""
    info = describe(state.resource)
    details = {**_names(info), **payload_details("output", response)}
    act.history.emit(frame, "TaskSubmitted", details)


def _failed_event(
    act: Activation,
    frame: Frame,
    info: ResourceInfo,
    what: str,
    *,
    error: str | None,
    cause: str | None,
) -> None:
    details = error_details(error, cause)
    if info.kind in _PREFIX:
        act.history.emit(frame, f"{_PREFIX[info.kind]}{what}", details)
    else:
        act.history.emit(frame, f"Task{what}", {**_names(info), **details})


def started(act: Activation, frame: Frame, worker_name: str | None) -> None:
    """ActivityStarted: a worker took the activity task (GetActivityTask)."""
    details = None if worker_name is None else {"workerName": worker_name}
    act.history.emit(frame, "ActivityStarted", details)


# History event prefixes of the resources that do not use the Task* events.
_PREFIX = {"lambda": "LambdaFunction", "activity": "Activity"}


def _names(info: ResourceInfo) -> dict[str, JSON]:
    return {"resourceType": info.resource_type, "resource": info.resource}


def _region(execution_arn: str) -> str:
    parts = execution_arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def _payload(act: Activation, frame: Frame, state: TaskState, data: JSON, context: JSON) -> JSON:
    """JSONata: ``Arguments`` (default: the state input); JSONPath: ``Parameters`` on the
    effective input."""
    if state.arguments is not None:
        return flow.jsonata(act, frame, state.arguments, context=context)
    if state.parameters is not None:
        return act.evaluate(state.parameters, data, frame, context)
    return data


def _seconds(act: Activation, frame: Frame, state: TaskState, data: JSON, kind: str) -> int | None:
    """TimeoutSeconds / HeartbeatSeconds: a literal, a ``*Path`` or a JSONata expression."""
    if kind == "Timeout":
        literal, path, expr = (
            state.timeout_seconds,
            state.timeout_seconds_path,
            state.timeout_seconds_expr,
        )
    else:
        literal, path, expr = (
            state.heartbeat_seconds,
            state.heartbeat_seconds_path,
            state.heartbeat_seconds_expr,
        )
    if expr is not None:
        value = flow.jsonata_field(act, frame, expr, "number")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise runtime_error(
                frame, f"The {kind}Seconds field references an invalid value: {dumps(value)}"
            )
        return value
    if path is None:
        return literal
    value = path.get(act.root_value(path, data, frame))
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise runtime_error(
            frame,
            f"The {kind}SecondsPath parameter references an invalid value: "
            f"{path.text} == {dumps(value)}",
        )
    return value
