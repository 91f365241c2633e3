"""Activities through boto3 against a real server: the activity actions and their AWS errors,
and workers that poll GetActivityTask and answer with SendTaskSuccess/Failure/Heartbeat.

AWS ("Activities in Step Functions", https://docs.aws.amazon.com/step-functions/latest/dg/
concepts-activities.html): a Task whose Resource is an activity ARN waits until a worker takes
it with GetActivityTask and answers with its task token. Error texts are AWS's recorded ones
(ActivityDoesNotExist "Activity Does Not Exist: 'ARN'", InvalidName "Invalid Name: 'NAME'").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ferry.api import ApiSettings
from ferry.jsontypes import JSON

from .conftest import ACCOUNT, REGION, Api, client_for, error_of, start_server

POLL_SECONDS = 2.0  # GetActivityTask's wait in these tests (60 s on AWS)
ACTIVITY_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A server whose GetActivityTask waits only POLL_SECONDS."""
    server = start_server(tmp_path, settings=ApiSettings(activity_poll_seconds=POLL_SECONDS))
    try:
        yield Api(server, client_for(server.url), tmp_path / "functions")
    finally:
        server.shutdown()
        server.runner.store.close()


def activity_machine(activity_arn: str, **task: JSON) -> JSON:
    """A machine whose one Task state is the activity (``task`` adds fields to it)."""
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity_arn, "End": True, **task}},
    }


class Worker(threading.Thread):
    """A worker polling GetActivityTask once and answering with ``answer(sfn, task)``."""

    def __init__(self, url: str, activity_arn: str, answer: Callable[[Any, Any], None]) -> None:
        super().__init__(name="activity-worker")
        self.sfn = client_for(url)
        self.activity_arn = activity_arn
        self.answer = answer
        self.task: dict[str, Any] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(30):  # bounded: 30 empty polls means the task never came
                self.task = self.sfn.get_activity_task(
                    activityArn=self.activity_arn, workerName="worker-1"
                )
                if self.task.get("taskToken"):
                    self.answer(self.sfn, self.task)
                    return
        except BaseException as exc:  # reported by finish(), on the test's thread
            self.error = exc

    def finish(self) -> dict[str, Any]:
        """Wait for the worker; re-raise what it failed with; return the task it took."""
        self.join()
        if self.error is not None:
            raise self.error
        return self.task


def history_types(api: Api, execution_arn: str) -> list[str]:
    events = api.sfn.get_execution_history(executionArn=execution_arn)["events"]
    return [str(e["type"]) for e in events]


