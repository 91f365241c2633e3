"""Which fields each state type accepts, and which belong to one query language only.

From the Amazon States Language pages of the Step Functions developer guide (state-pass.html,
state-task.html, state-choice.html, state-wait.html, state-succeed.html, state-fail.html,
state-parallel.html, state-map.html) and "Transforming data with JSONata"
(transforming-data.html), which lists the JSONPath fields JSONata states may not use.
"""

from __future__ import annotations

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End"})
_IO = frozenset({"InputPath", "OutputPath", "Output"})
_RESULT = frozenset({"ResultSelector", "ResultPath", "Retry", "Catch", "Assign"})

ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"Parameters", "Result", "ResultPath", "Assign"},
    "Task": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | {
        "Resource",
        "Parameters",
        "Arguments",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign"},
    "Wait": _COMMON
    | _FLOW
    | _IO
    | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | _RESULT | {"Branches", "Parameters", "Arguments"},
    "Map": _COMMON
    | _FLOW
    | _IO
    | _RESULT
    | {
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
    },
}

# Fields a JSONata state may not carry (transforming-data.html: "JSONata states ... do not
# support InputPath, Parameters, ResultSelector, ResultPath, OutputPath" and the *Path forms).
JSONPATH_ONLY = frozenset(
    {
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "ItemsPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "SecondsPath",
        "TimestampPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    }
)

# Fields only a JSONata state may carry.
JSONATA_ONLY = frozenset({"Arguments", "Output", "Items"})

TOP_LEVEL_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
)
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States"})
PROCESSOR_FIELDS = frozenset({"Comment", "StartAt", "States", "ProcessorConfig"})

RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Comment", "Assign", "Output"})

QUERY_LANGUAGES = ("JSONPath", "JSONata")
