"""Execution actions through boto3: start, describe, list, stop, redrive, history, sync.

Expected texts are AWS's as recorded by LocalStack's parity tests against real AWS
(test_sfn_api.snapshot.json); rules are the API reference's
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
"""

from __future__ import annotations

import json

from .conftest import PASS_MACHINE, Api, error_code, error_of

WAIT_MACHINE = {
    "StartAt": "Park",
    "States": {"Park": {"Type": "Wait", "Seconds": 3600, "End": True}},
}
FAIL_MACHINE = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Custom", "Cause": "it broke"}},
}


def test_start_then_describe_a_succeeded_execution(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Hello")
    started = api.sfn.start_execution(stateMachineArn=arn, name="run-1", input='{"a": 1}')
    expected_arn = "arn:aws:states:us-east-1:123456789012:execution:Hello:run-1"
    assert started["executionArn"] == expected_arn
    described = api.wait_closed(expected_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "hi"}
    assert json.loads(described["input"]) == {"a": 1}
    assert described["inputDetails"] == {"included": True}
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert described["stopDate"] >= described["startDate"]
    machine = api.sfn.describe_state_machine_for_execution(executionArn=expected_arn)
    assert machine["stateMachineArn"] == arn
    assert json.loads(machine["definition"]) == PASS_MACHINE


def test_start_errors(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Checked")
    code, message = error_of(lambda: api.sfn.start_execution(stateMachineArn=arn, input="not json"))
    assert code == "InvalidExecutionInput"
    assert message == (
        "Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting "
        "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')'"
    )
    code, message = error_of(lambda: api.sfn.start_execution(stateMachineArn=arn, input="{'a': 1}"))
    assert message == (
        "Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): "
        "was expecting double-quote to start field name'"
    )
    big = json.dumps({"x": "y" * 300_000})
    code = error_code(lambda: api.sfn.start_execution(stateMachineArn=arn, input=big))
    assert code in ("InvalidExecutionInput", "ValidationException")
    assert (
        error_code(lambda: api.sfn.start_execution(stateMachineArn=arn, name="a b"))
        == "InvalidName"
    )
    missing = arn + "Gone"
    code, message = error_of(lambda: api.sfn.start_execution(stateMachineArn=missing))
    assert (code, message) == (
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{missing}'",
    )
    assert error_code(lambda: api.sfn.start_execution(stateMachineArn="nope")) == "InvalidArn"


def test_same_name_after_close_is_execution_already_exists(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Once")
    started = api.sfn.start_execution(stateMachineArn=arn, name="only")
    api.wait_closed(started["executionArn"])
    code = error_code(lambda: api.sfn.start_execution(stateMachineArn=arn, name="only"))
    assert code == "ExecutionAlreadyExists"


def test_stop_aborts_a_running_execution(api: Api) -> None:
    arn = api.machine(WAIT_MACHINE, name="Parked")
    execution = api.sfn.start_execution(stateMachineArn=arn)["executionArn"]
    stopped = api.sfn.stop_execution(executionArn=execution, error="Halt", cause="by test")
    assert "stopDate" in stopped
    described = api.wait_closed(execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Halt",
        "by test",
    )
    assert described["redriveStatus"] == "REDRIVABLE"
    types = [e["type"] for e in api.sfn.get_execution_history(executionArn=execution)["events"]]
    assert types == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]


def test_list_executions_filters_and_pages(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Many")
    arns = [
        api.sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"] for i in range(3)
    ]
    for execution in arns:
        api.wait_closed(execution)
    page = api.sfn.list_executions(stateMachineArn=arn, maxResults=2)
    rest = api.sfn.list_executions(stateMachineArn=arn, nextToken=page["nextToken"])
    listed = [e["executionArn"] for e in page["executions"] + rest["executions"]]
    assert sorted(listed) == sorted(arns)
    assert api.sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    succeeded = api.sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")
    assert len(succeeded["executions"]) == 3
    redriven = api.sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")
    assert redriven["executions"] == []
    code, message = error_of(
        lambda: api.sfn.list_executions(stateMachineArn=arn, statusFilter="succeeded")
    )
    assert code == "ValidationException"
    assert message == (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    )
    missing = arn + "Gone"
    assert (
        error_code(lambda: api.sfn.list_executions(stateMachineArn=missing))
        == "StateMachineDoesNotExist"
    )


def test_history_reverse_paging_and_data_stripping(api: Api) -> None:
    arn = api.machine(PASS_MACHINE, name="Hist")
    execution = api.sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')["executionArn"]
    api.wait_closed(execution)
    events = api.sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"k": 1}
    reverse = api.sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=3)
    assert [e["id"] for e in reverse["events"]] == [4, 3, 2]
    tail = api.sfn.get_execution_history(
        executionArn=execution, reverseOrder=True, nextToken=reverse["nextToken"]
    )
    assert [e["id"] for e in tail["events"]] == [1]
    bare = api.sfn.get_execution_history(executionArn=execution, includeExecutionData=False)
    started = bare["events"][0]["executionStartedEventDetails"]
    assert "input" not in started
    assert "roleArn" in started
    assert "output" not in bare["events"][3]["executionSucceededEventDetails"]
    gone = execution + "x"
    code, message = error_of(lambda: api.sfn.get_execution_history(executionArn=gone))
    assert (code, message) == ("ExecutionDoesNotExist", f"Execution Does Not Exist: '{gone}'")


def test_redrive_reopens_a_failed_execution(api: Api) -> None:
    # A handler that fails on its first call and succeeds after: redrive re-runs the Task.
    flaky = api.function(
        "flaky",
        f"""
        from pathlib import Path
        MARK = Path({str(api.functions / "flaky.mark")!r})

        def handler(event, context):
            if not MARK.exists():
                MARK.write_text("seen")
                raise RuntimeError("first call fails")
            return {{"second": True}}
        """,
    )
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Task", "Resource": flaky, "End": True}},
    }
    arn = api.machine(definition, name="Flaky")
    execution = api.sfn.start_execution(stateMachineArn=arn)["executionArn"]
    failed = api.wait_closed(execution)
    assert (failed["status"], failed["error"]) == ("FAILED", "RuntimeError")
    assert failed["redriveStatus"] == "REDRIVABLE"
    redriven = api.sfn.redrive_execution(executionArn=execution)
    assert "redriveDate" in redriven
    again = api.wait_closed(execution)
    assert (again["status"], again["redriveCount"]) == ("SUCCEEDED", 1)
    assert json.loads(again["output"]) == {"second": True}
    listed = api.sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")
    assert [e["executionArn"] for e in listed["executions"]] == [execution]
    assert (
        error_code(lambda: api.sfn.redrive_execution(executionArn=execution))
        == "ExecutionNotRedrivable"
    )


