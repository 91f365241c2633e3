"""The interpreter driven directly: events in, history events and commands out.

No runner, no threads, no clock: every call gets a hand-made time, so each timer's due time is
an exact number. Retry and Catch semantics follow "Handling errors in Step Functions workflows"
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
"""

from __future__ import annotations

import json

from engine.reducer_kit import (
    ARN,
    LAMBDA,
    T0,
    details,
    empty,
    machine,
    of,
    only,
    start,
    status,
    task,
    types,
)
from ferry.engine.execution import (
    CancelTask,
    CancelTimer,
    ExecutionState,
    RunTask,
    StartTimer,
    Step,
)
from ferry.engine.interpreter import Interpreter
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.jsontypes import JSON


# -- a Task, start to end ------------------------------------------------------------------
def test_start_schedules_the_task_and_emits_its_events() -> None:
    state, step = start(machine({"Work": task()}), {"order": 7})
    assert types(step) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
    ]
    run = only(step.commands, RunTask)
    assert step.commands == [run]
    assert run.resource == LAMBDA
    assert run.payload == {"order": 7}
    assert "/Work/" in run.idempotency_key
    assert run.idempotency_key.startswith(ARN)
    assert state.status == "RUNNING"
    assert details(step, "LambdaFunctionScheduled")["resource"] == LAMBDA


