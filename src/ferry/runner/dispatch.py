"""Run a task command through the integrations — shared by the local and durable runners.

A ``.waitForTaskToken`` resource runs its base integration (``lambda:invoke`` for
``lambda:invoke.waitForTaskToken``) once; its answer only says whether the call was accepted
(TaskSubmitted), and the task's result arrives later through SendTaskSuccess/SendTaskFailure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ferry.engine.execution import RunTask
from ferry.engine.tasks import describe
from ferry.integrations.base import Integration, TaskFailure, TaskOutcome, TaskRequest
from ferry.jsontypes import JSON

CALLBACK_SUFFIX = ".waitForTaskToken"


@dataclass(frozen=True, slots=True)
class Submitted:
    """A callback task's service call succeeded; its result comes with the token."""

    response: JSON


def dispatch(integrations: Sequence[Integration], command: RunTask) -> TaskOutcome | Submitted:
    """Invoke the task; never raises."""
    resource = command.resource
    if describe(resource).kind == "activity":
        return TaskFailure(
            "States.Runtime",
            "activity tasks wait for a worker's GetActivityTask: run them with ferry server",
        )
    if command.token is not None and resource.endswith(CALLBACK_SUFFIX):
        resource = resource.removesuffix(CALLBACK_SUFFIX)
    request = TaskRequest(
        resource=resource,
        payload=command.payload,
        context=command.context,
        timeout_seconds=command.timeout_seconds,
        idempotency_key=command.idempotency_key,
    )
    outcome = invoke(integrations, request)
    if command.token is not None and not isinstance(outcome, TaskFailure):
        return Submitted(outcome.result)
    return outcome


def invoke(integrations: Sequence[Integration], request: TaskRequest) -> TaskOutcome:
    """Hand a task to the first integration that handles its resource."""
    for integration in integrations:
        if integration.handles(request.resource):
            try:
                return integration.invoke(request)
            except Exception as exc:
                return TaskFailure(type(exc).__name__, str(exc))
    return TaskFailure(
        "States.Runtime", f"Ferry has no integration for the resource '{request.resource}'"
    )
