"""Activity actions: CreateActivity, DeleteActivity, DescribeActivity, ListActivities and
GetActivityTask, the long poll workers take activity tasks with.

AWS ("Activities in Step Functions"): a worker polls GetActivityTask with the activity's ARN;
it gets the task's token and input, then answers with SendTaskSuccess, SendTaskFailure and
SendTaskHeartbeat (see :mod:`ferry.api.tasks`). "GetActivityTask ... holds the HTTP connection
open ... for up to 60 seconds. If no task is available within 60 seconds, the poll returns a
taskToken with a null string." Ferry answers that case with an empty body (no ``taskToken``),
which boto3 and the AWS CLI show as no token. The 60 seconds are
:attr:`ApiSettings.activity_poll_seconds`, so tests can poll for less.

Texts recorded on AWS: a deleted or unknown activity is ``ActivityDoesNotExist``,
"Activity Does Not Exist: 'ARN'"; a bad name is ``InvalidName``, "Invalid Name: 'NAME'";
DeleteActivity of an activity that is gone succeeds.
"""

from __future__ import annotations

import time

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.params import JSONObject, Params
from ferry.api.tags import read_tags
from ferry.jsontypes import JSON
from ferry.store.records import ActivityRecord, NewActivity

MAX_ARN = 256  # activityArn: "Length Constraints: Minimum length of 1. Maximum length of 256."
MAX_WORKER_NAME = 80  # workerName: "Maximum length of 80."
# Between two looks at the store while a poll waits: short at first, so a task scheduled just
# after the poll began goes out quickly, then longer, so idle pollers cost little.
FIRST_PAUSE_SECONDS = 0.01
LONGEST_PAUSE_SECONDS = 0.2


def activity_arn(region: str, account: str, name: str) -> str:
    """The ARN of activity ``name``."""
    return f"arn:aws:states:{region}:{account}:activity:{name}"


def _missing(arn: str) -> ApiError:
    return ApiError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def _existing(context: ApiContext, arn: str) -> ActivityRecord:
    arns.parse(arn, "activity")
    record = context.store.activities.describe(arn)
    if record is None:
        raise _missing(arn)
    return record


def create_activity(context: ApiContext, params: Params) -> JSONObject:
    """CreateActivity: idempotent by name (later tags are ignored, as on AWS)."""
    name = arns.check_name(params.required("name", max_len=arns.MAX_NAME))
    tags = read_tags(params)
    settings = context.settings
    new = NewActivity(activity_arn(settings.region, settings.account, name), name, tags)
    record = context.store.activities.create(new, context.now())
    return {"activityArn": record.arn, "creationDate": record.created}


def delete_activity(context: ApiContext, params: Params) -> JSONObject:
    """DeleteActivity: succeeds for an activity that does not exist, as on AWS."""
    arn = params.required("activityArn", max_len=MAX_ARN)
    arns.parse(arn, "activity")
    context.store.activities.delete(arn)
    return {}


def describe_activity(context: ApiContext, params: Params) -> JSONObject:
    """DescribeActivity."""
    record = _existing(context, params.required("activityArn", max_len=MAX_ARN))
    return {"activityArn": record.arn, "name": record.name, "creationDate": record.created}


def list_activities(context: ApiContext, params: Params) -> JSONObject:
    """ListActivities, a page at a time in name order."""
    max_results, token = params.page(token_max=1024)
    page = context.store.activities.list(max_results, token)
    items: list[JSON] = [
        {"activityArn": a.arn, "name": a.name, "creationDate": a.created} for a in page.items
    ]
    body: JSONObject = {"activities": items}
    if page.next_token is not None:
        body["nextToken"] = page.next_token
    return body


def get_activity_task(context: ApiContext, params: Params) -> JSONObject:
    """GetActivityTask: the oldest waiting task of the activity, waiting for one if needed."""
    arn = params.required("activityArn", max_len=MAX_ARN)
    worker = params.string("workerName", min_len=1, max_len=MAX_WORKER_NAME)
    _existing(context, arn)
    # The wait is measured on the wall clock: it is how long an HTTP request is held open,
    # whatever (virtual) time the runner's executions run on.
    deadline = time.monotonic() + context.settings.activity_poll_seconds
    pause = FIRST_PAUSE_SECONDS
    while True:
        task = context.store.activities.claim(arn, worker, context.now())
        if task is not None:
            context.runner.wake()  # its ActivityStarted signal is waiting
            return {"taskToken": task.token, "input": task.input}
        left = deadline - time.monotonic()
        if left <= 0:
            return {}
        time.sleep(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


ACTIONS = {
    "CreateActivity": create_activity,
    "DeleteActivity": delete_activity,
    "DescribeActivity": describe_activity,
    "ListActivities": list_activities,
    "GetActivityTask": get_activity_task,
}
