"""Execution histories in AWS's exact shape: event types, ids, ``previousEventId`` and details.

Every expected list below was recorded on AWS Step Functions and kept in LocalStack's parity
snapshots (repository localstack/localstack, folder ``tests/aws/services/stepfunctions/v2/``);
each test names its snapshot file and test id. The machines are those tests' definitions. They
run through the reducer with hand-fed task results and timers, so nothing depends on real time.
Field names are the API reference's (``HistoryEvent`` and the ``*EventDetails`` shapes:
https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ferry.asl.load import load_definition
from ferry.engine.execution import (
    CancelTask,
    CancelTimer,
    ExecutionInfo,
    RunTask,
    StartTimer,
    Step,
)
from ferry.engine.interpreter import Interpreter
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskSuccess
from ferry.jsontypes import JSON
from ferry.runner.clock import VirtualClock
from ferry.runner.local import run

Event = dict[str, JSON]
Answer = Callable[[RunTask], TaskOutcome | None]  # None: the task never answers

LAMBDA = "arn:aws:lambda:us-east-1:111111111111:function:raise_exception"
INVOKE = "arn:aws:states:::lambda:invoke"
ROLE = "arn:aws:iam::111111111111:role/snf_role_arn"
T0 = 1_700_000_000.0
NOT_TRUNCATED = {"truncated": False}
# The cause text of the recordings' failing function (Lambda's JSON error object as text).
LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "Some exception was raised.",
        "errorType": "Exception",
        "requestId": "request-1",
        "stackTrace": ["  File handler.py, line 2, in handler"],
    }
)


# -- driving the reducer ------------------------------------------------------------------
def _history(definition: JSON, data: JSON, answer: Answer | None = None) -> list[Event]:
    """Run ``definition`` on ``data``; tasks are answered by ``answer``, in the order started."""
    interp = Interpreter(load_definition(definition))
    info = ExecutionInfo(
        arn="arn:aws:states:us-east-1:111111111111:execution:machine:run-1",
        name="run-1",
        state_machine_arn="arn:aws:states:us-east-1:111111111111:stateMachine:machine",
        state_machine_name="machine",
        role_arn=ROLE,
        start_time=T0,
        input=data,
    )
    state, step = interp.start(info, T0)
    events, tasks, timers = list(step.events), list[RunTask](), dict[int, float]()
    now = T0
    while state.status == "RUNNING":
        _collect(step, tasks, timers)
        ready = [(t, a) for t in tasks if answer and (a := answer(t)) is not None]
        if ready:
            run_task, outcome = ready[0]
            tasks.remove(run_task)
            step = interp.task_completed(state, run_task.task_id, outcome, now)
        else:
            timer_id = min(timers, key=lambda t: timers[t])
            now = max(now, timers.pop(timer_id))
            step = interp.timer_fired(state, timer_id, now)
        events += step.events
    return events


def _collect(step: Step, tasks: list[RunTask], timers: dict[int, float]) -> None:
    for command in step.commands:
        if isinstance(command, RunTask):
            tasks.append(command)
        elif isinstance(command, StartTimer):
            timers[command.timer_id] = command.due
        elif isinstance(command, CancelTimer):
            timers.pop(command.timer_id, None)
        elif isinstance(command, CancelTask):
            tasks[:] = [t for t in tasks if t.task_id != command.task_id]


def _fail(run_task: RunTask) -> TaskOutcome:
    return TaskFailure("Exception", LAMBDA_CAUSE)


def _never(run_task: RunTask) -> TaskOutcome | None:
    return None


def _echo(run_task: RunTask) -> TaskOutcome:
    return TaskSuccess(run_task.payload)


def _chain(events: list[Event]) -> list[tuple[str, int, int]]:
    """``(type, id, previousEventId)`` of each event."""
    return [(str(e["type"]), int(str(e["id"])), int(str(e["previousEventId"]))) for e in events]


def _details(event: Event) -> JSON:
    """The event's one ``...EventDetails`` member (``None`` when it has none)."""
    found = [value for key, value in event.items() if key.endswith("EventDetails")]
    assert len(found) <= 1, event
    return found[0] if found else None


def _entered(name: str, data: str) -> JSON:
    return {"name": name, "input": data, "inputDetails": NOT_TRUNCATED}


def _exited(name: str, data: str) -> JSON:
    return {"name": name, "output": data, "outputDetails": NOT_TRUNCATED}


def _started(data: str) -> JSON:
    return {"input": data, "inputDetails": NOT_TRUNCATED, "roleArn": ROLE}


