"""Distributed Map end to end in memory: real definitions through ``ferry.runner.local.run`` and
the ``ferry run`` command, with S3 on moto's server (reached through ``AWS_ENDPOINT_URL``).

Expected values: "Using Map state in Distributed mode" (docs step-functions/latest/dg/
state-map-distributed.html), "ItemReader (Map)" (input-output-itemreader.html), "ItemBatcher
(Map)" (input-output-itembatcher.html), "ResultWriter (Map)" (input-output-resultwriter.html),
"Viewing a Distributed Map Run execution" (concepts-examine-map-run.html: Map Runs are
``mapRun:<machine>/<Label or UUID>:<id>``). The parent's history is the sequence AWS records
(LocalStack's AWS-validated snapshots): MapStateEntered, MapStateStarted (``length`` 0 with an
ItemReader), MapRunStarted {mapRunArn}, MapRunSucceeded | MapRunFailed {error, cause},
MapStateSucceeded | MapStateFailed, MapStateExited.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from ferry.cli.main import main
from ferry.jsontypes import JSON
from ferry.runner.clock import VirtualClock
from ferry.runner.local import ExecutionResult, run

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PREFIX = "arn:aws:states:us-east-1:123456789012"
ECHO: JSON = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
# Fails the items whose "fail" is true (a Choice then a Fail state), echoes the others.
FAIL_SOME: JSON = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}],
            "Default": "Ok",
        },
        "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "bad item"},
        "Ok": {"Type": "Pass", "End": True},
    },
}


def distributed(processor: JSON = ECHO, kind: str = "EXPRESS", **fields: JSON) -> JSON:
    """A machine of one Distributed Map state ``M`` with ``fields``."""
    assert isinstance(processor, dict)
    item_processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": kind},
                      **processor}  # fmt: skip
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": item_processor,
                                             "End": True, **fields}}}  # fmt: skip


def types(result: ExecutionResult) -> list[str]:
    """The history's event types."""
    return [str(event["type"]) for event in result.history]


def event(result: ExecutionResult, kind: str) -> dict[str, JSON]:
    """The first event of type ``kind``."""
    return next(e for e in result.history if e["type"] == kind)


@pytest.fixture
def s3(moto_endpoint: str, s3_client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The S3 client, with ``AWS_ENDPOINT_URL`` sending Ferry's own clients to moto too."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return s3_client


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"dmap-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def test_items_from_the_input_with_label_and_item_selector() -> None:
    machine = distributed(
        Label="Fan",
        ItemsPath="$.xs",
        ItemSelector={"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index",
                      "tag.$": "$.tag"},
    )  # fmt: skip
    result = run(machine, {"xs": ["a", "b", "c"], "tag": "t"}, state_machine_name="parent")
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == [{"value": v, "index": i, "tag": "t"} for i, v in enumerate("abc")]
    assert types(result) == [
        "ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
        "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded",
    ]  # fmt: skip
    assert event(result, "MapStateStarted")["mapStateStartedEventDetails"] == {"length": 3}
    started = event(result, "MapRunStarted")
    arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    assert re.fullmatch(f"{PREFIX}:mapRun:parent/Fan:{UUID}", str(arn))
    assert started["previousEventId"] == event(result, "MapStateStarted")["id"]


def test_without_label_the_map_run_label_is_a_uuid_stable_for_the_state() -> None:
    # concepts-examine-map-run: stateMachine:<stateMachineName>/<MapRunLabel or UUID>.
    arns = []
    for _ in range(2):
        result = run(distributed(), [1], state_machine_name="parent")
        details = event(result, "MapRunStarted")["mapRunStartedEventDetails"]
        arns.append(str(details["mapRunArn"]))
    labels = [re.fullmatch(f"{PREFIX}:mapRun:parent/({UUID}):{UUID}", a) for a in arns]
    assert labels[0] is not None
    assert labels[1] is not None
    assert labels[0].group(1) == labels[1].group(1)
    assert arns[0] != arns[1]  # each run its own Map Run


@pytest.mark.parametrize(
    ("config", "body", "expected"),
    [
        ({"InputType": "JSON"}, json.dumps([{"n": 1}, {"n": 2}]), [{"n": 1}, {"n": 2}]),
        ({"InputType": "JSONL"}, '{"n": 1}\n{"n": 2}\n', [{"n": 1}, {"n": 2}]),
        # example-csv-parse-dist-map: every CSV value is a string.
        ({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}, "n,w\n1,x\n2,y\n",
         [{"n": "1", "w": "x"}, {"n": "2", "w": "y"}]),
    ],
    ids=["json", "jsonl", "csv"],
)  # fmt: skip
def test_item_reader_from_s3(
    s3: Any, bucket: str, config: JSON, body: str, expected: list[JSON]
) -> None:
    s3.put_object(Bucket=bucket, Key="in/items", Body=body.encode())
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
              "Parameters": {"Bucket.$": "$.bucket", "Key": "in/items"}}  # fmt: skip
    result = run(distributed(ItemReader=reader), {"bucket": bucket})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == expected
    # With an ItemReader the item count is not known when the state starts.
    assert event(result, "MapStateStarted")["mapStateStartedEventDetails"] == {"length": 0}


