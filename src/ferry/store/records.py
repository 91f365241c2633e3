"""The records the store reads and writes: plain frozen dataclasses, no ORM.

Times are seconds since the epoch (floats), as the engine's injected clock gives them. JSON
payloads (inputs, outputs, the execution-state blob) travel as JSON *text*: the store never
parses them, so what comes back is byte-for-byte what went in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from ferry.jsontypes import JSON

MachineType = Literal["STANDARD", "EXPRESS"]
ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
RedriveFilter = Literal["REDRIVEN", "NOT_REDRIVEN"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_token`` is None on the last page."""

    items: list[T]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class NewMachine:
    """What CreateStateMachine stores. The caller builds the ARN."""

    arn: str
    name: str
    definition: str
    type: MachineType = "STANDARD"
    role_arn: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MachineRecord:
    """A state machine as DescribeStateMachine shows it (at one revision)."""

    arn: str
    name: str
    definition: str
    type: MachineType
    role_arn: str
    tags: dict[str, str]
    revision_id: str
    created: float
    updated: float


@dataclass(frozen=True, slots=True)
class NewExecution:
    """What StartExecution stores. ``state`` is the initial execution-state blob (JSON text)."""

    arn: str
    machine_arn: str
    name: str
    input: str
    state: str
    start_date: float
    revision_id: str | None = None


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """An execution as DescribeExecution shows it (without the state blob)."""

    arn: str
    machine_arn: str
    name: str
    revision_id: str | None
    input: str
    status: ExecutionStatus
    output: str | None
    error: str | None
    cause: str | None
    start_date: float
    stop_date: float | None
    redrive_count: int
    redrive_date: float | None


@dataclass(frozen=True, slots=True)
class NewToken:
    """A task token handed to a callback task (``.waitForTaskToken``)."""

    token: str
    execution_arn: str
    task_id: int
    issued: float
    heartbeat_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored task token; ``settled`` is when SendTaskSuccess/Failure (or the end) closed it."""

    token: str
    execution_arn: str
    task_id: int
    issued: float
    heartbeat_seconds: float | None
    heartbeat_at: float
    settled: float | None


@dataclass(frozen=True, slots=True)
class Timer:
    """A timer stored as its due time (never as a sleep), so it survives restarts."""

    execution_arn: str
    timer_id: int
    due: float


@dataclass(frozen=True, slots=True)
class Signal:
    """An event another process handed to a running execution, waiting in its inbox.

    The store does not interpret ``kind`` or ``payload``; the durable runner uses the kinds
    ``task_success``, ``task_failure``, ``task_heartbeat`` and ``stop``, with JSON text
    payloads. ``id`` grows with every push and is never reused, so it orders the inbox.
    """

    id: int
    execution_arn: str
    kind: str
    payload: str
    created: float


@dataclass(frozen=True, slots=True)
class StepCommit:
    """Everything one reducer call changed, committed by ``commit_step`` in one transaction.

    Attributes:
        state: The execution-state blob after the step (JSON text).
        now: The step's time; settled tokens record it.
        status: The execution status after the step.
        output: The execution output (JSON text) once SUCCEEDED.
        error: The error name once FAILED/TIMED_OUT/ABORTED.
        cause: The cause text that goes with ``error``.
        stop_date: When the execution closed.
        events: The new history events, AWS-shaped dicts with ``id``, ``type``, ``timestamp``.
        timers_added: ``(timer_id, due)`` pairs to schedule.
        timers_removed: Timer ids to forget.
        tokens_issued: Task tokens handed out in this step.
        tokens_settled: Task tokens this step closed.
        signals_consumed: Ids of the signals this step handled. They are deleted with the
            step, so a crash before the commit leaves them for the next owner. A closing
            step drops every pending signal of the execution.
        owner: When set, the commit only happens while this owner holds the lease.
        activity_tasks: Activity tasks scheduled in this step, for GetActivityTask to hand
            out (their tokens are in ``tokens_issued``).
    """

    state: str
    now: float
    status: ExecutionStatus = "RUNNING"
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_date: float | None = None
    events: Sequence[Mapping[str, JSON]] = ()
    timers_added: Sequence[tuple[int, float]] = ()
    timers_removed: Sequence[int] = ()
    tokens_issued: Sequence[NewToken] = ()
    tokens_settled: Sequence[str] = ()
    signals_consumed: Sequence[int] = ()
    owner: str | None = None
    activity_tasks: Sequence[NewActivityTask] = ()


# -- activities (CreateActivity, GetActivityTask) --------------------------------------------


@dataclass(frozen=True, slots=True)
class NewActivity:
    """What CreateActivity stores. The caller builds the ARN."""

    arn: str
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """An activity as DescribeActivity shows it."""

    arn: str
    name: str
    tags: dict[str, str]
    created: float


@dataclass(frozen=True, slots=True)
class NewActivityTask:
    """An activity task a step scheduled, waiting for a worker's GetActivityTask.

    Attributes:
        token: The task token the worker answers with (issued in the same step).
        activity_arn: The Task state's ``Resource``.
        task_id: The engine's id of the task within its execution.
        input: The task's effective input (JSON text), as GetActivityTask hands it out.
    """

    token: str
    activity_arn: str
    task_id: int
    input: str


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """An activity task a worker claimed with GetActivityTask."""

    token: str
    activity_arn: str
    execution_arn: str
    task_id: int
    input: str
    created: float
