"""The interpreter core: a pure reducer over execution state.

``Interpreter.start`` / ``task_completed`` / ``timer_fired`` / ``stop`` each take the execution
state, the event and the current time, update the state, and return a :class:`Step` holding the
history events and the commands (run a task, start a timer, cancel...) for the runner. No I/O,
no clock, no sleeping here: the runner does all of that, which is what lets a durable runner
persist each step and resume after a crash. These entry points never raise for ASL errors:
those are data (:class:`Failure`) and end up in history.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import replace

from ferry.asl.model import (
    ChoiceState,
    FailState,
    MapState,
    ParallelState,
    PassState,
    State,
    StateMachine,
    SucceedState,
    TaskState,
    WaitState,
)
from ferry.engine import fanout, flow, retry, variables
from ferry.engine.context import context_object
from ferry.engine.dataflow import (
    expr_error,
    runtime_error,
    select,
    size_failure,
    state_error,
    too_large,
)
from ferry.engine.execution import (
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    ExecutionState,
    Frame,
    RunTask,
    StartTimer,
    Step,
)
from ferry.engine.history import History, error_details, payload_details
from ferry.engine.outcome import BLOCKED, Blocked, Failed, Next, Outcome, StepFailedError
from ferry.engine.programs import index
from ferry.engine.states import HANDLERS, ON_CHILDREN, map_, task
from ferry.engine.variables_limits import LIMIT_ERROR
from ferry.errors import Failure, StatesError
from ferry.expr import ExprError, QueryPath, ReferencePath, Template
from ferry.expr.segments import Root
from ferry.integrations.base import TaskOutcome
from ferry.jsontypes import JSON, dumps

ResultState = flow.ResultState


class Interpreter:
    """Runs one state machine definition; holds no per-execution state."""

    def __init__(self, machine: StateMachine) -> None:
        self.machine = machine
        self.programs = index(machine)

    def start(
        self, info: ExecutionInfo, now: float, variables: Mapping[str, JSON] | None = None
    ) -> tuple[ExecutionState, Step]:
        """Begin an execution: ExecutionStarted, then run until something must be awaited.
        ``variables`` are set before the first state (TestState's ``variables``)."""
        state = ExecutionState(info=info)
        act = Activation(self, state, now)
        act.begin(variables)
        return state, act.step

    def task_completed(
        self, state: ExecutionState, task_id: int, outcome: TaskOutcome, now: float
    ) -> Step:
        """A task the runner ran has finished (stale results are ignored)."""
        act = Activation(self, state, now)
        act.on_task(task_id, outcome)
        return act.step

    def redrive(self, state: ExecutionState, now: float) -> Step | None:
        """RedriveExecution; None when the execution cannot be redriven (RUNNING, SUCCEEDED)."""
        act = Activation(self, state, now)
        return act.step if act.redrive() else None

    def task_heartbeat(self, state: ExecutionState, task_id: int, now: float) -> Step:
        """SendTaskHeartbeat for a running task (unknown or finished tasks are ignored)."""
        act = Activation(self, state, now)
        act.on_heartbeat(task_id)
        return act.step

    def activity_started(
        self, state: ExecutionState, task_id: int, worker_name: str | None, now: float
    ) -> Step:
        """A worker took an activity task with GetActivityTask: ActivityStarted."""
        act = Activation(self, state, now)
        request = state.tasks.get(task_id)
        if request is not None and state.status == "RUNNING" and not request.submitted:
            state.tasks[task_id] = replace(request, submitted=True)
            task.started(act, state.frames[request.frame_id], worker_name)
        return act.step

    def task_submitted(
        self, state: ExecutionState, task_id: int, response: JSON, now: float
    ) -> Step:
        """A ``.waitForTaskToken`` task's service call returned: TaskSubmitted."""
        act = Activation(self, state, now)
        act.on_submitted(task_id, response)
        return act.step

    def timer_fired(self, state: ExecutionState, timer_id: int, now: float) -> Step:
        """A timer the runner kept is due (stale timers are ignored)."""
        act = Activation(self, state, now)
        act.on_timer(timer_id)
        return act.step

    def stop(self, state: ExecutionState, error: str | None, cause: str | None, now: float) -> Step:
        """Abort a running execution (StopExecution)."""
        act = Activation(self, state, now)
        if state.status == "RUNNING":
            act.end_execution("ABORTED", "ExecutionAborted", error_details(error, cause))
        return act.step


class Activation:
    """One ``handle`` call: the execution state, the clock reading, and what was produced."""

    def __init__(self, interpreter: Interpreter, state: ExecutionState, now: float) -> None:
        self.interpreter = interpreter
        self.programs = interpreter.programs
        self.state = state
        self.now = now
        self.step = Step()
        self.history = History(state, self.step, now)
        # Parallel/Map frame id -> sources that finished children hand to the next child
        # (see fanout); only ever consumed within the activation that produced them.
        self.handoffs: dict[int, list[int]] = {}

    # -- entry points ---------------------------------------------------------------
    def begin(self, initial: Mapping[str, JSON] | None = None) -> None:
        info = self.state.info
        details = payload_details("input", info.input)
        details["roleArn"] = info.role_arn
        self.history.emit(None, "ExecutionStarted", details)
        if self.interpreter.machine.timeout_seconds is not None:
            due = self.now + self.interpreter.machine.timeout_seconds
            self._timer_at(None, due, "execution")
        root = self.new_frame(None, 0, "", info.input)
        if initial:
            root.variables = dict(initial)
        self.advance(root, self.enter(root))

    def on_task(self, task_id: int, outcome: TaskOutcome) -> None:
        request = self.state.tasks.pop(task_id, None)
        if request is None or self.state.status != "RUNNING":
            return
        frame = self.state.frames[request.frame_id]
        frame.task_id = None
        self._cancel_timers_of(frame, "task_timeout")
        self._cancel_timers_of(frame, "heartbeat")
        task_state = self.state_of(frame)
        if isinstance(task_state, MapState):  # a Distributed Map's Map Run ended
            map_state = task_state
            self.advance(
                frame,
                self.guard(frame, lambda: map_.on_run_result(self, frame, map_state, outcome)),
            )
            return
        assert isinstance(task_state, TaskState)
        self.advance(
            frame, self.guard(frame, lambda: task.on_result(self, frame, task_state, outcome))
        )

    def on_timer(self, timer_id: int) -> None:
        entry = self.state.timers.pop(timer_id, None)
        if entry is None or self.state.status != "RUNNING":
            return
        frame_id, kind = entry
        if kind == "execution":
            self.end_execution("TIMED_OUT", "ExecutionTimedOut", {})
            return
        frame = self.state.frames[frame_id]
        if kind == "task_timeout":
            self._task_timed_out(frame, StatesError.TIMEOUT)
        elif kind == "heartbeat":
            self._task_timed_out(frame, StatesError.HEARTBEAT_TIMEOUT)
        elif kind == "retry":
            frame.timer_id = None
            self.advance(frame, self.guard(frame, lambda: self.attempt(frame)))
        else:  # a Wait state's time is up
            frame.timer_id = None
            state = self.state_of(frame)
            data = self.effective_input(frame, state)
            self.advance(frame, self.guard(frame, lambda: self.finish(frame, state, data)))

    # -- the frame loop ---------------------------------------------------------------
    def state_of(self, frame: Frame) -> State:
        return self.programs[frame.program].states[frame.state]

    def new_frame(
        self, parent: Frame | None, slot: int, program: str, data: JSON, source: int | None = None
    ) -> Frame:
        """A frame for ``program``; its first event points at ``source`` (default: the parent's
        source; for the root 0, as AWS's first state event has ``previousEventId`` 0)."""
        st = self.state
        if source is None:
            source = 0 if parent is None else parent.last_event_id
        frame_id = st.next_frame_id
        st.next_frame_id += 1
        frame = Frame(
            id=frame_id,
            parent=None if parent is None else parent.id,
            slot=slot,
            program=program,
            state=self.programs[program].start_at,
            raw_input=data,
            last_event_id=source,
        )
        st.frames[frame_id] = frame
        return frame

    def enter(self, frame: Frame) -> Outcome:
        """Emit ``<Type>StateEntered`` and run the state's first attempt."""
        state = self.state_of(frame)
        frame.phase = "enter"
        frame.retry_count = 0
        frame.retrier_attempts = {}
        frame.entered_time = self.now
        text = frame.raw_input_text
        if text is None:
            text = frame.raw_input_text = dumps(frame.raw_input)
        frame.entered_event_id = self.history.emit(
            frame,
            _ENTERED[type(state)],
            {"name": frame.state, "input": text, "inputDetails": _NOT_TRUNCATED},
        )
        try:  # what guard() does, inlined on the hottest path
            return HANDLERS[type(state)](self, frame, state)
        except StepFailedError as failed:
            return Failed(failed.failure)
        except ExprError as exc:
            return Failed(expr_error(frame, exc).failure)

    def children_done(self, frame: Frame, results: list[JSON]) -> Outcome:
        """All of a Parallel/Map state's children succeeded: let the state shape the result."""
        state = self.state_of(frame)
        return self.guard(frame, lambda: ON_CHILDREN[type(state)](self, frame, state, results))

    def attempt(self, frame: Frame) -> Outcome:
        state = self.state_of(frame)
        return HANDLERS[type(state)](self, frame, state)

    def guard(self, frame: Frame, run: object) -> Outcome:
        """Run state code, turning its raised failures into data."""
        try:
            return run()  # type: ignore[operator, no-any-return]
        except StepFailedError as failed:
            return Failed(failed.failure)
        except ExprError as exc:
            return Failed(expr_error(frame, exc).failure)

    def advance(self, frame: Frame, outcome: Outcome) -> None:
        """Follow outcomes through the frame's states until it waits, ends or fails."""
        while not isinstance(outcome, Blocked):
            if isinstance(outcome, Failed):
                outcome = self.on_failure(frame, outcome.failure)
                continue
            state = self.state_of(frame)
            if outcome.output is frame.raw_input and frame.raw_input_text is not None:
                text = frame.raw_input_text  # passed through unchanged (Choice, Wait, Succeed)
            else:
                text = dumps(outcome.output)
            if too_large(text):
                self.frame_failed(frame, size_failure(frame.state, terminal=True))
                return
            details: dict[str, JSON] = {
                "name": frame.state,
                "output": text,
                "outputDetails": _NOT_TRUNCATED,
            }
            if outcome.assigned is not None:
                over = variables.over_limit(self.state, frame, outcome.assigned)
                if over is not None:
                    self.frame_failed(frame, state_error(frame, LIMIT_ERROR, over).failure)
                    return
                details["assignedVariables"] = {k: dumps(v) for k, v in outcome.assigned.items()}
                details["assignedVariablesDetails"] = _NOT_TRUNCATED
                variables.assign(frame, outcome.assigned)
            self.history.emit(frame, _EXITED[type(state)], details)
            if outcome.next is None:
                self.frame_succeeded(frame, outcome.output)
                return
            frame.state = outcome.next
            frame.raw_input = outcome.output
            frame.raw_input_text = text
            outcome = self.enter(frame)

    def on_failure(self, frame: Frame, failure: Failure) -> Outcome:
        """Retry, else Catch, else fail the frame."""
        state = self.state_of(frame)
        rules = None
        if not failure.terminal and isinstance(state, TaskState | ParallelState | MapState):
            rules = state
        if rules is not None and self._retry(frame, rules, failure):
            return BLOCKED
        if isinstance(state, ParallelState | MapState):
            # Only once no retry follows (AWS emits none between attempts), before any Catch.
            self.history.emit(frame, _FAILED[type(state)], None)
        catcher = None if rules is None else retry.find_catcher(rules.catch, failure.error)
        if catcher is not None:
            try:
                return flow.caught(self, frame, state, catcher, failure)
            except StepFailedError as failed:
                self.frame_failed(frame, failed.failure)
            except ExprError as exc:
                self.frame_failed(frame, expr_error(frame, exc).failure)
            return BLOCKED
        self.frame_failed(frame, failure)
        return BLOCKED

    def _retry(self, frame: Frame, state: TaskState | ParallelState | MapState, f: Failure) -> bool:
        """Start the back-off timer of the matching retrier, if it has attempts left."""
        index_ = retry.find_retrier(state.retry, f.error)
        if index_ is None:
            return False
        retrier = state.retry[index_]
        attempts = frame.retrier_attempts.get(index_, 0)
        if attempts >= retrier.max_attempts:
            return False
        frame.retrier_attempts[index_] = attempts + 1
        seed = f"{self.state.info.arn}/{frame.id}/{frame.entered_event_id}/{attempts}"
        wait = retry.delay(retrier, attempts, seed)
        frame.retry_count += 1
        frame.phase = "timer"
        frame.timer_id = self._timer_at(frame, self.now + wait, "retry")
        return True

    # -- helpers for state modules -----------------------------------------------------
    def context(self, frame: Frame, token: str | None = None) -> dict[str, JSON]:
        retryable = isinstance(self.state_of(frame), TaskState | ParallelState | MapState)
        return context_object(self.state.info, frame, frame.entered_time, retryable, token)

    def effective_input(self, frame: Frame, state: State) -> JSON:
        """JSONPath: the raw input through InputPath; JSONata: the raw input."""
        if state.query_language == "JSONata":
            return frame.raw_input
        return self._select(state.input_path, frame.raw_input, frame)

    def select_output(self, state: State, value: JSON, frame: Frame) -> JSON:
        """A JSONPath state's OutputPath applied to ``value``."""
        return self._select(state.output_path, value, frame)

    def _select(self, path: QueryPath | None, data: JSON, frame: Frame) -> JSON:
        if path is not None and path.text == "$":
            return data
        if path is not None and path.root is not Root.DATA:
            data = self.root_value(path, data, frame)
        return select(path, data, frame)

    def root_value(self, path: QueryPath | ReferencePath, data: JSON, frame: Frame) -> JSON:
        """What ``path`` reads: ``data`` for ``$``, the context object for ``$$``, the
        variable's value for ``$name``."""
        if path.root is Root.DATA:
            return data
        if path.root is Root.CONTEXT:
            return self.context(frame)
        scope = self.variables(frame)
        name = path.variable or ""
        if name not in scope:
            raise runtime_error(
                frame, f"The variable '${name}' referenced by the path '{path.text}' is not set"
            )
        return scope[name]

    def variables(self, frame: Frame) -> Mapping[str, JSON]:
        """The workflow variables the state ``frame`` is in can read."""
        return variables.visible(self.state, frame)

    def evaluate(self, template: Template, data: JSON, frame: Frame, context: JSON = None) -> JSON:
        if context is None and template.uses_context:
            context = self.context(frame)
        return template.evaluate(data, context, self.variables(frame))

    def finish(self, frame: Frame, state: State, value: JSON) -> Next:
        """A state without a result exits (OutputPath / Output, Assign), on to ``Next``."""
        return flow.finish(self, frame, state, value)

    def finish_result(self, frame: Frame, state: ResultState, result: JSON) -> Next:
        """A state with a result exits: ResultPath and OutputPath, or Output; Assign."""
        return flow.finish_result(self, frame, state, result)

    def new_task_id(self) -> int:
        """Reserve the id of the task about to be scheduled (its token derives from it)."""
        task_id = self.state.next_token
        self.state.next_token += 1
        return task_id

    def task_token(self, task_id: int) -> str:
        """An unguessable task token: HMAC-SHA256 of the task id under the execution's secret
        (256 bits); derived, not drawn, so the reducer stays free of randomness."""
        key = bytes.fromhex(self.state.info.secret) or self.state.info.arn.encode()
        return hmac.new(key, f"{self.state.info.arn}#{task_id}".encode(), "sha256").hexdigest()

    def run_task(
        self,
        frame: Frame,
        *,
        task_id: int,
        resource: str,
        payload: JSON,
        context: JSON,
        timeout: float | None,
        heartbeat: float | None,
        token: str | None = None,
    ) -> Blocked:
        st = self.state
        frame.task_id = task_id
        frame.phase = "task"
        key = f"{st.info.arn}/{frame.state}/{frame.entered_event_id}/{frame.retry_count}"
        request = RunTask(
            task_id, resource, payload, context, timeout, heartbeat, key, frame.id, token
        )
        st.tasks[task_id] = request
        self.step.commands.append(request)
        if timeout is not None:
            self._timer_at(frame, self.now + timeout, "task_timeout")
        if heartbeat is not None and token is not None:
            self._timer_at(frame, self.now + heartbeat, "heartbeat")
        return BLOCKED

    def on_heartbeat(self, task_id: int) -> bool:
        """SendTaskHeartbeat: restart the task's HeartbeatSeconds; False if it is not running."""
        request = self.state.tasks.get(task_id)
        if request is None or self.state.status != "RUNNING":
            return False
        frame = self.state.frames[request.frame_id]
        if request.heartbeat_seconds is not None:
            self._cancel_timers_of(frame, "heartbeat")
            self._timer_at(frame, self.now + request.heartbeat_seconds, "heartbeat")
        return True

    def on_submitted(self, task_id: int, response: JSON) -> None:
        """The service call of a ``.waitForTaskToken`` task returned; the result comes later."""
        request = self.state.tasks.get(task_id)
        if request is None or self.state.status != "RUNNING":
            return
        self.state.tasks[task_id] = replace(request, submitted=True)
        frame = self.state.frames[request.frame_id]
        task_state = self.state_of(frame)
        assert isinstance(task_state, TaskState)
        task.submitted(self, frame, task_state, response)

    def wait_until(self, frame: Frame, due: float) -> Blocked:
        frame.phase = "timer"
        frame.timer_id = self._timer_at(frame, due, "wait")
        return BLOCKED

    def _timer_at(self, frame: Frame | None, due: float, kind: str) -> int:
        st = self.state
        timer_id = st.next_token
        st.next_token += 1
        st.timers[timer_id] = (-1 if frame is None else frame.id, kind)
        self.step.commands.append(StartTimer(timer_id, due))
        return timer_id

    def _cancel_timers_of(self, frame: Frame, kind: str | None = None) -> None:
        for timer_id, (frame_id, timer_kind) in list(self.state.timers.items()):
            if frame_id == frame.id and (kind is None or kind == timer_kind):
                del self.state.timers[timer_id]
                self.step.commands.append(CancelTimer(timer_id))

    def _task_timed_out(self, frame: Frame, error: str) -> None:
        if frame.task_id is None:
            return
        self.step.commands.append(CancelTask(frame.task_id))
        self.state.tasks.pop(frame.task_id, None)
        frame.task_id = None
        self._cancel_timers_of(frame, "task_timeout")
        self._cancel_timers_of(frame, "heartbeat")
        task_state = self.state_of(frame)
        assert isinstance(task_state, TaskState)
        outcome = task.on_timeout(self, frame, task_state, error)
        self.advance(frame, outcome)

    # -- endings ---------------------------------------------------------------------
    def frame_succeeded(self, frame: Frame, output: JSON) -> None:
        frame.phase = "done"
        frame.output = output
        if frame.parent is None:
            self.end_execution(
                "SUCCEEDED", "ExecutionSucceeded", payload_details("output", output), output
            )
        else:
            fanout.child_succeeded(self, frame)

    def frame_failed(self, frame: Frame, failure: Failure) -> None:
        frame.phase = "failed"
        if frame.parent is None:
            self.state.error, self.state.cause = failure.error, failure.cause
            details = error_details(failure.error, failure.cause)
            self.end_execution("FAILED", "ExecutionFailed", details)
        else:
            fanout.child_failed(self, frame, failure)

    def abort_frame(self, frame: Frame) -> None:
        """Cancel a frame and everything under it (its tasks and timers)."""
        frame.phase = "aborted"
        if frame.task_id is not None:
            self.state.tasks.pop(frame.task_id, None)
            self.step.commands.append(CancelTask(frame.task_id))
            frame.task_id = None
        self._cancel_timers_of(frame)
        if frame.fanout is not None:
            for child_id in list(frame.fanout.children.values()):
                child = self.state.frames.get(child_id)
                if child is not None:
                    self.abort_frame(child)
            frame.fanout.children.clear()
        self.state.frames.pop(frame.id, None)

    def end_execution(
        self, status: str, event_type: str, details: dict[str, JSON], output: JSON = None
    ) -> None:
        st = self.state
        root = next((f for f in st.frames.values() if f.parent is None), None)
        for task_id in list(st.tasks):
            self.step.commands.append(CancelTask(task_id))
        for timer_id in list(st.timers):
            self.step.commands.append(CancelTimer(timer_id))
        st.tasks.clear()
        st.timers.clear()
        st.status = status  # type: ignore[assignment]
        st.output = output
        if status == "TIMED_OUT":
            st.error, st.cause = None, None
        elif status == "ABORTED":
            st.error, st.cause = details.get("error"), details.get("cause")
        # AWS writes the details object even when empty (a Fail state without Error/Cause).
        previous = None if root is not None else st.last_event_id
        self.history.emit(root, event_type, details, previous=previous)
        if status == "SUCCEEDED":
            st.frames.clear()  # the others keep their frames: a redrive starts from them

    def redrive(self) -> bool:
        """RedriveExecution: run the root's unsuccessful state again, reusing the Map
        iterations and Parallel branches that had succeeded (docs: "Redriving executions")."""
        st = self.state
        root = next((f for f in st.frames.values() if f.parent is None), None)
        if st.status not in _REDRIVABLE or root is None:
            return False
        successes = root.fanout_successes
        if root.fanout is not None:  # stopped or timed out while its children ran
            successes = {slot: root.fanout.results[slot] for slot in root.fanout.done}
        st.frames = {root.id: root}
        root.fanout, root.task_id, root.timer_id = None, None, None
        root.redrive, root.fanout_successes = successes, None
        st.status, st.output, st.error, st.cause = "RUNNING", None, None, None
        st.info.redrive_count += 1
        self.history.emit(root, "ExecutionRedriven", {"redriveCount": st.info.redrive_count})
        if self.interpreter.machine.timeout_seconds is not None:
            self._timer_at(None, self.now + self.interpreter.machine.timeout_seconds, "execution")
        self.advance(root, self.enter(root))
        return True


_REDRIVABLE = frozenset({"FAILED", "ABORTED", "TIMED_OUT"})
_NOT_TRUNCATED = {"truncated": False}
_STATE_CLASSES = (PassState, TaskState, ChoiceState, WaitState, SucceedState, FailState)
_ENTERED = {
    cls: cls.__name__.removesuffix("State") + "StateEntered"
    for cls in (*_STATE_CLASSES, ParallelState, MapState)
}
_FAILED = {ParallelState: "ParallelStateFailed", MapState: "MapStateFailed"}
_EXITED = {
    cls: cls.__name__.removesuffix("State") + "StateExited"
    for cls in (*_STATE_CLASSES, ParallelState, MapState)
}