def test_describe_execution_errors(api: Api) -> None:
    code, message = error_of(
        lambda: api.sfn.describe_execution(executionArn="invalid_state_machine_arn")
    )
    assert (code, message) == (
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'",
    )
    gone = "arn:aws:states:us-east-1:123456789012:execution:M:none"
    assert (
        error_code(lambda: api.sfn.describe_execution(executionArn=gone)) == "ExecutionDoesNotExist"
    )
    assert error_code(lambda: api.sfn.stop_execution(executionArn=gone)) == "ExecutionDoesNotExist"


def test_start_sync_execution_runs_express_only(api: Api) -> None:
    express = api.machine(PASS_MACHINE, name="Quick", type="EXPRESS")
    result = api.sfn.start_sync_execution(stateMachineArn=express, name="now", input="{}")
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"greeting": "hi"}
    assert result["executionArn"] == "arn:aws:states:us-east-1:123456789012:express:Quick:now"
    failing = api.machine(FAIL_MACHINE, name="QuickFail", type="EXPRESS")
    failed = api.sfn.start_sync_execution(stateMachineArn=failing)
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Custom", "it broke")
    standard = api.machine(PASS_MACHINE, name="Slow")
    code, message = error_of(lambda: api.sfn.start_sync_execution(stateMachineArn=standard))
    assert (code, message) == (
        "StateMachineTypeNotSupported",
        "This operation is not supported by this type of state machine",
    )