# -- Pass and Fail --------------------------------------------------------------------------
def test_fail_state() -> None:
    # base/test_base.snapshot.json, TestSnfBase::test_state_fail: the first state's
    # previousEventId is 0, not the ExecutionStarted event.
    definition: JSON = {
        "StartAt": "FailState",
        "States": {
            "FailState": {
                "Type": "Fail",
                "Error": "SomeFailure",
                "Cause": "This state machines raises a 'SomeFailure' failure.",
            }
        },
    }
    events = _history(definition, {})
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("FailStateEntered", 2, 0),
        ("ExecutionFailed", 3, 2),
    ]
    assert [_details(e) for e in events] == [
        _started("{}"),
        _entered("FailState", "{}"),
        {"error": "SomeFailure", "cause": "This state machines raises a 'SomeFailure' failure."},
    ]


def test_fail_state_without_error_or_cause_keeps_empty_details() -> None:
    # base/test_base.snapshot.json, TestSnfBase::test_state_fail_empty:
    # "executionFailedEventDetails": {} is written even though it holds nothing.
    events = _history({"StartAt": "FailState", "States": {"FailState": {"Type": "Fail"}}}, {})
    assert events[-1]["type"] == "ExecutionFailed"
    assert events[-1]["executionFailedEventDetails"] == {}


def test_pass_state_with_result() -> None:
    # base/test_base.snapshot.json, TestSnfBase::test_state_pass_result.
    definition: JSON = {
        "StartAt": "State_1",
        "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
    }
    events = _history(definition, {})
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("ExecutionSucceeded", 4, 3),
    ]
    output = '{"Arg1":"argument1"}'
    assert [_details(e) for e in events[1:]] == [
        _entered("State_1", "{}"),
        _exited("State_1", output),
        {"output": output, "outputDetails": NOT_TRUNCATED},
    ]


def test_execution_started_details_from_the_local_runner() -> None:
    # base/test_base.snapshot.json: executionStartedEventDetails holds input, inputDetails and
    # roleArn only (no stateMachineAliasArn / stateMachineVersionArn for a plain start).
    result = run(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        {"a": 1},
        clock=VirtualClock(),
    )
    started = _details(result.history[0])
    assert isinstance(started, dict)
    assert set(started) == {"input", "inputDetails", "roleArn"}
    assert (started["input"], started["inputDetails"]) == ('{"a":1}', NOT_TRUNCATED)
    assert _chain(result.history)[1] == ("PassStateEntered", 2, 0)


# -- Task: Lambda function ARN and lambda:invoke ------------------------------------------
def test_lambda_function_failure_caught() -> None:
    # error_handling/test_task_lambda.snapshot.json, TestTaskLambda::test_raise_exception_catch:
    # after a caught failure the Task state still exits, pointing at the failure event.
    definition: JSON = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Catch": [
                    {
                        "ErrorEquals": ["States.TaskFailed"],
                        "Next": "EndWithStateTaskFailedHandler",
                    }
                ],
                "End": True,
            },
            "EndWithStateTaskFailedHandler": {"Type": "Pass", "End": True},
        },
    }
    data = {"FunctionName": "f", "Payload": None}
    events = _history(definition, data, _fail)
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("TaskStateEntered", 2, 0),
        ("LambdaFunctionScheduled", 3, 2),
        ("LambdaFunctionStarted", 4, 3),
        ("LambdaFunctionFailed", 5, 4),
        ("TaskStateExited", 6, 5),
        ("PassStateEntered", 7, 6),
        ("PassStateExited", 8, 7),
        ("ExecutionSucceeded", 9, 8),
    ]
    text = '{"FunctionName":"f","Payload":null}'
    assert _details(events[2]) == {"input": text, "inputDetails": NOT_TRUNCATED, "resource": LAMBDA}
    assert _details(events[3]) is None
    assert _details(events[4]) == {"error": "Exception", "cause": LAMBDA_CAUSE}
    caught = json.dumps({"Error": "Exception", "Cause": LAMBDA_CAUSE}, separators=(",", ":"))
    assert _details(events[5]) == _exited("Start", caught)


def test_lambda_invoke_failure_uncaught() -> None:
    # error_handling/test_task_service_lambda.snapshot.json,
    # TestTaskServiceLambda::test_raise_exception: TaskScheduled carries resourceType, resource,
    # region and the parameters as JSON text, and no timeout when none is set.
    definition: JSON = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
                "End": True,
            }
        },
    }
    events = _history(definition, {"FunctionName": "f", "Payload": None}, _fail)
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("TaskStateEntered", 2, 0),
        ("TaskScheduled", 3, 2),
        ("TaskStarted", 4, 3),
        ("TaskFailed", 5, 4),
        ("ExecutionFailed", 6, 5),
    ]
    names: dict[str, JSON] = {"resourceType": "lambda", "resource": "invoke"}
    assert _details(events[2]) == {
        **names,
        "region": "us-east-1",
        "parameters": '{"FunctionName":"f","Payload":null}',
    }
    assert _details(events[3]) == names
    assert _details(events[4]) == {**names, "error": "Exception", "cause": LAMBDA_CAUSE}
    assert _details(events[5]) == {"error": "Exception", "cause": LAMBDA_CAUSE}