def test_item_batcher_gives_each_child_a_batch() -> None:
    batcher = {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}}
    result = run(distributed(ItemsPath="$.xs", ItemBatcher=batcher), {"xs": [1, 2, 3], "run": 7})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == [
        {"Items": [1, 2], "BatchInput": {"run": 7}},
        {"Items": [3], "BatchInput": {"run": 7}},
    ]


def test_result_writer_writes_the_manifest_to_s3(s3: Any, bucket: str) -> None:
    writer = {"Resource": "arn:aws:states:::s3:putObject",
              "Parameters": {"Bucket": bucket, "Prefix": "out"}}  # fmt: skip
    result = run(distributed(ResultWriter=writer), [{"n": 1}, {"n": 2}], state_machine_name="p")
    assert result.status == "SUCCEEDED", result.cause
    details = event(result, "MapRunStarted")["mapRunStartedEventDetails"]
    map_run_arn = str(details["mapRunArn"])
    run_id = map_run_arn.rsplit(":", 1)[1]
    key = f"out/{run_id}/manifest.json"
    assert result.output == {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": key},
    }
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert manifest["MapRunArn"] == map_run_arn
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    children = json.loads(s3.get_object(Bucket=bucket, Key=succeeded["Key"])["Body"].read())
    assert sorted(json.loads(c["Output"])["n"] for c in children) == [1, 2]
    assert {c["Status"] for c in children} == {"SUCCEEDED"}


def test_tolerated_failure_count_lets_the_map_run_succeed() -> None:
    items = [{"fail": False}, {"fail": True}, {"fail": False}]
    result = run(distributed(FAIL_SOME, ToleratedFailureCount=1), items)
    assert result.status == "SUCCEEDED", result.cause
    assert isinstance(result.output, list)
    assert result.output[0] == {"fail": False}
    assert result.output[2] == {"fail": False}
    assert result.output[1] == {"Error": "Item.Bad", "Cause": "bad item"}


def test_exceeded_threshold_is_retried_as_a_new_map_run_then_caught() -> None:
    # state-map-distributed: more failures than tolerated fail the Map Run with
    # States.ExceedToleratedFailureThreshold, which Retry and Catch see like any error.
    machine = distributed(
        FAIL_SOME,
        ItemsPath="$.items",
        ToleratedFailurePercentage=40,
        Retry=[{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "MaxAttempts": 1,
                "IntervalSeconds": 1}],
        Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}],
    )  # fmt: skip
    del machine["States"]["M"]["End"]
    machine["States"]["M"]["Next"] = "Handled"
    machine["States"]["Handled"] = {"Type": "Pass", "End": True}
    items = [{"fail": True}, {"fail": True}, {"fail": False}]
    result = run(machine, {"items": items}, clock=VirtualClock())
    assert result.status == "SUCCEEDED", result.cause
    assert isinstance(result.output, dict)
    assert result.output["error"]["Error"] == "States.ExceedToleratedFailureThreshold"
    runs = [e for e in result.history if e["type"] == "MapRunStarted"]
    assert len(runs) == 2
    assert runs[0]["mapRunStartedEventDetails"] != runs[1]["mapRunStartedEventDetails"]
    failed = [e for e in result.history if e["type"] == "MapRunFailed"]
    assert [f["mapRunFailedEventDetails"]["error"] for f in failed] == [
        "States.ExceedToleratedFailureThreshold"
    ] * 2
    # A retried attempt starts again at MapStateStarted; the caught failure exits the state.
    assert types(result)[2:] == [
        "MapStateStarted", "MapRunStarted", "MapRunFailed",
        "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "MapStateExited",
        "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
    ]  # fmt: skip