def test_task_success_ends_the_execution() -> None:
    interp = machine({"Work": task(ResultPath="$.result")})
    state, step = start(interp, {"order": 7})
    run = only(step.commands, RunTask)
    done = interp.task_completed(state, run.task_id, TaskSuccess({"ok": True}), T0 + 1)
    assert types(done) == ["LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert done.commands == []
    assert state.status == "SUCCEEDED"
    assert state.output == {"order": 7, "result": {"ok": True}}
    assert json.loads(str(details(done, "ExecutionSucceeded")["output"])) == state.output


def test_unknown_task_id_is_ignored() -> None:
    interp = machine({"Work": task()})
    state, step = start(interp)
    run = only(step.commands, RunTask)
    stale = interp.task_completed(state, run.task_id + 100, TaskSuccess(1), T0 + 1)
    assert empty(stale)
    assert status(state) == "RUNNING"
    # The real task still completes afterwards.
    interp.task_completed(state, run.task_id, TaskSuccess(1), T0 + 2)
    assert status(state) == "SUCCEEDED"


def test_result_after_the_execution_ended_is_ignored() -> None:
    interp = machine({"Work": task()})
    state, step = start(interp)
    run = only(step.commands, RunTask)
    interp.stop(state, None, None, T0 + 1)
    late = interp.task_completed(state, run.task_id, TaskSuccess(1), T0 + 2)
    assert empty(late)
    assert state.status == "ABORTED"


def test_a_task_result_is_taken_only_once() -> None:
    interp = machine({"Work": task(Next="Again"), "Again": task()})
    state, step = start(interp)
    run = only(step.commands, RunTask)
    moved_on = interp.task_completed(state, run.task_id, TaskSuccess(1), T0 + 1)
    assert only(moved_on.commands, RunTask).task_id != run.task_id
    duplicate = interp.task_completed(state, run.task_id, TaskSuccess(2), T0 + 2)
    assert empty(duplicate)


# -- Wait ----------------------------------------------------------------------------------
def test_wait_seconds_starts_a_timer_and_goes_on_when_it_fires() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
    interp = machine({"Nap": {"Type": "Wait", "Seconds": 10, "End": True}})
    state, step = start(interp)
    assert types(step) == ["ExecutionStarted", "WaitStateEntered"]
    timer = only(step.commands, StartTimer)
    assert timer.due == T0 + 10
    assert interp.timer_fired(state, timer.timer_id + 100, T0 + 10).events == []
    assert status(state) == "RUNNING"
    fired = interp.timer_fired(state, timer.timer_id, T0 + 10)
    assert types(fired) == ["WaitStateExited", "ExecutionSucceeded"]
    assert status(state) == "SUCCEEDED"
    assert state.output == {"n": 1}


# -- Retry ---------------------------------------------------------------------------------
def _retrying(**retrier: JSON) -> Interpreter:
    rule: dict[str, JSON] = {"ErrorEquals": ["Boom"], **retrier}
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    return machine(
        {"Work": task(Retry=[rule], Catch=catch), "Caught": {"Type": "Pass", "End": True}}
    )


def _fail_current(interp: Interpreter, state: ExecutionState, step: Step, now: float) -> Step:
    run = only(step.commands, RunTask)
    return interp.task_completed(state, run.task_id, TaskFailure("Boom", "bad"), now)


def test_retry_waits_interval_then_interval_times_backoff() -> None:
    interp = _retrying(IntervalSeconds=3, BackoffRate=2.5, MaxAttempts=3)
    state, step = start(interp)
    failed = _fail_current(interp, state, step, 200.0)
    assert types(failed) == ["LambdaFunctionFailed"]
    assert only(failed.commands, StartTimer).due == 203.0
    again = interp.timer_fired(state, only(failed.commands, StartTimer).timer_id, 203.0)
    assert types(again) == ["LambdaFunctionScheduled", "LambdaFunctionStarted"]
    failed = _fail_current(interp, state, again, 300.0)
    assert only(failed.commands, StartTimer).due == 300.0 + 3 * 2.5


def test_max_delay_seconds_caps_the_backoff() -> None:
    interp = _retrying(IntervalSeconds=4, BackoffRate=10, MaxAttempts=5, MaxDelaySeconds=7)
    state, step = start(interp)
    dues = []
    for now in (200.0, 300.0, 400.0):
        failed = _fail_current(interp, state, step, now)
        timer = only(failed.commands, StartTimer)
        dues.append(timer.due - now)
        step = interp.timer_fired(state, timer.timer_id, timer.due)
    assert dues == [4.0, 7.0, 7.0]


def test_max_attempts_zero_never_retries() -> None:
    interp = _retrying(MaxAttempts=0)
    state, step = start(interp)
    failed = _fail_current(interp, state, step, 200.0)
    assert of(failed.commands, StartTimer) == []
    assert types(failed)[-1] == "ExecutionSucceeded"  # straight to the catcher
    # A Catch's ResultPath defaults to "$": the error output replaces the input.
    assert state.output == {"Error": "Boom", "Cause": "bad"}


def test_after_the_last_attempt_the_catcher_takes_over() -> None:
    interp = _retrying(IntervalSeconds=1, MaxAttempts=2)
    state, step = start(interp)
    for now in (200.0, 300.0):
        failed = _fail_current(interp, state, step, now)
        step = interp.timer_fired(state, only(failed.commands, StartTimer).timer_id, now + 9)
    last = _fail_current(interp, state, step, 400.0)
    assert of(last.commands, StartTimer) == []
    assert types(last) == [
        "LambdaFunctionFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert state.output == {"Error": "Boom", "Cause": "bad"}


def test_after_the_last_attempt_without_catch_the_execution_fails() -> None:
    interp = machine({"Work": task(Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 1}])})
    state, step = start(interp)
    failed = _fail_current(interp, state, step, 200.0)
    step = interp.timer_fired(state, only(failed.commands, StartTimer).timer_id, 201.0)
    last = _fail_current(interp, state, step, 300.0)
    assert types(last) == ["LambdaFunctionFailed", "ExecutionFailed"]
    assert (state.status, state.error, state.cause) == ("FAILED", "Boom", "bad")
    assert details(last, "ExecutionFailed") == {"error": "Boom", "cause": "bad"}