def test_lambda_invoke_success_output() -> None:
    # https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskSucceededEventDetails.html
    # TaskSucceeded names the resource and carries the result as JSON text.
    definition: JSON = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "ResultSelector": {"Payload.$": "$.Payload"},
                "End": True,
            }
        },
    }
    events = _history(definition, {"x": 1}, _echo)
    assert [t for t, _, _ in _chain(events)][3:6] == [
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    assert _details(events[4]) == {
        "resourceType": "lambda",
        "resource": "invoke",
        "output": '{"FunctionName":"f","Payload":{"x":1}}',
        "outputDetails": NOT_TRUNCATED,
    }
    assert _details(events[5]) == _exited("Start", '{"Payload":{"x":1}}')


def test_lambda_function_timeout() -> None:
    # timeouts/test_timeouts.snapshot.json, TestTimeouts::test_fixed_timeout_lambda:
    # timeoutInSeconds on LambdaFunctionScheduled; the timeout event and the execution's failure
    # carry only the error.
    definition: JSON = {
        "StartAt": "Start",
        "States": {"Start": {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "End": True}},
    }
    events = _history(definition, {"Payload": None}, _never)
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("TaskStateEntered", 2, 0),
        ("LambdaFunctionScheduled", 3, 2),
        ("LambdaFunctionStarted", 4, 3),
        ("LambdaFunctionTimedOut", 5, 4),
        ("ExecutionFailed", 6, 5),
    ]
    assert _details(events[2]) == {
        "input": '{"Payload":null}',
        "inputDetails": NOT_TRUNCATED,
        "resource": LAMBDA,
        "timeoutInSeconds": 5,
    }
    assert _details(events[4]) == {"error": "States.Timeout"}
    assert _details(events[5]) == {"error": "States.Timeout"}


def test_lambda_invoke_timeout() -> None:
    # timeouts/test_timeouts.snapshot.json, TestTimeouts::test_fixed_timeout_service_lambda.
    definition: JSON = {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": INVOKE,
                "TimeoutSeconds": 5,
                "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
                "End": True,
            }
        },
    }
    events = _history(definition, {"FunctionName": "f", "Payload": None}, _never)
    assert [t for t, _, _ in _chain(events)] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskTimedOut",
        "ExecutionFailed",
    ]
    scheduled = _details(events[2])
    assert isinstance(scheduled, dict)
    assert scheduled["timeoutInSeconds"] == 5
    assert "heartbeatInSeconds" not in scheduled
    assert _details(events[4]) == {
        "error": "States.Timeout",
        "resourceType": "lambda",
        "resource": "invoke",
    }


# -- Map --------------------------------------------------------------------------------------
def _map_machine(processor: JSON, **fields: JSON) -> JSON:
    """scenarios/test_base_scenarios.py's Map machines: StartState puts ``Result`` at $.arr."""
    items = fields.pop("Result")
    return {
        "StartAt": "StartState",
        "States": {
            "StartState": {
                "Type": "Pass",
                "Result": items,
                "ResultPath": "$.arr",
                "Next": "MapState",
            },
            "MapState": {
                "Type": "Map",
                "InputPath": "$.arr",
                "ItemProcessor": processor,
                "MaxConcurrency": 1,
                "ResultPath": None,
                "Next": "Final",
                **fields,
            },
            "Final": {"Type": "Pass", "End": True},
        },
    }


_HANDLE_ITEM: JSON = {
    "StartAt": "HandleItem",
    "States": {"HandleItem": {"Type": "Pass", "End": True}},
}
_FAIL_ITEM: JSON = {
    "StartAt": "HandleItemFail",
    "States": {
        "HandleItemFail": {
            "Type": "Fail",
            "Error": "HandleItemFailError",
            "Cause": "HandleItemFailCause",
        }
    },
}


