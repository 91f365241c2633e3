"""MockConfigFile parsing, validation and per-invocation answers (no server).

The example file and the ``"1-2"`` range rule come from the AWS docs page "Configuration file
for mocked service integrations in Step Functions Local"
(step-functions/latest/dg/sfn-local-mock-cfg-file.html).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ferry.engine.execution import RunTask
from ferry.errors import ConfigError, InputError
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.integrations.mock import (
    MockedTasks,
    load_mock_config,
    parse_mock_config,
    split_test_case,
)
from ferry.jsontypes import JSON

LAMBDA_OK: JSON = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
# The documented example, trimmed to the parts these tests use.
DOC_EXAMPLE: JSON = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": LAMBDA_OK}},
        "MockedLambdaRetry": {
            "0": {
                "Throw": {
                    "Error": "Lambda.ResourceNotReadyException",
                    "Cause": "Lambda resource is not ready.",
                }
            },
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": LAMBDA_OK},
        },
    },
}
EXEC = "arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:e1"


def task(state: str, key: str) -> RunTask:
    """A task attempt of ``state`` with idempotency key ``key``."""
    return RunTask(
        task_id=1,
        resource="arn:aws:states:::lambda:invoke",
        payload={},
        context={"State": {"Name": state, "EnteredTime": "t"}},
        timeout_seconds=None,
        heartbeat_seconds=None,
        idempotency_key=key,
    )


def mocks_for(case: str) -> MockedTasks:
    """Mocks with execution EXEC bound to ``case`` of the documented example."""
    mocks = MockedTasks(parse_mock_config(DOC_EXAMPLE))
    mocks.bind(EXEC, "LambdaSQSIntegration", case)
    return mocks


def test_invocations_follow_indexes_and_ranges() -> None:
    mocks = mocks_for("RetryPath")
    outcomes = [mocks.outcome(EXEC, task("LambdaState", f"k{i}")) for i in range(4)]
    assert outcomes == [
        TaskFailure("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        TaskFailure("Lambda.TimeoutException", "Lambda timed out."),
        TaskFailure("Lambda.TimeoutException", "Lambda timed out."),
        TaskSuccess(LAMBDA_OK),
    ]


def test_a_repeated_attempt_keeps_its_index() -> None:
    # A task re-run after a crash carries the same idempotency key: same answer, no advance.
    mocks = mocks_for("RetryPath")
    first = mocks.outcome(EXEC, task("LambdaState", "k0"))
    again = mocks.outcome(EXEC, task("LambdaState", "k0"))
    following = mocks.outcome(EXEC, task("LambdaState", "k1"))
    assert first == again
    assert following == TaskFailure("Lambda.TimeoutException", "Lambda timed out.")


def test_past_the_last_entry_fails_as_runtime() -> None:
    mocks = mocks_for("HappyPath")
    assert mocks.outcome(EXEC, task("LambdaState", "a")) == TaskSuccess(LAMBDA_OK)
    late = mocks.outcome(EXEC, task("LambdaState", "b"))
    assert isinstance(late, TaskFailure)
    assert late.error == "States.Runtime"
    assert "invocation 1" in (late.cause or "")


def test_unmocked_states_and_unbound_executions_are_not_answered() -> None:
    mocks = mocks_for("HappyPath")
    assert mocks.outcome(EXEC, task("SQSState", "a")) is None
    assert mocks.outcome(EXEC + "-other", task("LambdaState", "a")) is None
    assert mocks.case_of(EXEC) == "HappyPath"


def test_an_unknown_test_case_is_refused() -> None:
    mocks = MockedTasks(parse_mock_config(DOC_EXAMPLE))
    with pytest.raises(InputError, match="no test case 'Nope'"):
        mocks.bind(EXEC, "LambdaSQSIntegration", "Nope")
    with pytest.raises(InputError, match="state machine 'Other'"):
        mocks.bind(EXEC, "Other", "HappyPath")


def test_split_test_case() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:M"
    assert split_test_case(f"{arn}#Happy") == (arn, "Happy")
    assert split_test_case(arn) == (arn, None)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "/: expected an object"),
        ({"MockedResponses": []}, "/MockedResponses: expected an object"),
        ({"MockedResponses": {"R": {}}}, "/MockedResponses/R: expected at least one"),
        ({"MockedResponses": {"R": {"x": {"Return": 1}}}}, "/MockedResponses/R/x: expected an"),
        ({"MockedResponses": {"R": {"2-1": {"Return": 1}}}}, "/MockedResponses/R/2-1: the range"),
        (
            {"MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}},
            "/MockedResponses/R/2: overlaps",
        ),
        ({"MockedResponses": {"R": {"0": {}}}}, "/MockedResponses/R/0: expected exactly one"),
        (
            {"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}},
            "/MockedResponses/R/0: expected exactly one",
        ),
        (
            {"MockedResponses": {"R": {"0": {"Retrun": 1}}}},
            "/MockedResponses/R/0/Retrun: unknown field",
        ),
        (
            {"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}},
            "/MockedResponses/R/0/Throw/Error: expected a string",
        ),
        (
            {"MockedResponses": {"a/b": {"0": {"Throw": {"Error": "E", "Cause": 3}}}}},
            "/MockedResponses/a~1b/0/Throw/Cause: expected a string",
        ),
        (
            {"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}},
            "/StateMachines/M/TestCases/C/S: no mocked response named 'Missing'",
        ),
        (
            {"StateMachines": {"M": {"TestCases": {"C": {"S": 1}}}}},
            "/StateMachines/M/TestCases/C/S: expected the name",
        ),
        ({"StateMachines": {"M": {"TestCases": []}}}, "/StateMachines/M/TestCases: expected an"),
    ],
)
def test_bad_files_name_the_json_pointer(doc: JSON, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_mock_config(doc)
    assert str(info.value).startswith(message)


def test_load_reads_a_file_and_reports_bad_json(tmp_path: Path) -> None:
    good = tmp_path / "MockConfigFile.json"
    good.write_text(json.dumps(DOC_EXAMPLE), encoding="utf-8")
    config = load_mock_config(good)
    assert config.case("LambdaSQSIntegration", "HappyPath") == {
        "LambdaState": "MockedLambdaSuccess"
    }
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_mock_config(bad)
    with pytest.raises(ConfigError, match=r"missing\.json"):
        load_mock_config(tmp_path / "missing.json")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"MockedResponses": {"R": {"0": {}}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"wrong\.json: /MockedResponses/R/0"):
        load_mock_config(wrong)