def test_retry_count_in_the_context_increments_per_attempt() -> None:
    interp = _retrying(IntervalSeconds=1, MaxAttempts=3)
    state, step = start(interp)
    seen = [only(step.commands, RunTask)]
    for now in (200.0, 300.0):
        failed = _fail_current(interp, state, step, now)
        step = interp.timer_fired(state, only(failed.commands, StartTimer).timer_id, now + 5)
        seen.append(only(step.commands, RunTask))
    counts = []
    for run in seen:
        assert isinstance(run.context, dict)
        assert isinstance(run.context["State"], dict)
        counts.append(run.context["State"]["RetryCount"])
    assert counts == [0, 1, 2]
    assert len({run.idempotency_key for run in seen}) == 3  # each attempt has its own key


# -- timeouts ------------------------------------------------------------------------------
def test_task_timeout_fires_states_timeout_and_cancels_the_task() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (TimeoutSeconds)
    interp = machine({"Work": task(TimeoutSeconds=30)})
    state, step = start(interp)
    run = only(step.commands, RunTask)
    timer = only(step.commands, StartTimer)
    assert timer.due == T0 + 30
    fired = interp.timer_fired(state, timer.timer_id, T0 + 30)
    assert types(fired) == ["LambdaFunctionTimedOut", "ExecutionFailed"]
    assert details(fired, "LambdaFunctionTimedOut")["error"] == "States.Timeout"
    assert CancelTask(run.task_id) in fired.commands
    assert (state.status, state.error) == ("FAILED", "States.Timeout")
    late = interp.task_completed(state, run.task_id, TaskSuccess(1), T0 + 31)
    assert late.events == []


def test_task_timeout_is_caught_as_states_timeout() -> None:
    catch = [{"ErrorEquals": ["States.Timeout"], "Next": "Late", "ResultPath": "$.why"}]
    interp = machine(
        {"Work": task(TimeoutSeconds=5, Catch=catch), "Late": {"Type": "Pass", "End": True}}
    )
    state, step = start(interp)
    interp.timer_fired(state, only(step.commands, StartTimer).timer_id, T0 + 5)
    assert state.status == "SUCCEEDED"
    assert state.output == {"n": 1, "why": {"Error": "States.Timeout", "Cause": None}}


def test_a_result_before_the_timeout_cancels_the_timer() -> None:
    interp = machine({"Work": task(TimeoutSeconds=30)})
    state, step = start(interp)
    run, timer = only(step.commands, RunTask), only(step.commands, StartTimer)
    done = interp.task_completed(state, run.task_id, TaskSuccess(1), T0 + 1)
    assert CancelTimer(timer.timer_id) in done.commands
    assert interp.timer_fired(state, timer.timer_id, T0 + 30).events == []


def test_execution_timeout_times_out_and_cancels_running_tasks() -> None:
    interp = machine({"Work": task()}, TimeoutSeconds=60)
    state, step = start(interp)
    run, timer = only(step.commands, RunTask), only(step.commands, StartTimer)
    assert timer.due == T0 + 60
    fired = interp.timer_fired(state, timer.timer_id, T0 + 60)
    assert types(fired) == ["ExecutionTimedOut"]
    assert fired.commands == [CancelTask(run.task_id)]
    assert state.status == "TIMED_OUT"


# -- stop ----------------------------------------------------------------------------------
def test_stop_aborts_and_cancels_everything_outstanding() -> None:
    branches = [
        {"StartAt": "W", "States": {"W": task(TimeoutSeconds=50)}},
        {"StartAt": "N", "States": {"N": {"Type": "Wait", "Seconds": 99, "End": True}}},
    ]
    interp = machine({"Both": {"Type": "Parallel", "Branches": branches, "End": True}})
    state, step = start(interp)
    run = only(step.commands, RunTask)
    timers = {t.timer_id for t in of(step.commands, StartTimer)}
    assert len(timers) == 2  # the task's timeout and the Wait
    stopped = interp.stop(state, "Operator", "stopped by hand", T0 + 3)
    assert types(stopped) == ["ExecutionAborted"]
    assert details(stopped, "ExecutionAborted") == {
        "error": "Operator",
        "cause": "stopped by hand",
    }
    assert of(stopped.commands, CancelTask) == [CancelTask(run.task_id)]
    assert {c.timer_id for c in of(stopped.commands, CancelTimer)} == timers
    assert state.status == "ABORTED"