def test_map_runs_items_one_after_another() -> None:
    # scenarios/test_base_scenarios.snapshot.json, TestBaseScenarios::test_map_state (8 items,
    # MaxConcurrency 1). Each MapIterationStarted after the first points at the previous item's
    # last *state* event; MapStateSucceeded and MapStateExited both point at the last
    # MapIterationSucceeded.
    items: list[JSON] = [1, "Hello", {}, None, 3.3, 3, 4, 5]
    events = _history(_map_machine(_HANDLE_ITEM, Result=items), {})
    head = [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("MapStateEntered", 4, 3),
        ("MapStateStarted", 5, 4),
    ]
    iterations = []
    for index in range(8):
        first = 6 + 4 * index
        iterations += [
            ("MapIterationStarted", first, 5 if index == 0 else first - 2),
            ("PassStateEntered", first + 1, first),
            ("PassStateExited", first + 2, first + 1),
            ("MapIterationSucceeded", first + 3, first + 2),
        ]
    tail = [
        ("MapStateSucceeded", 38, 37),
        ("MapStateExited", 39, 37),
        ("PassStateEntered", 40, 39),
        ("PassStateExited", 41, 40),
        ("ExecutionSucceeded", 42, 41),
    ]
    assert _chain(events) == head + iterations + tail
    assert _details(events[4]) == {"length": 8}
    assert _details(events[5]) == {"name": "MapState", "index": 0}
    assert _details(events[6]) == _entered("HandleItem", "1")
    assert _details(events[8]) == {"name": "MapState", "index": 0}
    assert _details(events[9]) == {"name": "MapState", "index": 1}
    assert _details(events[37]) is None  # MapStateSucceeded has no details


def test_map_failure_caught() -> None:
    # scenarios/test_base_scenarios.snapshot.json, TestBaseScenarios::test_map_state_catch:
    # MapIterationFailed and MapStateFailed both point at the item's last event; the caught
    # Map state exits after MapStateFailed.
    definition = _map_machine(
        _FAIL_ITEM,
        Result=[1],
        Catch=[{"ErrorEquals": ["HandleItemFailError"], "Next": "FinalCaught"}],
    )
    assert isinstance(definition, dict)
    definition["States"]["FinalCaught"] = {"Type": "Pass", "End": True}
    events = _history(definition, {})
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("MapStateEntered", 4, 3),
        ("MapStateStarted", 5, 4),
        ("MapIterationStarted", 6, 5),
        ("FailStateEntered", 7, 6),
        ("MapIterationFailed", 8, 7),
        ("MapStateFailed", 9, 7),
        ("MapStateExited", 10, 9),
        ("PassStateEntered", 11, 10),
        ("PassStateExited", 12, 11),
        ("ExecutionSucceeded", 13, 12),
    ]
    caught = '{"Error":"HandleItemFailError","Cause":"HandleItemFailCause"}'
    assert _details(events[9]) == _exited("MapState", caught)
    assert _details(events[11]) == _exited("FinalCaught", caught)


def test_map_retry_writes_no_failure_between_attempts() -> None:
    # scenarios/test_base_scenarios.snapshot.json, TestBaseScenarios::test_map_state_retry:
    # a retried Map state starts again (MapStateStarted, pointing at the failed item's last
    # event) with no MapStateFailed in between; only the last attempt's failure writes one.
    definition = _map_machine(
        _FAIL_ITEM,
        Result=[1],
        Retry=[{"ErrorEquals": ["HandleItemFailError"], "IntervalSeconds": 1, "MaxAttempts": 2}],
    )
    events = _history(definition, {})
    attempts = []
    for first, previous in ((5, 4), (9, 7), (13, 11)):
        attempts += [
            ("MapStateStarted", first, previous),
            ("MapIterationStarted", first + 1, first),
            ("FailStateEntered", first + 2, first + 1),
            ("MapIterationFailed", first + 3, first + 2),
        ]
    assert _chain(events) == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("MapStateEntered", 4, 3),
        *attempts,
        ("MapStateFailed", 17, 15),
        ("ExecutionFailed", 18, 17),
    ]
    assert _details(events[-1]) == {"error": "HandleItemFailError", "cause": "HandleItemFailCause"}


