"""How a Task's ``Resource`` shows in history: Lambda functions called by ARN get
``LambdaFunction*`` events, service integrations ``Task*`` events with a resource type
and name (docs: "Call other AWS services" / history event types)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_LAMBDA_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$")
_SERVICE_ARN = re.compile(r"^arn:aws[\w-]*:states:([^:]*):([^:]*):([^:]+):(.+)$")
_ACTIVITY_ARN = re.compile(r"^arn:aws[\w-]*:states:[^:]*:[^:]*:activity:.+$")


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """A Task resource, classified."""

    kind: Literal["lambda", "service", "activity", "unknown"]
    resource_type: str = ""
    resource: str = ""
    pattern: Literal["request-response", "sync", "token"] = "request-response"


def describe(resource: str) -> ResourceInfo:
    """Classify ``resource`` (an ARN as written in the definition)."""
    if _LAMBDA_ARN.match(resource):
        return ResourceInfo("lambda", "lambda", resource)
    if _ACTIVITY_ARN.match(resource):
        return ResourceInfo("activity", "activity", resource)
    match = _SERVICE_ARN.match(resource)
    if match:
        service, action = match.group(3), match.group(4)
        pattern: Literal["request-response", "sync", "token"] = "request-response"
        if action.endswith(".waitForTaskToken"):
            pattern = "token"
        elif ".sync" in action:
            pattern = "sync"
        return ResourceInfo("service", service, action, pattern)
    return ResourceInfo("unknown", "", resource)
