"""The in-process runner: one execution, tasks on worker threads, timers in a heap.

It keeps nothing on disk (the durable runner over a store does). ``run`` is the simplest way to
execute a definition::

    result = run(definition, {"orderId": 7}, functions_dir=Path("functions"))
"""

from __future__ import annotations

import heapq
import queue
import threading
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ferry.asl.load import load_definition
from ferry.asl.model import StateMachine
from ferry.engine.dataflow import too_large
from ferry.engine.execution import (
    CancelTask,
    CancelTimer,
    Command,
    ExecutionInfo,
    ExecutionState,
    RunTask,
    StartTimer,
    Step,
)
from ferry.engine.interpreter import Interpreter
from ferry.engine.map_run import MAP_RUN_RESOURCE
from ferry.errors import InputError
from ferry.integrations.aws_clients import ClientPool
from ferry.integrations.aws_http import HttpInvokeIntegration
from ferry.integrations.aws_optimized import AwsOptimizedIntegration
from ferry.integrations.aws_sdk import AwsSdkIntegration
from ferry.integrations.base import Integration, TaskFailure, TaskOutcome, TaskRequest
from ferry.integrations.lambda_ import LambdaIntegration, LocalFunctions
from ferry.jsontypes import JSON, dumps
from ferry.runner.clock import Clock, SystemClock
from ferry.runner.dispatch import Submitted, dispatch

REGION = "us-east-1"
ACCOUNT = "123456789012"
WORKERS = 32


@dataclass(slots=True)
class ExecutionResult:
    """How an execution ended, with its full history."""

    execution_arn: str
    status: str
    output: JSON
    error: str | None
    cause: str | None
    history: list[dict[str, JSON]] = field(default_factory=list)


def execution_info(
    machine_name: str,
    name: str | None,
    data: JSON,
    now: float,
    *,
    machine_arn: str | None = None,
) -> ExecutionInfo:
    """The identity of a new execution, with ARNs shaped as AWS shapes them (in the region
    and account of ``machine_arn`` when given)."""
    exec_name = name or str(uuid.uuid4())
    region, account = REGION, ACCOUNT
    if machine_arn is not None and machine_arn.count(":") >= 5:
        region, account = machine_arn.split(":")[3:5]
    prefix = f"arn:aws:states:{region}:{account}"
    return ExecutionInfo(
        arn=f"{prefix}:execution:{machine_name}:{exec_name}",
        name=exec_name,
        state_machine_arn=f"{prefix}:stateMachine:{machine_name}",
        state_machine_name=machine_name,
        role_arn=f"arn:aws:iam::{account}:role/ferry-local",
        start_time=now,
        input=data,
    )


class _InMemoryMapRuns:
    """The Map Run integration, loaded when a Distributed Map first needs it (the runtime and
    its imports cost several MB that runs without a Distributed Map need not pay)."""

    def __init__(self, integrations: list[Integration], clock: Clock) -> None:
        self._integrations = integrations
        self._clock = clock
        self._real: Integration | None = None
        self._lock = threading.Lock()

    def handles(self, resource: str) -> bool:
        return resource == MAP_RUN_RESOURCE

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        with self._lock:
            if self._real is None:
                from ferry.distributed.maprun import MapRunIntegration  # noqa: PLC0415

                self._real = MapRunIntegration(self._integrations, clock=self._clock)
        return self._real.invoke(request)


