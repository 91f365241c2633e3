"""JSONata states driven through the reducer: what their expressions send to the runner.

Golden cases check outputs; these check the commands in between — the task payload built from
Arguments, the timeouts and timer due times from ``{% %}`` fields, each Map iteration's input from
ItemSelector. Rules from "Transforming data with JSONata in Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html), the Task, Wait and
Map state pages (state-task.html, state-wait.html, state-map.html) and "Passing data between
states with variables" (workflow-variables.html).
"""

from __future__ import annotations

from datetime import UTC, datetime

from engine.reducer_kit import T0, machine, of, only, start, status, task, types
from ferry.engine.execution import RunTask, StartTimer
from ferry.integrations.base import TaskFailure, TaskSuccess

JSONATA = "JSONata"


def test_arguments_and_timeouts_reach_the_task_command() -> None:
    interp = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"limit": 30}, "Next": "Call"},
            "Call": task(
                Arguments={"id": "{% $states.input.id %}", "static": "Hello", "n": "{% 1 + 2 %}"},
                TimeoutSeconds="{% $limit %}",
                HeartbeatSeconds="{% $limit / 3 %}",
            ),
        },
        QueryLanguage=JSONATA,
    )
    _, step = start(interp, {"id": "o-1"})
    run = only(step.commands, RunTask)
    assert run.payload == {"id": "o-1", "static": "Hello", "n": 3}
    assert run.timeout_seconds == 30
    assert run.heartbeat_seconds == 10


def test_without_arguments_the_task_gets_the_state_input() -> None:
    _, step = start(machine({"Call": task()}, QueryLanguage=JSONATA), {"keep": [1]})
    assert only(step.commands, RunTask).payload == {"keep": [1]}


def test_a_failing_arguments_expression_runs_no_task() -> None:
    interp = machine(
        {"Call": task(Arguments={"who": "{% $states.input.who %}"})}, QueryLanguage=JSONATA
    )
    state, step = start(interp, {})
    assert of(step.commands, RunTask) == []
    assert types(step) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    assert state.error == "States.QueryEvaluationError"
    assert state.cause == (
        "An error occurred while executing the state 'Call' (entered at the event id #2). "
        "The JSONata expression '$states.input.who' specified for the field 'Arguments/who' "
        "returned nothing (undefined)."
    )


def test_wait_seconds_expression_sets_the_timer() -> None:
    interp = machine(
        {"W": {"Type": "Wait", "Seconds": "{% $states.input.delay * 60 %}", "End": True}},
        QueryLanguage=JSONATA,
    )
    state, step = start(interp, {"delay": 2})
    timer = only(step.commands, StartTimer)
    assert timer.due == T0 + 120
    interp.timer_fired(state, timer.timer_id, timer.due)
    assert status(state) == "SUCCEEDED"
    assert state.output == {"delay": 2}


def test_wait_timestamp_expression_sets_the_timer() -> None:
    interp = machine(
        {"W": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "End": True}},
        QueryLanguage=JSONATA,
    )
    _, step = start(interp, {"at": "2030-01-01T00:00:00Z"})
    due = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert only(step.commands, StartTimer).due == due


def test_item_selector_reads_variables_input_and_item_context() -> None:
    interp = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"rate": 3}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "ItemSelector": {
                    "index": "{% $states.context.Map.Item.Index %}",
                    "value": "{% $states.context.Map.Item.Value %}",
                    "owner": "{% $states.input.owner %}",
                    "cost": "{% $states.context.Map.Item.Value.qty * $rate %}",
                },
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task()}},
                "End": True,
            },
        },
        QueryLanguage=JSONATA,
    )
    _, step = start(interp, {"owner": "ops", "items": [{"qty": 1}, {"qty": 5}]})
    payloads = [run.payload for run in of(step.commands, RunTask)]
    assert payloads == [
        {"index": 0, "value": {"qty": 1}, "owner": "ops", "cost": 3},
        {"index": 1, "value": {"qty": 5}, "owner": "ops", "cost": 15},
    ]


def test_max_concurrency_expression_limits_tasks_in_flight() -> None:
    interp = machine(
        {
            "Set": {"Type": "Pass", "Assign": {"limit": 2}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "MaxConcurrency": "{% $limit %}",
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": task()}},
                "End": True,
            },
        },
        QueryLanguage=JSONATA,
    )
    state, step = start(interp, [1, 2, 3, 4])
    first = of(step.commands, RunTask)
    assert [run.payload for run in first] == [1, 2]
    step = interp.task_completed(state, first[0].task_id, TaskSuccess("a"), T0 + 1)
    assert [run.payload for run in of(step.commands, RunTask)] == [3]


def test_output_reads_the_result_of_the_attempt_that_succeeded() -> None:
    interp = machine(
        {
            "Call": task(
                Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}],
                Output={"result": "{% $states.result %}", "input": "{% $states.input %}"},
            )
        },
        QueryLanguage=JSONATA,
    )
    state, step = start(interp, {"n": 1})
    step = interp.task_completed(
        state, only(step.commands, RunTask).task_id, TaskFailure("Boom", "x"), T0 + 1
    )
    timer = only(step.commands, StartTimer)
    step = interp.timer_fired(state, timer.timer_id, timer.due)
    interp.task_completed(state, only(step.commands, RunTask).task_id, TaskSuccess(2), timer.due)
    assert status(state) == "SUCCEEDED"
    assert state.output == {"result": 2, "input": {"n": 1}}


def test_catch_output_reads_error_output_after_retries_run_out() -> None:
    interp = machine(
        {
            "Call": task(
                Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                Catch=[
                    {
                        "ErrorEquals": ["Boom"],
                        "Output": {
                            "error": "{% $states.errorOutput %}",
                            "n": "{% $states.input.n %}",
                        },
                        "Next": "Done",
                    }
                ],
            ),
            "Done": {"Type": "Succeed"},
        },
        QueryLanguage=JSONATA,
    )
    state, step = start(interp, {"n": 1})
    step = interp.task_completed(
        state, only(step.commands, RunTask).task_id, TaskFailure("Boom", "first"), T0 + 1
    )
    timer = only(step.commands, StartTimer)
    step = interp.timer_fired(state, timer.timer_id, timer.due)
    interp.task_completed(
        state, only(step.commands, RunTask).task_id, TaskFailure("Boom", "second"), timer.due
    )
    assert status(state) == "SUCCEEDED"
    assert state.output == {"error": {"Error": "Boom", "Cause": "second"}, "n": 1}