def test_map_failure_among_concurrent_items_aborts_the_others() -> None:
    # timeouts/test_timeouts.snapshot.json, TestTimeouts::test_service_lambda_map_timeout: all
    # MapIterationStarted events come first, each pointing at MapStateStarted; when an item
    # fails, every running item gets TaskStateAborted and MapIterationAborted, and those and
    # MapStateFailed all point at the failed item's last event. (AWS interleaves the items'
    # Task events by timing, so only the structure around them is compared.)
    processor: JSON = {
        "StartAt": "LambdaInvoke",
        "States": {
            "LambdaInvoke": {
                "Type": "Task",
                "Resource": INVOKE,
                "TimeoutSeconds": 5,
                "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
                "End": True,
            }
        },
    }
    definition: JSON = {
        "StartAt": "MapWait",
        "States": {
            "MapWait": {
                "Type": "Map",
                "ItemsPath": "$.Inputs",
                "ItemProcessor": processor,
                "End": True,
            }
        },
    }
    inputs: list[JSON] = [{"FunctionName": "f", "Payload": None}] * 4
    events = _history(definition, {"Inputs": inputs}, _never)
    chain = _chain(events)
    assert chain[:7] == [
        ("ExecutionStarted", 1, 0),
        ("MapStateEntered", 2, 0),
        ("MapStateStarted", 3, 2),
        ("MapIterationStarted", 4, 3),
        ("MapIterationStarted", 5, 3),
        ("MapIterationStarted", 6, 3),
        ("MapIterationStarted", 7, 3),
    ]
    timed_out = next(i for i, e in enumerate(events) if e["type"] == "TaskTimedOut")
    source = chain[timed_out][1]
    aborted = [(t, p) for t, _, p in chain[timed_out + 2 : -2]]
    assert chain[timed_out + 1][::2] == ("MapIterationFailed", source)
    assert aborted == [("TaskStateAborted", source), ("MapIterationAborted", source)] * 3
    assert [_details(e) for e in events if e["type"] == "MapIterationAborted"] == [
        {"name": "MapWait", "index": i} for i in (1, 2, 3)
    ]
    assert chain[-2][::2] == ("MapStateFailed", source)
    assert chain[-1][0] == "ExecutionFailed"
    assert _details(events[-1]) == {"error": "States.Timeout"}


# -- Parallel -------------------------------------------------------------------------------
def test_parallel_end_events_point_at_the_last_branch_event() -> None:
    # scenarios/test_base_scenarios.snapshot.json, TestBaseScenarios::test_parallel_state:
    # ParallelStateExited (id 19) points at the last branch event (17), past
    # ParallelStateSucceeded; each branch's first event points at ParallelStateStarted.
    def branch(*names: str) -> JSON:
        states: dict[str, JSON] = {}
        for name, after in zip(names, [*names[1:], None], strict=True):
            states[name] = {"Type": "Pass", **({"Next": after} if after else {"End": True})}
        return {"StartAt": names[0], "States": states}

    definition: JSON = {
        "StartAt": "LoadInput",
        "States": {
            "LoadInput": {"Type": "Pass", "Result": [1, 2, 3, 4], "Next": "ParallelState"},
            "ParallelState": {
                "Type": "Parallel",
                "Branches": [
                    branch("Branch1"),
                    branch("Branch21", "Branch22"),
                    branch("Branch31", "Branch32", "Branch33"),
                ],
                "End": True,
            },
        },
    }
    events = _history(definition, {})
    chain = _chain(events)
    assert chain[:5] == [
        ("ExecutionStarted", 1, 0),
        ("PassStateEntered", 2, 0),
        ("PassStateExited", 3, 2),
        ("ParallelStateEntered", 4, 3),
        ("ParallelStateStarted", 5, 4),
    ]
    firsts = [c for c, e in zip(chain, events, strict=True) if _is_first_of_branch(e)]
    assert [p for _, _, p in firsts] == [5, 5, 5]
    branch_events = sorted(t for t, _, _ in chain[5:17])
    assert branch_events == ["PassStateEntered"] * 6 + ["PassStateExited"] * 6
    assert chain[17:] == [
        ("ParallelStateSucceeded", 18, 17),
        ("ParallelStateExited", 19, 17),
        ("ExecutionSucceeded", 20, 19),
    ]
    output = "[[1,2,3,4],[1,2,3,4],[1,2,3,4]]"
    assert _details(events[18]) == _exited("ParallelState", output)


def _is_first_of_branch(event: Event) -> bool:
    details = _details(event)
    return (
        event["type"] == "PassStateEntered"
        and isinstance(details, dict)
        and details["name"] in ("Branch1", "Branch21", "Branch31")
    )


def test_parallel_failure_writes_parallel_state_failed_pointing_at_the_branch() -> None:
    # Same rule as the Map's (scenarios/test_base_scenarios.snapshot.json, test_map_state_catch):
    # the state's failure event points at the failing child's last event.
    definition: JSON = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
                "End": True,
            }
        },
    }
    assert _chain(_history(definition, {})) == [
        ("ExecutionStarted", 1, 0),
        ("ParallelStateEntered", 2, 0),
        ("ParallelStateStarted", 3, 2),
        ("FailStateEntered", 4, 3),
        ("ParallelStateFailed", 5, 4),
        ("ExecutionFailed", 6, 5),
    ]
