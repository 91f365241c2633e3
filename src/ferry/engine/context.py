"""The context object (``$$``): what AWS exposes about the execution, state, task and item."""

from __future__ import annotations

from datetime import UTC, datetime

from ferry.engine.execution import ExecutionInfo, Frame
from ferry.jsontypes import JSON


def iso_time(epoch: float) -> str:
    """AWS's timestamp text in the context object: ISO-8601, milliseconds, ``Z``."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def context_object(
    info: ExecutionInfo,
    frame: Frame,
    entered_time: float,
    retryable: bool,
    token: str | None = None,
) -> dict[str, JSON]:
    """Build ``$$`` for the state ``frame`` is in (docs: "Accessing the Context object").

    ``State.RetryCount`` is only there for states that can retry (AWS leaves it out of a
    Pass state's context object).
    """
    context: dict[str, JSON] = {
        "Execution": {
            "Id": info.arn,
            "Input": info.input,
            "StartTime": iso_time(info.start_time),
            "Name": info.name,
            "RoleArn": info.role_arn,
            "RedriveCount": info.redrive_count,
        },
        "StateMachine": {"Id": info.state_machine_arn, "Name": info.state_machine_name},
        "State": {"EnteredTime": iso_time(entered_time), "Name": frame.state},
    }
    if retryable:
        context["State"]["RetryCount"] = frame.retry_count
    if token is not None:
        context["Task"] = {"Token": token}
    return context
