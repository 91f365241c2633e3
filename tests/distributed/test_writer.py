"""ResultWriter against moto's S3 on loopback: files and manifest read back from S3.

Rules from "ResultWriter (Map)" (docs step-functions/latest/dg/input-output-resultwriter.html).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from ferry.distributed.writer import PUT_OBJECT, ResultWriter, ResultWriterFailed
from ferry.jsontypes import JSON

RUN_ID = "ad9b5f27-090b-3ac6-9beb-243cd77144a7"
MAP_RUN_ARN = f"arn:aws:states:us-east-2:123456789012:mapRun:csvProcess/Map:{RUN_ID}"
MACHINE = "arn:aws:states:us-east-2:123456789012:stateMachine:csvProcess/Map"


@pytest.fixture
def bucket(s3_client: Any) -> str:
    name = f"results-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


def _spec(bucket: str, prefix: str | None = "csvProcessJobs", **config: str) -> dict[str, JSON]:
    spec: dict[str, JSON] = {
        "Resource": PUT_OBJECT,
        "Parameters": {"Bucket": bucket, "Prefix": prefix},
    }
    if config:
        spec["WriterConfig"] = config
    return spec


def _child(index: int, status: str, output: JSON = None) -> dict[str, JSON]:
    name = f"child-{index}"
    child: dict[str, JSON] = {
        "ExecutionArn": f"arn:aws:states:us-east-2:123456789012:execution:csvProcess/Map:{name}",
        "Input": json.dumps({"i": index}),
        "InputDetails": {"Included": True},
        "Name": name,
        "Output": None if output is None else json.dumps(output),
        "OutputDetails": {"Included": True},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "StartDate": "2025-02-04T01:49:50.099Z",
        "StateMachineArn": MACHINE,
        "Status": status,
        "StopDate": "2025-02-04T01:49:50.163Z",
    }
    if status in ("FAILED", "TIMED_OUT", "ABORTED"):
        child.pop("Output")
        child["Error"] = "Boom"
        child["Cause"] = f"child {index} failed"
    return child


def _object(s3: Any, bucket: str, key: str) -> bytes:
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def test_results_split_by_status_with_manifest(s3_client: Any, bucket: str) -> None:
    # docs: the Map state returns {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key":
    # "csvProcessJobs/<map run id>/manifest.json"}}; SUCCEEDED_0.json holds the succeeded
    # children, FAILED_0.json the failed, timed out and aborted ones.
    writer = ResultWriter(_spec(bucket), s3_client, MAP_RUN_ARN)
    children = [
        _child(0, "SUCCEEDED", {"ok": 0}),
        _child(1, "FAILED"),
        _child(2, "SUCCEEDED", [1, 2]),
        _child(3, "TIMED_OUT"),
        _child(4, "PENDING"),
    ]
    for index, child in enumerate(children):
        writer.add(index, child)
    result = writer.close()
    directory = f"csvProcessJobs/{RUN_ID}/"
    assert result == {
        "MapRunArn": MAP_RUN_ARN,
        "ResultWriterDetails": {"Bucket": bucket, "Key": f"{directory}manifest.json"},
    }
    succeeded = _object(s3_client, bucket, f"{directory}SUCCEEDED_0.json")
    failed = _object(s3_client, bucket, f"{directory}FAILED_0.json")
    pending = _object(s3_client, bucket, f"{directory}PENDING_0.json")
    assert json.loads(succeeded) == [children[0], children[2]]
    assert json.loads(failed) == [children[1], children[3]]
    assert json.loads(pending) == [children[4]]
    manifest = json.loads(_object(s3_client, bucket, f"{directory}manifest.json"))
    assert manifest == {
        "DestinationBucket": bucket,
        "MapRunArn": MAP_RUN_ARN,
        "ResultFiles": {
            "FAILED": [{"Key": f"{directory}FAILED_0.json", "Size": len(failed)}],
            "PENDING": [{"Key": f"{directory}PENDING_0.json", "Size": len(pending)}],
            "SUCCEEDED": [{"Key": f"{directory}SUCCEEDED_0.json", "Size": len(succeeded)}],
        },
    }


def test_no_results_of_a_status_means_no_file(s3_client: Any, bucket: str) -> None:
    writer = ResultWriter(_spec(bucket, prefix="jobs/"), s3_client, MAP_RUN_ARN)
    writer.add(0, _child(0, "SUCCEEDED", 1))
    result = writer.close()
    assert result["ResultWriterDetails"]["Key"] == f"jobs/{RUN_ID}/manifest.json"
    listed = s3_client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(entry["Key"] for entry in listed) == [
        f"jobs/{RUN_ID}/SUCCEEDED_0.json",
        f"jobs/{RUN_ID}/manifest.json",
    ]
    manifest = json.loads(_object(s3_client, bucket, f"jobs/{RUN_ID}/manifest.json"))
    assert manifest["ResultFiles"]["FAILED"] == []
    assert manifest["ResultFiles"]["PENDING"] == []


def test_without_prefix_files_go_under_the_run_id(s3_client: Any, bucket: str) -> None:
    writer = ResultWriter(_spec(bucket, prefix=None), s3_client, MAP_RUN_ARN)
    assert writer.close()["ResultWriterDetails"]["Key"] == f"{RUN_ID}/manifest.json"


def test_files_split_at_the_size_limit(s3_client: Any, bucket: str) -> None:
    # docs: past the file size limit (5 GB on AWS; lowered here) the results go on in
    # SUCCEEDED_1.json and so on.
    writer = ResultWriter(_spec(bucket), s3_client, MAP_RUN_ARN, file_bytes=1200)
    children = [_child(i, "SUCCEEDED", {"pad": "x" * 100}) for i in range(8)]
    for index, child in enumerate(children):
        writer.add(index, child)
    writer.close()
    manifest = json.loads(_object(s3_client, bucket, f"csvProcessJobs/{RUN_ID}/manifest.json"))
    files = manifest["ResultFiles"]["SUCCEEDED"]
    assert [entry["Key"].rsplit("/", 1)[1] for entry in files] == [
        f"SUCCEEDED_{n}.json" for n in range(len(files))
    ]
    assert len(files) > 1
    read_back: list[JSON] = []
    for entry in files:
        body = _object(s3_client, bucket, entry["Key"])
        assert len(body) == entry["Size"] <= 1200
        read_back.extend(json.loads(body))
    assert read_back == children


def test_large_file_is_uploaded_in_parts(s3_client: Any, bucket: str) -> None:
    # 12 MiB of results with 5 MiB parts: a multipart upload (S3's minimum part size).
    writer = ResultWriter(_spec(bucket), s3_client, MAP_RUN_ARN, part_bytes=5 * 1024 * 1024)
    children = [_child(i, "SUCCEEDED", "y" * 12_000) for i in range(1_000)]
    for index, child in enumerate(children):
        writer.add(index, child)
    writer.close()
    key = f"csvProcessJobs/{RUN_ID}/SUCCEEDED_0.json"
    head = s3_client.head_object(Bucket=bucket, Key=key)
    assert head["ETag"].endswith('-3"')  # a multipart object's ETag counts its parts
    assert json.loads(_object(s3_client, bucket, key)) == children


@pytest.mark.parametrize(
    ("transformation", "expected"),
    [
        # docs: COMPACT keeps the outputs with their array structure; FLATTEN splices arrays.
        ("COMPACT", [[{"order_id": "100000"}, {"order_id": "100001"}], {"one": 1}]),
        ("FLATTEN", [{"order_id": "100000"}, {"order_id": "100001"}, {"one": 1}]),
    ],
)
def test_writer_config_transformation(
    s3_client: Any, bucket: str, transformation: str, expected: list[JSON]
) -> None:
    writer = ResultWriter(
        _spec(bucket, Transformation=transformation, OutputType="JSON"), s3_client, MAP_RUN_ARN
    )
    writer.add(0, _child(0, "SUCCEEDED", [{"order_id": "100000"}, {"order_id": "100001"}]))
    writer.add(1, _child(1, "SUCCEEDED", {"one": 1}))
    failed = _child(2, "FAILED")
    writer.add(2, failed)
    writer.close()
    directory = f"csvProcessJobs/{RUN_ID}/"
    assert json.loads(_object(s3_client, bucket, f"{directory}SUCCEEDED_0.json")) == expected
    # docs: a failed child's result is returned unchanged, as with NONE.
    assert json.loads(_object(s3_client, bucket, f"{directory}FAILED_0.json")) == [failed]


def test_writer_config_jsonl_output(s3_client: Any, bucket: str) -> None:
    # docs: OutputType JSONL formats the results as JSON Lines.
    writer = ResultWriter(
        _spec(bucket, Transformation="COMPACT", OutputType="JSONL"), s3_client, MAP_RUN_ARN
    )
    for index in range(3):
        writer.add(index, _child(index, "SUCCEEDED", {"n": index}))
    writer.close()
    body = _object(s3_client, bucket, f"csvProcessJobs/{RUN_ID}/SUCCEEDED_0.json")
    assert body.decode().splitlines() == ['{"n":0}', '{"n":1}', '{"n":2}']


def test_missing_bucket_fails_result_writer(s3_client: Any) -> None:
    writer = ResultWriter(_spec(f"nope-{uuid.uuid4().hex}"), s3_client, MAP_RUN_ARN)
    writer.add(0, _child(0, "SUCCEEDED", 1))
    with pytest.raises(ResultWriterFailed, match="NoSuchBucket") as caught:
        writer.close()
    assert caught.value.error == "States.ResultWriterFailed"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b"}}, "Resource"),
        ({"Resource": PUT_OBJECT, "Parameters": {"Prefix": "p"}}, "Bucket must be a string"),
        ({"Resource": PUT_OBJECT, "Parameters": {"Bucket": "b", "Prefix": 3}}, "Prefix must be"),
        (_spec("b", Transformation="SQUASH"), "Transformation 'SQUASH' is not valid"),
        (_spec("b", OutputType="CSV"), "OutputType 'CSV' is not valid"),
    ],
)
def test_bad_spec_fails_at_once(spec: dict[str, JSON], message: str) -> None:
    with pytest.raises(ResultWriterFailed, match=message):
        ResultWriter(spec, None, MAP_RUN_ARN)


def test_unknown_child_status_is_refused(s3_client: Any, bucket: str) -> None:
    writer = ResultWriter(_spec(bucket), s3_client, MAP_RUN_ARN)
    with pytest.raises(ResultWriterFailed, match="child 7 has Status 'RUNNING'"):
        writer.add(7, _child(7, "RUNNING"))


def test_none_transformation_writes_input_and_output_as_json_text(
    s3_client: Any, bucket: str
) -> None:
    # docs: with NONE each record holds "Input" and "Output" as JSON text ("Output":
    # "[{\"customer_id\":...}]"), whatever form the runtime hands them in.
    writer = ResultWriter(_spec(bucket), s3_client, MAP_RUN_ARN)
    child = _child(0, "SUCCEEDED")
    child.update(Input={"i": 0}, Output=[{"customer_id": "145538"}])
    writer.add(0, child)
    writer.close()
    body = _object(s3_client, bucket, f"csvProcessJobs/{RUN_ID}/SUCCEEDED_0.json")
    (record,) = json.loads(body)
    assert record["Input"] == '{"i":0}'
    assert record["Output"] == '[{"customer_id":"145538"}]'