def test_stop_without_error_records_none_and_a_second_stop_does_nothing() -> None:
    interp = machine({"Work": task()})
    state, _ = start(interp)
    stopped = interp.stop(state, None, None, T0 + 1)
    assert stopped.events[0]["type"] == "ExecutionAborted"
    aborted_details = stopped.events[0].get("executionAbortedEventDetails") or {}
    assert isinstance(aborted_details, dict)
    assert "error" not in aborted_details
    assert "cause" not in aborted_details
    again = interp.stop(state, None, None, T0 + 2)
    assert empty(again)


# -- fan-out -------------------------------------------------------------------------------
def _map(limit: int) -> Interpreter:
    processor: dict[str, JSON] = {"StartAt": "Item", "States": {"Item": task()}}
    return machine(
        {"Each": {"Type": "Map", "MaxConcurrency": limit, "ItemProcessor": processor, "End": True}}
    )


def test_map_max_concurrency_limits_the_tasks_in_flight() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (MaxConcurrency)
    interp = _map(2)
    state, step = start(interp, [10, 11, 12, 13, 14])
    in_flight = of(step.commands, RunTask)
    assert [run.payload for run in in_flight] == [10, 11]
    launched = [10, 11]
    while in_flight:
        run = in_flight.pop(0)
        step = interp.task_completed(state, run.task_id, TaskSuccess(run.payload), T0 + 1)
        new = of(step.commands, RunTask)
        assert len(new) <= 1  # one finished, so at most one more may start
        in_flight += new
        launched += [int(str(r.payload)) for r in new]
        assert len(in_flight) <= 2
    assert launched == [10, 11, 12, 13, 14]
    assert state.output == [10, 11, 12, 13, 14]


def test_a_failed_branch_cancels_the_other_branches_task() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html: if any branch
    # fails, the entire Parallel state fails.
    branches: list[JSON] = [
        {"StartAt": "A", "States": {"A": task()}},
        {"StartAt": "B", "States": {"B": task()}},
    ]
    interp = machine({"Both": {"Type": "Parallel", "Branches": branches, "End": True}})
    state, step = start(interp)
    run_a, run_b = of(step.commands, RunTask)
    failed = interp.task_completed(state, run_a.task_id, TaskFailure("Boom", "a"), T0 + 1)
    assert CancelTask(run_b.task_id) in failed.commands
    assert types(failed) == ["LambdaFunctionFailed", "ParallelStateFailed", "ExecutionFailed"]
    assert (state.status, state.error, state.cause) == ("FAILED", "Boom", "a")
    assert empty(interp.task_completed(state, run_b.task_id, TaskSuccess(1), T0 + 2))


def test_a_failed_iteration_aborts_the_others() -> None:
    interp = _map(0)
    state, step = start(interp, [1, 2, 3])
    runs = of(step.commands, RunTask)
    assert len(runs) == 3  # MaxConcurrency 0: no limit
    failed = interp.task_completed(state, runs[1].task_id, TaskFailure("Boom", "b"), T0 + 1)
    assert {c.task_id for c in of(failed.commands, CancelTask)} == {
        runs[0].task_id,
        runs[2].task_id,
    }
    aborted = [e for e in failed.events if e["type"] == "MapIterationAborted"]
    assert [e["mapIterationAbortedEventDetails"] for e in aborted] == [
        {"name": "Each", "index": 0},
        {"name": "Each", "index": 2},
    ]
    assert types(failed)[-2:] == ["MapStateFailed", "ExecutionFailed"]
    assert state.error == "Boom"
