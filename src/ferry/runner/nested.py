"""Nested executions: the optimized ``states:startExecution`` integration, run in Ferry.

The child runs through the same :class:`~ferry.runner.durable.DurableRunner` as its parent
(docs: step-functions/latest/dg/connect-stepfunctions.html):

* ``states:startExecution`` — request-response: ``{"ExecutionArn", "StartDate"}``.
* ``states:startExecution.sync`` — waits for the child and answers as DescribeExecution does,
  with ``Output`` as JSON text; ``.sync:2`` gives ``Output`` as JSON. A child that does not
  succeed fails the task with ``States.TaskFailed`` and that description as the cause.
* ``states:startExecution.waitForTaskToken`` — the dispatcher starts the child like the
  request-response form; the child gets ``$$.Task.Token`` through ``Input`` (as the Parameters
  put it) and answers with SendTaskSuccess/SendTaskFailure.

``Input`` (an object, or JSON text) becomes the child's input as given, so
``"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"`` reaches the child the way
the docs show. Without ``Name`` the child's name is derived from the attempt's idempotency key:
the same attempt re-run after a crash finds its child instead of starting a second one.

The waiting blocks one worker thread, bounded by the task's ``TimeoutSeconds`` and by the
runner closing.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass

from ferry.errors import InputError, StatesError
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON, dumps
from ferry.runner.durable import DurableRunner
from ferry.store.errors import ExecutionAlreadyExistsError, StateMachineDoesNotExistError
from ferry.store.records import ExecutionRecord

_RESOURCE = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:[a-z0-9-]*:(\d{12})?:states:startExecution"
    r"(?P<sync>\.sync(?P<v2>:2)?)?$"
)
_NAMESPACE = uuid.UUID("6f1b1e8e-5a4c-4b57-9d3e-2f6a0c6b8e41")
FIRST_POLL_SECONDS = 0.002
MAX_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class _Start:
    """The StartExecution call a task asks for."""

    machine_arn: str
    data: JSON
    name: str | None


class NestedExecutions:
    """The ``states:startExecution`` integration over a durable runner."""

    def __init__(self, runner: DurableRunner) -> None:
        self.runner = runner

    def handles(self, resource: str) -> bool:
        """Whether ``resource`` is a form of ``arn:aws:states:::states:startExecution``."""
        return _RESOURCE.match(resource) is not None

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Start the child; for ``.sync`` forms wait for it to close. Never raises."""
        match = _RESOURCE.match(request.resource)
        if match is None:
            return TaskFailure(StatesError.RUNTIME, f"not startExecution: {request.resource}")
        try:
            start = _parse(request.payload)
            record = self._start(start, request.idempotency_key)
        except _RefusedError as refused:
            return refused.failure
        if match.group("sync") is None:
            return TaskSuccess(
                {"ExecutionArn": record.arn, "StartDate": _millis(record.start_date)}
            )
        closed = self._wait(record.arn, request.timeout_seconds)
        if closed is None:
            return TaskFailure(StatesError.TIMEOUT, f"the child execution {record.arn} is running")
        body = describe(closed, output_as_json=match.group("v2") is not None)
        if closed.status == "SUCCEEDED":
            return TaskSuccess(body)
        return TaskFailure(StatesError.TASK_FAILED, dumps(body))

    def _start(self, start: _Start, idempotency_key: str) -> ExecutionRecord:
        name = start.name or str(uuid.uuid5(_NAMESPACE, idempotency_key))
        try:
            return self.runner.start(start.machine_arn, start.data, name=name)
        except StateMachineDoesNotExistError as exc:
            raise _RefusedError(
                "StepFunctions.StateMachineDoesNotExistException", str(exc)
            ) from None
        except ExecutionAlreadyExistsError as exc:
            if start.name is None:  # this attempt's own child, started before a crash
                found = self._existing(start.machine_arn, name)
                if found is not None:
                    return found
            raise _RefusedError("StepFunctions.ExecutionAlreadyExistsException", str(exc)) from None
        except InputError as exc:
            raise _RefusedError("StepFunctions.InvalidExecutionInputException", str(exc)) from None

    def _existing(self, machine_arn: str, name: str) -> ExecutionRecord | None:
        prefix = machine_arn.replace(":stateMachine:", ":execution:", 1)
        return self.runner.store.executions.describe(f"{prefix}:{name}")

    def _wait(self, arn: str, timeout: float | None) -> ExecutionRecord | None:
        """The child's record once closed; None past ``timeout`` or when the runner closes."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = FIRST_POLL_SECONDS
        while True:
            record = self.runner.store.executions.describe(arn)
            if record is not None and record.status != "RUNNING":
                return record
            if deadline is not None and time.monotonic() >= deadline:
                return None
            if self.runner.closing.wait(pause):
                return None
            pause = min(pause * 2, MAX_POLL_SECONDS)


class _RefusedError(Exception):
    """StartExecution refused the child; carries the task failure AWS would report."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.failure = TaskFailure(error, cause)


def _parse(payload: JSON) -> _Start:
    if not isinstance(payload, dict):
        raise _RefusedError(StatesError.RUNTIME, "startExecution parameters must be an object")
    machine_arn = payload.get("StateMachineArn")
    if not isinstance(machine_arn, str):
        raise _RefusedError(
            "StepFunctions.InvalidArnException", "StateMachineArn is required (a string)"
        )
    name = payload.get("Name")
    if name is not None and not isinstance(name, str):
        raise _RefusedError("StepFunctions.InvalidNameException", "Name must be a string")
    return _Start(machine_arn, _input(payload.get("Input")), name)


def _input(value: JSON) -> JSON:
    """``Input`` as the child's input: an object as is, a string as the JSON text it holds."""
    if value is None:
        return {}
    if not isinstance(value, str):
        return value
    try:
        decoded: JSON = json.loads(value)
    except json.JSONDecodeError as exc:
        raise _RefusedError(
            "StepFunctions.InvalidExecutionInputException",
            f"Invalid State Machine Execution Input: '{exc.msg}'",
        ) from None
    return decoded


def _millis(epoch: float) -> int:
    """A date as the Java SDK's JSON shows it to Step Functions: epoch milliseconds."""
    return round(epoch * 1000)


def describe(record: ExecutionRecord, *, output_as_json: bool) -> dict[str, JSON]:
    """The child as ``.sync`` answers: DescribeExecution's fields in the SDK's casing."""
    body: dict[str, JSON] = {
        "ExecutionArn": record.arn,
        "Input": record.input,
        "InputDetails": {"Included": True},
        "Name": record.name,
        "StartDate": _millis(record.start_date),
        "StateMachineArn": record.machine_arn,
        "Status": record.status,
    }
    if record.stop_date is not None:
        body["StopDate"] = _millis(record.stop_date)
    if record.output is not None:
        body["Output"] = json.loads(record.output) if output_as_json else record.output
        body["OutputDetails"] = {"Included": True}
    if record.error is not None:
        body["Error"] = record.error
    if record.cause is not None:
        body["Cause"] = record.cause
    return body
