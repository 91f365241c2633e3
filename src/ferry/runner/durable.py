"""The durable runner: executions persisted step by step in a store, resumed after a crash.

The contract (that of AWS Standard workflows):

- Every reducer step — the execution state, its history events, timers, task tokens and the
  signals it consumed — is committed in one transaction *before* any of its commands runs.
- Tasks run at least once. A task whose step was committed but whose result was not is invoked
  again when the execution is recovered, with the same idempotency key (execution ARN, state
  name, entered-event id, retry count); Lambda handlers see it as the same
  ``context.aws_request_id``, so they can recognise a repeat.
- Timers are due times in the store, never sleeps: a Wait or a retry back-off resumes with the
  time it had left. Parallel branches and Map iterations that finished are part of the committed
  state and never run again.
- One process owns an execution at a time, through a lease it renews; a dead owner's leases
  expire and another process (or the same one, restarted) takes its executions over.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import signal
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from ferry.asl.load import load_text
from ferry.engine.execution import CancelTimer, ExecutionState, RunTask, StartTimer, Step
from ferry.engine.interpreter import Interpreter
from ferry.engine.snapshot import from_json, to_json
from ferry.engine.tasks import describe
from ferry.errors import FerryError, InputError
from ferry.integrations.base import Integration, TaskFailure, TaskOutcome, TaskSuccess
from ferry.integrations.mock import MockedTasks, split_test_case
from ferry.jsontypes import JSON, dumps
from ferry.runner.clock import Clock, SystemClock
from ferry.runner.dispatch import Submitted, dispatch
from ferry.runner.local import ExecutionResult, execution_info, run
from ferry.store.base import Store
from ferry.store.errors import (
    ExecutionAlreadyExistsError,
    ExecutionDoesNotExistError,
    ExecutionNotRedrivableError,
    LeaseLostError,
    StateMachineDoesNotExistError,
)
from ferry.store.records import (
    ExecutionRecord,
    NewActivityTask,
    NewExecution,
    NewToken,
    Signal,
    StepCommit,
    TokenRecord,
)
from ferry.store.versions import resolve_target, split_qualified

_WAKE: tuple[str, int, None] = ("", -1, None)

KILL_AFTER_EVENT = "FERRY_TEST_KILL_AFTER_EVENT"
"""Crash-test hook: SIGKILL this process right after committing the step holding event N."""


class InvalidTokenError(FerryError):
    """AWS's ``InvalidToken``: no task has this token."""

    http_status = 400


class TaskTimedOutError(FerryError):
    """AWS's ``TaskTimedOut``: the token's task already ended (answered, timed out, stopped)."""

    http_status = 400


@dataclass(slots=True)
class _Live:
    """An execution this process owns, with its state in memory."""

    state: ExecutionState
    interpreter: Interpreter