class LocalRunner:
    """Drives one execution to its end in this process."""

    def __init__(
        self,
        machine: StateMachine,
        integrations: Sequence[Integration] = (),
        clock: Clock | None = None,
    ) -> None:
        self.interpreter = Interpreter(machine)
        self.integrations = list(integrations)
        self.clock = clock or SystemClock()
        if not any(i.handles(MAP_RUN_RESOURCE) for i in self.integrations):
            # Distributed Map children run in memory, with this runner's clock and integrations.
            self.integrations.insert(0, _InMemoryMapRuns(self.integrations, self.clock))
        self._inbox: queue.SimpleQueue[tuple[int, TaskOutcome]] = queue.SimpleQueue()
        self._timers: list[tuple[float, int]] = []
        self._in_flight: set[int] = set()
        self.history: list[dict[str, JSON]] = []

    def run(
        self, info: ExecutionInfo, variables: Mapping[str, JSON] | None = None
    ) -> ExecutionState:
        """Start the execution (with ``variables`` already set) and return its final state."""
        pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="ferry-task")
        try:
            state, step = self.interpreter.start(info, self.clock.now(), variables)
            self._apply(step, pool)
            while state.status == "RUNNING":
                self._apply(self._next_event(state), pool)
        finally:
            # Handlers the engine cancelled (a sibling branch failed, a timeout) cannot be
            # interrupted; the execution's end does not wait for them.
            pool.shutdown(wait=False, cancel_futures=True)
        return state

    def _next_event(self, state: ExecutionState) -> Step:
        while True:
            now = self.clock.now()
            if self._timers and self._timers[0][0] <= now:
                _, timer_id = heapq.heappop(self._timers)
                return self.interpreter.timer_fired(state, timer_id, now)
            if not self._in_flight and self._timers and self.clock.can_jump:
                self.clock.jump_to(self._timers[0][0])
                continue
            wait = self._timers[0][0] - now if self._timers else None
            try:
                task_id, outcome = self._inbox.get(timeout=wait)
            except queue.Empty:
                continue
            self._in_flight.discard(task_id)
            return self.interpreter.task_completed(state, task_id, outcome, self.clock.now())

    def _apply(self, step: Step, pool: ThreadPoolExecutor) -> None:
        self.history.extend(step.events)
        for command in step.commands:
            self._execute(command, pool)

    def _execute(self, command: Command, pool: ThreadPoolExecutor) -> None:
        match command:
            case RunTask():
                self._in_flight.add(command.task_id)
                pool.submit(self._invoke, command)
            case StartTimer():
                heapq.heappush(self._timers, (command.due, command.timer_id))
            case CancelTimer():
                self._timers = [t for t in self._timers if t[1] != command.timer_id]
                heapq.heapify(self._timers)
            case CancelTask():
                # A local handler cannot be interrupted; its late result is ignored.
                self._in_flight.discard(command.task_id)

    def _invoke(self, command: RunTask) -> None:
        outcome = dispatch(self.integrations, command)
        if isinstance(outcome, Submitted):
            # Nothing in this process can answer a task token: callback tasks need the
            # durable runner (ferry server), where SendTaskSuccess reaches them.
            outcome = TaskFailure(
                "States.Runtime",
                "callback tasks (.waitForTaskToken) need a durable store: run them with "
                "ferry server, where SendTaskSuccess/SendTaskFailure can answer the token",
            )
        self._inbox.put((command.task_id, outcome))


def default_integrations(
    functions_dir: Path | None, endpoints: Mapping[str, str] | None = None
) -> list[Integration]:
    """The integrations ``ferry run`` uses.

    Local Lambda handlers first (when a directory is given), then the AWS service integrations
    (AWS SDK, optimized, HTTP Task). Those reach real AWS unless ``AWS_ENDPOINT_URL``,
    ``AWS_ENDPOINT_URL_<SERVICE>`` or ``endpoints`` (botocore service name → URL) point
    elsewhere; the SDK and optimized integrations share one set of clients.
    """
    integrations: list[Integration] = []
    if functions_dir is not None:
        integrations.append(LambdaIntegration(LocalFunctions(functions_dir)))
    pool = ClientPool(endpoints)
    integrations.append(AwsOptimizedIntegration(pool=pool))
    integrations.append(AwsSdkIntegration(pool=pool))
    integrations.append(HttpInvokeIntegration())
    return integrations


def run(
    definition: JSON | StateMachine,
    data: JSON,
    *,
    functions_dir: Path | None = None,
    name: str | None = None,
    clock: Clock | None = None,
    state_machine_name: str = "ferry-local",
    integrations: Sequence[Integration] | None = None,
    variables: Mapping[str, JSON] | None = None,
) -> ExecutionResult:
    """Validate, build and run ``definition`` on ``data``; return how it ended. ``variables``
    are workflow variables set before the first state (as TestState's ``variables`` are).

    Raises:
        DefinitionError: the definition fails validation.
        InputError: the input is over the 256 KiB payload limit (AWS's StartExecution refuses
            it with InvalidExecutionInput).
    """
    if too_large(dumps(data)):
        raise InputError(
            "the execution input is larger than the 256 KiB payload limit "
            "(AWS refuses it with InvalidExecutionInput)"
        )
    machine = definition if isinstance(definition, StateMachine) else load_definition(definition)
    if integrations is None:
        integrations = default_integrations(functions_dir)
    runner = LocalRunner(machine, integrations, clock)
    info = execution_info(state_machine_name, name, data, runner.clock.now())
    state = runner.run(info, variables)
    return ExecutionResult(
        execution_arn=info.arn,
        status=state.status,
        output=state.output,
        error=state.error,
        cause=state.cause,
        history=runner.history,
    )
