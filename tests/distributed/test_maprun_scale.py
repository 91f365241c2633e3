"""A 100,000-item Map Run from S3 JSON Lines to a ResultWriter, in flat memory.

Items are read as the run goes (ItemReader streams the object) and each child's result goes
to the ResultWriter as it finishes (developer guide, "ResultWriter (Map)",
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html): the run
holds neither the items nor the results. tracemalloc's peak is the memory bound asserted.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from ferry.distributed.maprun import MapRunIntegration
from ferry.integrations.base import TaskSuccess

from .maprun_kit import MAP_RUN_ARN, request, spec

ITEMS = 100_000
# The ResultWriter buffers one 8 MiB multipart part and botocore copies it while uploading;
# holding 100,000 results (~55 MB of JSON text, several times that as Python objects) or the
# items would be far above this.
PEAK_BYTES = 64 * 1024 * 1024
PROCESSOR = {
    "StartAt": "Shape",
    "States": {"Shape": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "End": True}},
}


@pytest.fixture(scope="module")
def s3_elsewhere() -> Iterator[Any]:
    """An S3 client on moto's server in its own process, so that tracemalloc counts only this
    process's memory (an in-process moto server would hold every uploaded object)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    try:
        for _ in range(500):  # bounded wait for the server to listen
            try:
                client.list_buckets()
                break
            except EndpointConnectionError:
                time.sleep(0.02)
        yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_100k_items_from_jsonl_to_a_result_writer_in_bounded_memory(s3_elsewhere: Any) -> None:
    s3_client = s3_elsewhere
    s3_client.create_bucket(Bucket="scale")
    body = "".join(json.dumps({"id": n, "pad": "x" * 40}) + "\n" for n in range(ITEMS))
    s3_client.put_object(Bucket="scale", Key="items.jsonl", Body=body.encode())
    del body
    payload = spec(
        PROCESSOR,
        items=None,
        itemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSONL"},
            "Parameters": {"Bucket": "scale", "Key": "items.jsonl"},
        },
        resultWriter={
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "scale", "Prefix": "out"},
            "WriterConfig": None,
        },
        maxConcurrency=500,
    )
    integration = MapRunIntegration([], s3=lambda region: s3_client)
    tracemalloc.start()
    try:
        outcome = integration.invoke(request(payload))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    run_id = MAP_RUN_ARN.rsplit(":", 1)[-1]
    assert outcome == TaskSuccess(
        {
            "MapRunArn": MAP_RUN_ARN,
            "ResultWriterDetails": {"Bucket": "scale", "Key": f"out/{run_id}/manifest.json"},
        }
    )
    assert peak < PEAK_BYTES, f"peak {peak / 2**20:.1f} MiB"
    manifest = json.loads(
        s3_client.get_object(Bucket="scale", Key=f"out/{run_id}/manifest.json")["Body"].read()
    )
    assert manifest["ResultFiles"]["FAILED"] == []
    succeeded = manifest["ResultFiles"]["SUCCEEDED"]
    ids: set[int] = set()
    for entry in succeeded:
        results = json.loads(s3_client.get_object(Bucket="scale", Key=entry["Key"])["Body"].read())
        ids.update(json.loads(r["Output"])["id"] for r in results)
    assert ids == set(range(ITEMS))