class DurableRunner:
    """Runs the executions of a store, one step per transaction."""

    def __init__(
        self,
        store: Store,
        integrations: Sequence[Integration] = (),
        *,
        clock: Clock | None = None,
        owner: str | None = None,
        lease_seconds: float = 30.0,
        poll_seconds: float = 0.2,
        workers: int = 32,
        mocks: MockedTasks | None = None,
    ) -> None:
        self.store = store
        self.integrations = list(integrations)
        self.mocks = mocks  # the test cases of executions started as ``machineArn#Case``
        self.clock = clock or SystemClock()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="ferry-task")
        self._inbox: queue.SimpleQueue[tuple[str, int, TaskOutcome | Submitted | None]] = (
            queue.SimpleQueue()
        )
        self._mutex = threading.RLock()  # guards _live and every step
        self._live: dict[str, _Live] = {}
        self._interpreters: dict[tuple[str, str | None], Interpreter] = {}
        self._in_flight = 0
        self._lock = threading.Lock()
        self._next_lease_check = 0.0
        self._kill_after = int(os.environ.get(KILL_AFTER_EVENT, "0") or 0)
        # Set by close(): integrations that block a worker (nested .sync) stop waiting.
        self.closing = threading.Event()

    # -- starting ---------------------------------------------------------------------
    def start(self, machine_arn: str, data: JSON, name: str | None = None) -> ExecutionRecord:
        """StartExecution: create the execution and run its first step in this process.

        The same name with the same input while it runs returns the running execution;
        otherwise the store raises ExecutionAlreadyExistsError. ``machine_arn#Case`` runs
        under test case ``Case`` of the mock config (InputError if there is none).
        """
        machine_arn, case = split_test_case(machine_arn)
        machine_arn, qualifier = split_qualified(machine_arn)  # a version or alias ARN
        machine = self.store.machines.describe(machine_arn)
        if machine is None:
            raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{machine_arn}'")
        now = self.clock.now()
        info = execution_info(machine.name, name, data, now, machine_arn=machine_arn)
        target = None
        if qualifier is not None:
            target = resolve_target(self.store.versions, machine_arn, qualifier, info.name)
        if machine.type == "EXPRESS":
            return self._start_express(machine.definition, machine_arn, info.name, data)
        if case is not None:
            if self.mocks is None:
                raise InputError(f"'{machine_arn}#{case}': no mock config is loaded")
            self.mocks.bind(info.arn, machine.name, case)
        record, created = self.store.executions.create(
            NewExecution(
                arn=info.arn,
                machine_arn=machine_arn,
                name=info.name,
                input=dumps(data),
                state="",
                start_date=now,
                revision_id=machine.revision_id if target is None else target.revision_id,
            )
        )
        if created and target is not None:
            self.store.versions.record_origin(record.arn, target.origin)
        if created and self.store.leases.claim(self.owner, record.arn, now, self.lease_seconds):
            with self._mutex:
                self._begin(record)
        return record

    def start_child(self, execution: NewExecution) -> ExecutionRecord:
        """Start a Distributed Map's child (its machine is not in the store: its Map Run,
        ``execution.revision_id``, keeps the definition) and run its first step here.

        Idempotent by ARN: a child started before a crash is returned as it is.
        """
        try:
            record, created = self.store.executions.create(execution)
        except ExecutionAlreadyExistsError:
            found = self.store.executions.describe(execution.arn)
            if found is None:
                raise
            return found
        now = self.clock.now()
        if created and self.store.leases.claim(self.owner, record.arn, now, self.lease_seconds):
            with self._mutex:
                self._begin(record)
        return record

    def start_sync(self, machine_arn: str, data: JSON, name: str | None = None) -> ExecutionResult:
        """StartSyncExecution (EXPRESS): run in memory to the end and return the result."""
        machine = self.store.machines.describe(machine_arn)
        if machine is None:
            raise StateMachineDoesNotExistError(f"State Machine Does Not Exist: '{machine_arn}'")
        return run(
            load_text(machine.definition),
            data,
            name=name,
            clock=self.clock,
            state_machine_name=machine.name,
            integrations=self.integrations,
        )

    def _start_express(
        self, definition: str, machine_arn: str, name: str, data: JSON
    ) -> ExecutionRecord:
        """Express workflows keep no per-step state and no history, as on AWS: the execution
        runs in memory on a worker thread, and nothing of it reaches the store."""
        machine = load_text(definition)
        machine_name = machine_arn.rsplit(":", 1)[-1]
        now = self.clock.now()
        self._pool.submit(
            run,
            machine,
            data,
            name=name,
            state_machine_name=machine_name,
            integrations=self.integrations,
        )
        info = execution_info(machine_name, name, data, now, machine_arn=machine_arn)
        arn = info.arn.replace(":execution:", ":express:")
        return ExecutionRecord(
            arn,
            machine_arn,
            name,
            None,
            dumps(data),
            "RUNNING",
            None,
            None,
            None,
            now,
            None,
            0,
            None,
        )

    def _begin(self, record: ExecutionRecord) -> None:
        interpreter = self._interpreter(record.machine_arn, record.revision_id)
        machine_name = record.machine_arn.rsplit(":", 1)[-1]
        data = json.loads(record.input)
        info = execution_info(
            machine_name, record.name, data, record.start_date, machine_arn=record.machine_arn
        )
        info = replace(info, arn=record.arn, secret=secrets.token_hex(32))
        state, step = interpreter.start(info, self.clock.now())
        live = _Live(state, interpreter)
        self._live[record.arn] = live
        self._commit(record.arn, live, step, {})

    def _interpreter(self, machine_arn: str, revision_id: str | None) -> Interpreter:
        key = (machine_arn, revision_id)
        interpreter = self._interpreters.get(key)
        if interpreter is None:
            machine = None
            if revision_id is not None:
                machine = self.store.machines.revision(machine_arn, revision_id)
            machine = machine or self.store.machines.describe(machine_arn)
            definition = None if machine is None else machine.definition
            if definition is None and revision_id is not None:
                # A Distributed Map's child: its Map Run (revision_id) keeps the definition.
                definition = self.store.map_runs.definition(revision_id)
            if definition is None:
                raise LookupError(f"state machine {machine_arn} is gone")
            interpreter = self._interpreters[key] = Interpreter(load_text(definition))
        return interpreter

    def redrive(self, execution_arn: str) -> ExecutionRecord:
        """RedriveExecution: reopen a FAILED/ABORTED/TIMED_OUT execution from its failed state.

        Raises:
            ExecutionDoesNotExistError: No execution has this ARN.
            ExecutionNotRedrivableError: It is RUNNING or SUCCEEDED.
        """
        with self._mutex:
            return self._redrive(execution_arn)

    def _redrive(self, execution_arn: str) -> ExecutionRecord:
        record = self.store.executions.describe(execution_arn)
        blob = self.store.executions.state(execution_arn)
        if record is None or blob is None:
            raise ExecutionDoesNotExistError(f"Execution Does Not Exist: '{execution_arn}'")
        if record.status not in ("FAILED", "ABORTED", "TIMED_OUT") or not blob:
            raise ExecutionNotRedrivableError(
                f"Execution is {record.status} and cannot be redriven: '{execution_arn}'"
            )
        interpreter = self._interpreter(record.machine_arn, record.revision_id)
        state = from_json(json.loads(blob))
        step = interpreter.redrive(state, self.clock.now())
        if step is None:
            raise ExecutionNotRedrivableError(f"Execution cannot be redriven: '{execution_arn}'")
        commit = self._step_commit(execution_arn, state, step, {})
        reopened = self.store.executions.redrive(execution_arn, commit.state, commit.now, commit)
        now = self.clock.now()
        if self.store.leases.claim(self.owner, execution_arn, now, self.lease_seconds):
            self._live[execution_arn] = _Live(state, interpreter)
            for command in step.commands:
                if isinstance(command, RunTask):
                    self._submit(execution_arn, command)
        return reopened

    # -- signals: what other processes (the API, the CLI) tell an execution -----------------
    def stop(self, execution_arn: str, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: the owner aborts the execution at its next poll."""
        self._signal(execution_arn, "stop", {"error": error, "cause": cause})

    def send_task_success(self, token: str, output: JSON) -> None:
        """SendTaskSuccess: complete the callback task holding ``token`` with ``output``."""
        record = self._token(token)
        self._signal(
            record.execution_arn,
            "task_success",
            {"task_id": record.task_id, "output": dumps(output)},
        )

    def send_task_failure(self, token: str, error: str | None, cause: str | None) -> None:
        """SendTaskFailure: fail the callback task holding ``token``."""
        record = self._token(token)
        payload = {"task_id": record.task_id, "error": error, "cause": cause}
        self._signal(record.execution_arn, "task_failure", payload)

    def send_task_heartbeat(self, token: str) -> None:
        """SendTaskHeartbeat: restart the task's HeartbeatSeconds."""
        record = self._token(token)
        self.store.tokens.heartbeat(token, self.clock.now())
        self._signal(record.execution_arn, "task_heartbeat", {"task_id": record.task_id})

    def _token(self, token: str) -> TokenRecord:
        record = self.store.tokens.find(token)
        if record is None:
            raise InvalidTokenError("Invalid Token: the task token is not known")
        if record.settled is not None:
            raise TaskTimedOutError("Task Timed Out: the task for this token has already ended")
        return record

    def _signal(self, execution_arn: str, kind: str, payload: JSON) -> None:
        self.store.signals.push(execution_arn, kind, dumps(payload), self.clock.now())
        self.wake()

    # -- the loop ---------------------------------------------------------------------
    def run_until_closed(self, arn: str) -> ExecutionRecord:
        """Work until the execution is no longer RUNNING; return its final record."""
        while True:
            record = self.store.executions.describe(arn)
            assert record is not None
            if record.status != "RUNNING":
                return record
            self.poll()

    def serve(self, stop: threading.Event) -> None:
        """Run every execution this process can own until ``stop`` is set."""
        while not stop.is_set():
            self.poll()

    def close(self) -> None:
        """Give up this process's leases and stop its worker threads (without waiting)."""
        self.closing.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.store.leases.release(self.owner)

    def poll(self) -> None:
        """One round: leases, due timers, signals, then task results (waiting a little).

        Safe to run in one thread while others call :meth:`start`, :meth:`redrive` or the
        signal methods (an HTTP API): state changes happen under one lock, and the wait for
        task results happens outside it.
        """
        with self._mutex:
            now = self.clock.now()
            if now >= self._next_lease_check:
                self._maintain_leases(now)
            self._fire_timers(now)
            self._apply_signals()
            timeout = self._wait_time()
        if timeout is None:
            return
        try:
            item = self._inbox.get(timeout=timeout)
        except queue.Empty:
            return
        with self._mutex:
            self._on_result(*item)
            while True:  # take whatever else has arrived without waiting
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    return
                self._on_result(*item)

    def wake(self) -> None:
        """Cut the current wait short (a signal was pushed from this process)."""
        self._inbox.put(_WAKE)

    def _maintain_leases(self, now: float) -> None:
        self._next_lease_check = now + self.lease_seconds / 3
        kept = set(self.store.leases.renew(self.owner, now, self.lease_seconds))
        for arn in list(self._live):
            if arn not in kept:
                del self._live[arn]  # taken over by another process, or closed
        for arn in self.store.leases.acquire(self.owner, now, self.lease_seconds):
            if arn not in self._live:
                self._adopt(arn)

    def _adopt(self, arn: str) -> None:
        """Take over an execution another (dead) process, or an earlier life, left running."""
        record = self.store.executions.describe(arn)
        blob = self.store.executions.state(arn)
        if record is None or blob is None:
            return
        if blob == "":  # created, but its first step never committed
            self._begin(record)
            return
        interpreter = self._interpreter(record.machine_arn, record.revision_id)
        state = from_json(json.loads(blob))
        self._live[arn] = _Live(state, interpreter)
        for command in state.tasks.values():  # at-least-once: run unanswered tasks again
            if not command.submitted:  # a callback task already handed out its token
                self._submit(arn, command)

    def _fire_timers(self, now: float) -> None:
        for timer in self.store.timers.due(now, owner=self.owner):
            live = self._live.get(timer.execution_arn)
            if live is None:
                continue
            tokens = _tokens(live.state)
            step = live.interpreter.timer_fired(live.state, timer.timer_id, now)
            self._commit(timer.execution_arn, live, step, tokens, fired=(timer.timer_id,))

    def _apply_signals(self) -> None:
        for sig in self.store.signals.pending_for_owner(self.owner):
            live = self._live.get(sig.execution_arn)
            if live is None:
                continue
            tokens = _tokens(live.state)
            step = self._signal_step(live, sig)
            self._commit(sig.execution_arn, live, step, tokens, consumed=(sig.id,))

    def _signal_step(self, live: _Live, sig: Signal) -> Step:
        payload = json.loads(sig.payload)
        now = self.clock.now()
        interpreter, state = live.interpreter, live.state
        match sig.kind:
            case "task_success":
                outcome = TaskSuccess(json.loads(payload["output"]))
                return interpreter.task_completed(state, payload["task_id"], outcome, now)
            case "task_failure":
                failure = TaskFailure(payload.get("error"), payload.get("cause"))
                return interpreter.task_completed(state, payload["task_id"], failure, now)
            case "task_heartbeat":
                return interpreter.task_heartbeat(state, payload["task_id"], now)
            case "activity_started":  # pushed by GetActivityTask's claim (store.activities)
                worker = payload.get("worker")
                return interpreter.activity_started(state, payload["task_id"], worker, now)
            case "stop":
                return interpreter.stop(state, payload.get("error"), payload.get("cause"), now)
        return Step()

    def _wait_time(self) -> float | None:
        """How long to wait for task results; None to go round at once (the clock jumped)."""
        timeout = self.poll_seconds
        next_due = self.store.timers.next_due(owner=self.owner)
        now = self.clock.now()
        if next_due is not None:
            if self._in_flight == 0 and self.clock.can_jump and self._live:
                self.clock.jump_to(next_due)
                return None
            timeout = max(0.0, min(timeout, next_due - now))
        return timeout

    def _on_result(self, arn: str, task_id: int, outcome: TaskOutcome | Submitted | None) -> None:
        if outcome is None:  # a wake-up, not a result
            return
        with self._lock:
            self._in_flight -= 1
        live = self._live.get(arn)
        if live is None:
            return
        now = self.clock.now()
        tokens = _tokens(live.state)
        if isinstance(outcome, Submitted):
            step = live.interpreter.task_submitted(live.state, task_id, outcome.response, now)
        else:
            step = live.interpreter.task_completed(live.state, task_id, outcome, now)
        self._commit(arn, live, step, tokens)

    # -- committing -------------------------------------------------------------------
    def _commit(
        self,
        arn: str,
        live: _Live,
        step: Step,
        tokens_before: dict[int, str],
        *,
        consumed: Sequence[int] = (),
        fired: Sequence[int] = (),
    ) -> None:
        commit = self._step_commit(
            arn, live.state, step, tokens_before, consumed=consumed, fired=fired
        )
        try:
            self.store.executions.commit_step(arn, commit)
        except LeaseLostError:
            self._live.pop(arn, None)  # another process owns it now; its state wins
            return
        self._crash_hook(live.state)
        if commit.status != "RUNNING":
            self._live.pop(arn, None)
            return
        for command in step.commands:
            if isinstance(command, RunTask):
                self._submit(arn, command)

    def _step_commit(
        self,
        arn: str,
        state: ExecutionState,
        step: Step,
        tokens_before: dict[int, str],
        *,
        consumed: Sequence[int] = (),
        fired: Sequence[int] = (),
    ) -> StepCommit:
        closed = state.status != "RUNNING"
        now = self.clock.now()
        return StepCommit(
            state=dumps(to_json(state)),
            now=now,
            status=state.status,
            output=dumps(state.output) if state.status == "SUCCEEDED" else None,
            error=state.error,
            cause=state.cause,
            stop_date=now if closed else None,
            events=step.events,
            timers_added=[(c.timer_id, c.due) for c in step.commands if isinstance(c, StartTimer)],
            timers_removed=[
                *fired,
                *(c.timer_id for c in step.commands if isinstance(c, CancelTimer)),
            ],
            tokens_issued=[
                NewToken(c.token, arn, c.task_id, now, c.heartbeat_seconds)
                for c in step.commands
                if isinstance(c, RunTask) and c.token is not None
            ],
            tokens_settled=[t for task, t in tokens_before.items() if task not in state.tasks],
            owner=self.owner,
            signals_consumed=consumed,
            activity_tasks=[
                NewActivityTask(c.token, c.resource, c.task_id, dumps(c.payload))
                for c in step.commands
                if isinstance(c, RunTask) and c.token is not None and _is_activity(c)
            ],
        )

    def _crash_hook(self, state: ExecutionState) -> None:
        if self._kill_after and state.last_event_id >= self._kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    def _submit(self, arn: str, command: RunTask) -> None:
        if describe(command.resource).kind == "activity":
            return  # a worker takes it with GetActivityTask and answers by its token
        with self._lock:
            self._in_flight += 1
        self._pool.submit(self._run_task, arn, command)

    def _run_task(self, arn: str, command: RunTask) -> None:
        # A mocked state answers for the whole task, callback or .sync included (as in Step
        # Functions Local): its real integration is never called.
        mocked = None if self.mocks is None else self.mocks.outcome(arn, command)
        outcome = mocked if mocked is not None else dispatch(self.integrations, command)
        self._inbox.put((arn, command.task_id, outcome))


def _is_activity(command: RunTask) -> bool:
    return describe(command.resource).kind == "activity"


def _tokens(state: ExecutionState) -> dict[int, str]:
    """The task tokens of the tasks that are running now."""
    return {task: c.token for task, c in state.tasks.items() if c.token is not None}