def run_with_worker(
    api: Api, task_fields: dict[str, JSON], data: JSON, answer: Callable[[Any, Any], None]
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Create the activity, start a worker polling it, then the execution; wait for both."""
    activity = api.sfn.create_activity(name="Work")["activityArn"]
    arn = api.machine(activity_machine(activity, **task_fields))
    worker = Worker(api.url, activity, answer)
    worker.start()  # already waiting when the task is scheduled: the long poll answers it
    started = api.sfn.start_execution(stateMachineArn=arn, input=json.dumps(data))
    task = worker.finish()
    return task, api.wait_closed(started["executionArn"]), started["executionArn"]


# -- the actions --------------------------------------------------------------------------


def test_create_is_idempotent_by_name_and_describe(api: Api) -> None:
    created = api.sfn.create_activity(name="Work", tags=[{"key": "team", "value": "a"}])
    assert created["activityArn"] == ACTIVITY_PREFIX + "Work"
    again = api.sfn.create_activity(name="Work", tags=[{"key": "team", "value": "b"}])
    assert (again["activityArn"], again["creationDate"]) == (
        created["activityArn"], created["creationDate"],
    )  # fmt: skip
    described = api.sfn.describe_activity(activityArn=created["activityArn"])
    assert (described["name"], described["creationDate"]) == ("Work", created["creationDate"])


def test_bad_names_and_arns(api: Api) -> None:
    bad = "Work InvalidName$"
    assert error_of(lambda: api.sfn.create_activity(name=bad)) == (
        "InvalidName", f"Invalid Name: '{bad}'",
    )  # fmt: skip
    assert error_of(lambda: api.sfn.describe_activity(activityArn="not_an_arn")) == (
        "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_an_arn'",
    )  # fmt: skip
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Work"
    code, _ = error_of(lambda: api.sfn.get_activity_task(activityArn=machine))
    assert code == "InvalidArn"


def test_delete_then_describe_and_poll_a_deleted_activity(api: Api) -> None:
    arn = api.sfn.create_activity(name="Work")["activityArn"]
    api.sfn.delete_activity(activityArn=arn)
    api.sfn.delete_activity(activityArn=arn)  # gone already: still succeeds, as on AWS
    missing = ("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")
    assert error_of(lambda: api.sfn.describe_activity(activityArn=arn)) == missing
    assert error_of(lambda: api.sfn.get_activity_task(activityArn=arn)) == missing


def test_list_activities_pages(api: Api) -> None:
    for name in ("c", "a", "b"):
        api.sfn.create_activity(name=name)
    first = api.sfn.list_activities(maxResults=2)
    assert [a["name"] for a in first["activities"]] == ["a", "b"]
    rest = api.sfn.list_activities(maxResults=2, nextToken=first["nextToken"])
    assert [a["name"] for a in rest["activities"]] == ["c"]
    assert "nextToken" not in rest
    assert rest["activities"][0]["activityArn"] == ACTIVITY_PREFIX + "c"


def test_poll_with_no_task_answers_without_a_token(api: Api) -> None:
    arn = api.sfn.create_activity(name="Idle")["activityArn"]
    answer = api.sfn.get_activity_task(activityArn=arn, workerName="w")
    assert "taskToken" not in answer
    assert "input" not in answer


# -- workers ------------------------------------------------------------------------------


def test_worker_success_is_the_execution_output(api: Api) -> None:
    def succeed(sfn: Any, task: Any) -> None:
        seen = json.loads(task["input"])
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"got": seen}))

    task, described, arn = run_with_worker(api, {}, {"order": 7}, succeed)
    assert json.loads(task["input"]) == {"order": 7}
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"got": {"order": 7}}
    events = api.sfn.get_execution_history(executionArn=arn)["events"]
    by_type = {e["type"]: e for e in events}
    assert [t for t in history_types(api, arn) if t.startswith("Activity")] == [
        "ActivityScheduled", "ActivityStarted", "ActivitySucceeded",
    ]  # fmt: skip
    assert by_type["ActivityScheduled"]["activityScheduledEventDetails"]["resource"] == (
        ACTIVITY_PREFIX + "Work"
    )
    assert by_type["ActivityStarted"]["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_worker_failure_is_caught(api: Api) -> None:
    def fail(sfn: Any, task: Any) -> None:
        sfn.send_task_failure(taskToken=task["taskToken"], error="Order.Bad", cause="no stock")

    catch: JSON = [{"ErrorEquals": ["Order.Bad"], "Next": "Handled"}]
    activity = api.sfn.create_activity(name="Work")["activityArn"]
    machine: JSON = {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": activity, "Catch": catch, "End": True},
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    arn = api.machine(machine)
    worker = Worker(api.url, activity, fail)
    worker.start()
    started = api.sfn.start_execution(stateMachineArn=arn, input="{}")
    worker.finish()
    described = api.wait_closed(started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"Error": "Order.Bad", "Cause": "no stock"}
    assert "ActivityFailed" in history_types(api, started["executionArn"])


def test_heartbeats_keep_a_long_task_alive(api: Api) -> None:
    stop = threading.Event()

    def beat_then_succeed(sfn: Any, task: Any) -> None:
        # Eight beats 0.5 s apart outlast HeartbeatSeconds (2) twice over: without them the
        # task would time out with States.HeartbeatTimeout.
        for _ in range(8):
            sfn.send_task_heartbeat(taskToken=task["taskToken"])
            stop.wait(0.5)
        sfn.send_task_success(taskToken=task["taskToken"], output='"done"')

    _, described, arn = run_with_worker(api, {"HeartbeatSeconds": 2}, {}, beat_then_succeed)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == "done"
    assert "ActivityTimedOut" not in history_types(api, arn)


def test_two_executions_two_workers_each_task_once(api: Api) -> None:
    activity = api.sfn.create_activity(name="Work")["activityArn"]
    arn = api.machine(activity_machine(activity))
    runs = [
        api.sfn.start_execution(stateMachineArn=arn, input=json.dumps({"n": n}))["executionArn"]
        for n in (1, 2)
    ]

    def echo(sfn: Any, task: Any) -> None:
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])

    workers = [Worker(api.url, activity, echo) for _ in runs]
    for worker in workers:
        worker.start()
    inputs = sorted(json.loads(worker.finish()["input"])["n"] for worker in workers)
    assert inputs == [1, 2]
    outputs = [json.loads(api.wait_closed(run)["output"]) for run in runs]
    assert outputs == [{"n": 1}, {"n": 2}]