def test_missing_object_fails_with_item_reader_failed(s3: Any, bucket: str) -> None:
    reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
              "Parameters": {"Bucket": bucket, "Key": "absent.json"}}  # fmt: skip
    result = run(distributed(ItemReader=reader), {})
    assert (result.status, result.error) == ("FAILED", "States.ItemReaderFailed")
    assert types(result)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed",
                                  "ExecutionFailed"]  # fmt: skip
    details = event(result, "MapRunFailed")["mapRunFailedEventDetails"]
    assert details == {"error": "States.ItemReaderFailed", "cause": result.cause}


def test_jsonata_items_selector_reader_and_writer_arguments(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="in.json", Body=b'[{"n": 1}, {"n": 2}]')
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Arguments": {"Bucket": "{% $states.input.bucket %}", "Key": "{% $key %}"},
    }
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Arguments": {"Bucket": "{% $states.input.bucket %}", "Prefix": "{% 'r' & $k %}"},
    }
    machine: Any = distributed(
        QueryLanguage="JSONata",
        ItemReader=reader,
        ItemSelector={"n": "{% $states.context.Map.Item.Value.n * $k %}",
                      "at": "{% $states.context.Map.Item.Index %}",
                      "who": "{% $states.input.who %}"},
        ResultWriter=writer,
        Output="{% $states.result.ResultWriterDetails %}",
    )  # fmt: skip
    machine["StartAt"] = "Set"
    machine["States"]["Set"] = {"Type": "Pass", "QueryLanguage": "JSONata", "Next": "M",
                                "Assign": {"key": "in.json", "k": 10}}  # fmt: skip
    result = run(machine, {"bucket": bucket, "who": "me"})
    assert result.status == "SUCCEEDED", result.cause
    assert isinstance(result.output, dict)
    assert result.output["Bucket"] == bucket
    key = str(result.output["Key"])
    assert key.startswith("r10/")
    assert key.endswith("/manifest.json")
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    [part] = manifest["ResultFiles"]["SUCCEEDED"]
    children = json.loads(s3.get_object(Bucket=bucket, Key=part["Key"])["Body"].read())
    outputs = sorted((json.loads(c["Output"]) for c in children), key=lambda o: o["at"])
    assert outputs == [{"n": 10, "at": 0, "who": "me"}, {"n": 20, "at": 1, "who": "me"}]


@pytest.mark.parametrize(
    ("language", "selector", "error", "message"),
    [
        ("JSONPath", {"v.$": "$.nope"}, "States.Runtime",
         "The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input "
         '\'{"xs":[1]}\''),
        ("JSONata", {"v": "{% $states.input.nope %}"}, "States.QueryEvaluationError",
         "The JSONata expression '$states.input.nope' specified for the field 'ItemSelector/v' "
         "returned nothing (undefined)."),
    ],
    ids=["jsonpath", "jsonata"],
)  # fmt: skip
def test_item_selector_errors_carry_the_state_prefix(
    language: str, selector: JSON, error: str, message: str
) -> None:
    # The same error and cause as the Map state's other field errors: AWS's prefix names the
    # state and the id of its MapStateEntered event (here #4, after a Pass state).
    machine: Any = distributed(ItemSelector=selector, QueryLanguage=language)
    if language == "JSONPath":
        machine["States"]["M"]["ItemsPath"] = "$.xs"
    else:
        machine["States"]["M"]["Items"] = "{% $states.input.xs %}"
    machine["States"]["First"] = {"Type": "Pass", "Next": "M"}
    machine["StartAt"] = "First"
    result = run(machine, {"xs": [1]})
    entered = event(result, "MapStateEntered")["id"]
    assert entered == 4
    cause = (
        f"An error occurred while executing the state 'M' (entered at the event id #4). {message}"
    )
    assert (result.status, result.error, result.cause) == ("FAILED", error, cause)
    failed = event(result, "MapRunFailed")["mapRunFailedEventDetails"]
    assert failed == {"error": error, "cause": cause}


def test_ferry_run_prints_the_map_result_and_history(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dmap.asl.json"
    path.write_text(json.dumps(distributed(ItemsPath="$.xs", Label="L")), encoding="utf-8")
    assert main(["run", str(path), "--input", '{"xs": [1, 2]}', "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["status"], printed["output"]) == ("SUCCEEDED", [1, 2])
    assert main(["run", str(path), "--input", '{"xs": [3]}', "--history"]) == 0
    history = json.loads(capsys.readouterr().out)
    started = [e for e in history if e["type"] == "MapRunStarted"]
    assert len(started) == 1
    assert ":mapRun:" in started[0]["mapRunStartedEventDetails"]["mapRunArn"]
