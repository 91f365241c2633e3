"""The explicit, serialisable state of one execution, and the commands the interpreter emits.

An execution is a tree of *frames*: the root frame runs the state machine; each Parallel
branch and Map iteration runs in a child frame. A frame refers to its program (the state
machine, a branch or a processor) by a key (see :func:`ferry.engine.programs.index`), never
by object, so the whole state round-trips through JSON.

Why mutable: the interpreter updates this state in place inside one ``handle`` call and the
runner persists it after the call. Copying a 1,000-iteration Map's frames on every step would
cost more than all the rest of the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ferry.errors import Failure
from ferry.jsontypes import JSON

Phase = Literal["enter", "task", "timer", "children", "done", "failed", "aborted"]
Status = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]


@dataclass(slots=True)
class Fanout:
    """Children of a Parallel or Map state that is running in a frame."""

    total: int
    inputs: list[JSON]
    programs: list[str]
    limit: int
    results: list[JSON] = field(default_factory=list)
    children: dict[int, int] = field(default_factory=dict)  # slot -> child frame id
    started: int = 0
    finished: int = 0
    failed: int = 0
    tolerated: float | None = None  # Map: how many failed items are tolerated
    failure: Failure | None = None
    pumping: bool = False
    done: list[int] = field(default_factory=list)  # slots that succeeded (kept for redrive)


@dataclass(slots=True)
class Frame:
    """One running program: the root, a Parallel branch, or a Map iteration."""

    id: int
    parent: int | None
    slot: int
    program: str
    state: str
    raw_input: JSON
    raw_input_text: str | None = None  # cache of dumps(raw_input); not part of the state
    phase: Phase = "enter"
    entered_event_id: int = 0
    entered_time: float = 0.0
    last_event_id: int = 0
    retry_count: int = 0
    retrier_attempts: dict[int, int] = field(default_factory=dict)
    task_id: int | None = None
    task_payload: JSON = None
    timer_id: int | None = None
    fanout: Fanout | None = None
    output: JSON = None
    # Redrive: the outputs of the children that succeeded before the state failed, and (set
    # by a redrive) the ones the state's next attempt reuses instead of running them again.
    fanout_successes: dict[int, JSON] | None = None
    redrive: dict[int, JSON] | None = None
    # Workflow variables this frame assigned (Assign); outer frames' variables are read through
    # the parent chain, and what a branch or iteration assigns stays in its own frame.
    variables: dict[str, JSON] | None = None


@dataclass(slots=True)
class ExecutionInfo:
    """What the context object's ``Execution`` and ``StateMachine`` parts say."""

    arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    start_time: float
    input: JSON
    redrive_count: int = 0
    secret: str = ""  # per-execution random key (hex) that task tokens are derived from


@dataclass(slots=True)
class ExecutionState:
    """Everything the interpreter needs to continue an execution."""

    info: ExecutionInfo
    frames: dict[int, Frame] = field(default_factory=dict)
    next_frame_id: int = 0
    next_token: int = 0
    last_event_id: int = 0
    status: Status = "RUNNING"
    output: JSON = None
    error: str | None = None
    cause: str | None = None
    tasks: dict[int, RunTask] = field(default_factory=dict)  # tasks started, not yet answered
    timers: dict[int, tuple[int, str]] = field(default_factory=dict)  # timer id -> (frame, kind)


@dataclass(frozen=True, slots=True)
class RunTask:
    """Command: invoke the task integration for ``resource`` with ``payload``.

    Kept in :attr:`ExecutionState.tasks` until answered, so a runner that restarts after a
    crash can invoke it again (at-least-once: see the runner's contract).
    """

    task_id: int
    resource: str
    payload: JSON
    context: JSON
    timeout_seconds: float | None
    heartbeat_seconds: float | None
    idempotency_key: str
    frame_id: int = -1
    token: str | None = None  # for .waitForTaskToken: the result arrives by SendTask*
    submitted: bool = False  # the callback's service call returned (TaskSubmitted)


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Command: deliver ``TimerFired(timer_id)`` at ``due`` (epoch seconds)."""

    timer_id: int
    due: float


@dataclass(frozen=True, slots=True)
class CancelTask:
    """Command: the task's result is no longer wanted (stop it if the integration can)."""

    task_id: int


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Command: forget a timer."""

    timer_id: int


Command = RunTask | StartTimer | CancelTask | CancelTimer


@dataclass(slots=True)
class Step:
    """What one ``handle`` call produced: history events and commands for the runner."""

    events: list[dict[str, JSON]] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
