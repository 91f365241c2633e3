"""ItemReader against moto's S3 on loopback.

Expected items come from "ItemReader (Map)" (docs step-functions/latest/dg/
input-output-itemreader.html) and "How Step Functions parses input CSV files" (docs
step-functions/latest/dg/example-csv-parse-dist-map.html).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from ferry.distributed.reader import GET_OBJECT, LIST_OBJECTS_V2, ItemReaderFailed, read_items
from ferry.jsontypes import JSON

FACTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]


@pytest.fixture
def bucket(s3_client: Any) -> str:
    name = f"items-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


def _get(bucket: str, key: str, **config: JSON) -> dict[str, JSON]:
    return {
        "Resource": GET_OBJECT,
        "ReaderConfig": config,
        "Parameters": {"Bucket": bucket, "Key": key},
    }


def _read(s3: Any, bucket: str, key: str, body: bytes | str, **config: JSON) -> list[JSON]:
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return list(read_items(_get(bucket, key, **config), s3))


def test_json_array_file_yields_its_elements(s3_client: Any, bucket: str) -> None:
    # docs: "JSON file in an Amazon S3 bucket" — each child gets one array element.
    items = _read(
        s3_client, bucket, "jsonDataset/factcheck.json", json.dumps(FACTS), InputType="JSON"
    )
    assert items == FACTS


def test_json_array_elements_split_across_chunks_decode_whole(s3_client: Any, bucket: str) -> None:
    # 64 KiB read chunks: numbers and strings cut at a chunk edge must still decode whole.
    data = [{"n": 1234567890 + i, "s": "é" * (i % 50)} for i in range(20_000)]
    items = _read(s3_client, bucket, "big.json", json.dumps(data), InputType="JSON")
    assert items == data


def test_json_items_pointer_selects_nested_array(s3_client: Any, bucket: str) -> None:
    # docs: ItemsPointer "/inventory/products/featured" extracts a nested list.
    document = {"inventory": {"products": {"featured": FACTS[:2], "other": [1]}}}
    items = _read(
        s3_client,
        bucket,
        "nested-data-file.json",
        json.dumps(document),
        InputType="JSON",
        ItemsPointer="/inventory/products/featured",
    )
    assert items == FACTS[:2]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"a": 1}', "does not hold a JSON array"),
        ("[1, 2", "expected ',' or ']'"),
        ("[1, 2] 3", "after the closing ']'"),
        ("[1, nope]", "array element 1 is not JSON"),
    ],
)
def test_malformed_json_file_fails_item_reader(
    s3_client: Any, bucket: str, body: str, message: str
) -> None:
    with pytest.raises(ItemReaderFailed, match=message) as caught:
        _read(s3_client, bucket, "bad.json", body, InputType="JSON")
    assert caught.value.error == "States.ItemReaderFailed"


def test_jsonl_file_yields_one_item_per_line(s3_client: Any, bucket: str) -> None:
    # docs: "JSON Lines file in an Amazon S3 bucket"; blank lines (a trailing newline) skipped.
    body = "\r\n".join(json.dumps(fact) for fact in FACTS) + "\n\n"
    items = _read(s3_client, bucket, "jsonlDataset/factcheck.jsonl", body, InputType="JSONL")
    assert items == FACTS


def test_jsonl_bad_line_names_the_line(s3_client: Any, bucket: str) -> None:
    with pytest.raises(ItemReaderFailed, match="line 2 is not JSON"):
        _read(s3_client, bucket, "bad.jsonl", '{"a":1}\n{"a":\n', InputType="JSONL")


def test_gzipped_jsonl_is_decompressed(s3_client: Any, bucket: str) -> None:
    # docs: input files support GZIP compression, e.g. myObject.jsonl.gz.
    body = gzip.compress("\n".join(json.dumps(fact) for fact in FACTS).encode())
    assert _read(s3_client, bucket, "myObject.jsonl.gz", body, InputType="JSONL") == FACTS


def test_csv_first_row_header_values_are_strings(s3_client: Any, bucket: str) -> None:
    # docs: the ratings.csv example — every field a string, keyed by the header row.
    body = "userId,movieId,rating,timestamp\n1,307,3.5,1256677221\n1,481,3.5,1256677456\n"
    items = _read(
        s3_client, bucket, "ratings.csv", body, InputType="CSV", CSVHeaderLocation="FIRST_ROW"
    )
    assert items == [
        {"userId": "1", "movieId": "307", "rating": "3.5", "timestamp": "1256677221"},
        {"userId": "1", "movieId": "481", "rating": "3.5", "timestamp": "1256677456"},
    ]


def test_csv_given_headers_short_rows_padded_long_rows_cut(s3_client: Any, bucket: str) -> None:
    # docs: fewer fields than headers -> empty strings; more -> the extra fields skipped.
    body = "1,307,3.5,1256677221\n1,481\n1,1091,1.5,1256677471,extra\n"
    items = _read(
        s3_client,
        bucket,
        "ratings.csv",
        body,
        InputType="CSV",
        CSVHeaderLocation="GIVEN",
        CSVHeaders=["userId", "movieId", "rating", "timestamp"],
    )
    assert items == [
        {"userId": "1", "movieId": "307", "rating": "3.5", "timestamp": "1256677221"},
        {"userId": "1", "movieId": "481", "rating": "", "timestamp": ""},
        {"userId": "1", "movieId": "1091", "rating": "1.5", "timestamp": "1256677471"},
    ]


@pytest.mark.parametrize(
    ("name", "char"),
    [("COMMA", ","), ("PIPE", "|"), ("SEMICOLON", ";"), ("SPACE", " "), ("TAB", "\t")],
)
def test_csv_each_delimiter(s3_client: Any, bucket: str, name: str, char: str) -> None:
    # docs: CSVDelimiter COMMA (default), PIPE, SEMICOLON, SPACE, TAB; a quoted field may
    # hold the delimiter.
    body = f'a{char}b\n1{char}"x{char}y"\n'
    items = _read(
        s3_client,
        bucket,
        f"d-{name}.csv",
        body,
        InputType="CSV",
        CSVHeaderLocation="FIRST_ROW",
        CSVDelimiter=name,
    )
    assert items == [{"a": "1", "b": f"x{char}y"}]


def test_csv_quotes_newlines_and_backslashes_as_aws_documents(s3_client: Any, bucket: str) -> None:
    # docs example-csv-parse-dist-map: the myCSVInput.csv row, plus the backslash rules.
    body = (
        'abc,123,"This string contains commas, a double quotation marks (""), and a newline (\n'
        ')",{""MyKey"":""MyValue""},"[1,2,3]"\n'
        'C:\\\\Program Files\\\\MyApp.exe,a\\,b,\\q,"",x\n'
    )
    headers = ["MyLetters", "MyNumbers", "MyString", "MyObject", "MyArray"]
    items = _read(
        s3_client,
        bucket,
        "myCSVInput.csv",
        body,
        InputType="CSV",
        CSVHeaderLocation="GIVEN",
        CSVHeaders=headers,
    )
    assert items[0] == {
        "MyLetters": "abc",
        "MyNumbers": "123",
        "MyString": 'This string contains commas, a double quotation marks ("), and a newline (\n)',
        "MyObject": '{"MyKey":"MyValue"}',
        "MyArray": "[1,2,3]",
    }
    assert items[1] == {
        "MyLetters": "C:\\Program Files\\MyApp.exe",
        "MyNumbers": "a,b",
        "MyString": "q",
        "MyObject": "",
        "MyArray": "x",
    }


def test_csv_duplicate_headers_fail(s3_client: Any, bucket: str) -> None:
    with pytest.raises(ItemReaderFailed, match="CSV headers cannot contain duplicates"):
        _read(
            s3_client,
            bucket,
            "dup.csv",
            "a,a\n1,2\n",
            InputType="CSV",
            CSVHeaderLocation="FIRST_ROW",
        )


def test_list_objects_v2_items_have_aws_shape(s3_client: Any, bucket: str) -> None:
    # docs: "A list of Amazon S3 objects" — {"Etag", "Key", "LastModified" (Unix seconds),
    # "Size", "StorageClass"}; every page is read (MaxKeys forces three pages here).
    for index in range(5):
        s3_client.put_object(Bucket=bucket, Key=f"processData/{index}.txt", Body=b"x" * index)
    s3_client.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"")
    reader = {
        "Resource": LIST_OBJECTS_V2,
        "Parameters": {"Bucket": bucket, "Prefix": "processData/", "MaxKeys": 2},
    }
    items = list(read_items(reader, s3_client))
    assert [item["Key"] for item in items] == [f"processData/{i}.txt" for i in range(5)]
    head = s3_client.head_object(Bucket=bucket, Key="processData/3.txt")
    assert items[3] == {
        "Etag": head["ETag"],
        "Key": "processData/3.txt",
        "LastModified": int(head["LastModified"].timestamp()),
        "Size": 3,
        "StorageClass": "STANDARD",
    }
    assert isinstance(items[3]["LastModified"], int)


def test_list_objects_v2_load_and_flatten_reads_each_object(s3_client: Any, bucket: str) -> None:
    # docs: Transformation LOAD_AND_FLATTEN iterates the data inside the listed objects.
    s3_client.put_object(Bucket=bucket, Key="logs/", Body=b"")
    s3_client.put_object(Bucket=bucket, Key="logs/a.jsonl", Body=b'{"n":1}\n{"n":2}\n')
    s3_client.put_object(Bucket=bucket, Key="logs/b.jsonl", Body=b'{"n":3}\n')
    reader = {
        "Resource": LIST_OBJECTS_V2,
        "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"},
        "Parameters": {"Bucket": bucket, "Prefix": "logs/"},
    }
    assert list(read_items(reader, s3_client)) == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_max_items_stops_reading(s3_client: Any, bucket: str) -> None:
    # docs: MaxItems — the Distributed Map stops reading items after that many.
    body = "\n".join(json.dumps({"i": i}) for i in range(10))
    items = _read(s3_client, bucket, "ten.jsonl", body, InputType="JSONL", MaxItems=3)
    assert items == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert len(_read(s3_client, bucket, "ten.jsonl", body, InputType="JSONL", MaxItems=0)) == 10


def test_s3_inventory_manifest_lists_objects(s3_client: Any, bucket: str) -> None:
    # docs: "Amazon S3 inventory" — the manifest's fileSchema names the CSV columns; values
    # stay strings (the child input example has "Size": "3399671").
    rows = (
        '"src","csvDataset/","0","2022-11-16T00:27:19.000Z"\n'
        '"src","csvDataset/titles.csv","3399671","2022-11-16T00:29:32.000Z"\n'
    )
    data_key = "inv/src/config/data/20e55de8.csv.gz"
    s3_client.put_object(Bucket=bucket, Key=data_key, Body=gzip.compress(rows.encode()))
    manifest = {
        "sourceBucket": "src",
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "version": "2016-11-30",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate",
        "files": [{"key": data_key, "size": 7300, "MD5checksum": "x"}],
    }
    items = _read(
        s3_client, bucket, "inv/manifest.json", json.dumps(manifest), InputType="MANIFEST"
    )
    assert items[1] == {
        "LastModifiedDate": "2022-11-16T00:29:32.000Z",
        "Bucket": "src",
        "Size": "3399671",
        "Key": "csvDataset/titles.csv",
    }
    assert len(items) == 2


def test_missing_key_fails_item_reader(s3_client: Any, bucket: str) -> None:
    with pytest.raises(ItemReaderFailed, match="NoSuchKey") as caught:
        list(read_items(_get(bucket, "absent.json", InputType="JSON"), s3_client))
    assert caught.value.error == "States.ItemReaderFailed"


def test_missing_bucket_fails_item_reader(s3_client: Any) -> None:
    reader = {"Resource": LIST_OBJECTS_V2, "Parameters": {"Bucket": f"nope-{uuid.uuid4().hex}"}}
    with pytest.raises(ItemReaderFailed, match="NoSuchBucket"):
        list(read_items(reader, s3_client))


@pytest.mark.parametrize(
    ("reader", "message"),
    [
        ({"Resource": "arn:aws:states:::s3:putObject", "Parameters": {}}, "Resource"),
        ({"Resource": GET_OBJECT, "ReaderConfig": {"InputType": "JSON"}}, "Parameters"),
        (
            {
                "Resource": GET_OBJECT,
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket": "b"},
            },
            "Key must be a string",
        ),
        (
            {"Resource": GET_OBJECT, "Parameters": {"Bucket": "b", "Key": "k"}},
            "InputType is required",
        ),
        (_get("b", "k", InputType="XML"), "InputType 'XML' is not valid"),
        (_get("b", "k", InputType="PARQUET"), "PARQUET is not supported"),
        (_get("b", "k", InputType="CSV"), "CSVHeaderLocation is required"),
        (_get("b", "k", InputType="CSV", CSVHeaderLocation="GIVEN"), "CSVHeaders must be"),
        (
            _get("b", "k", InputType="CSV", CSVHeaderLocation="FIRST_ROW", CSVDelimiter="X"),
            "CSVDelimiter",
        ),
        (_get("b", "k", InputType="JSON", CSVDelimiter="PIPE"), "applies only to InputType CSV"),
        (_get("b", "k", InputType="JSON", MaxItems=-1), "MaxItems must be an integer"),
        (_get("b", "k", InputType="JSON", MaxItems=100_000_001), "from 0 to 100000000"),
        (_get("b", "k", InputType="JSONL", ItemsPointer="/a"), "ItemsPointer"),
    ],
)
def test_bad_configuration_fails_at_once(reader: dict[str, JSON], message: str) -> None:
    with pytest.raises(ItemReaderFailed, match=message):
        read_items(reader, None)


@contextlib.contextmanager
def _moto_process() -> Iterator[Any]:
    """An S3 client on a moto server in another process, so tracemalloc sees only the reader.

    (The module's in-process server copies a whole object to serve it, which would be counted.)
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto_server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        yield boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    finally:
        process.terminate()
        process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Block until the server accepts connections (a start-up wait, not an assertion)."""
    while process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"moto_server exited with {process.returncode}")


def test_large_jsonl_is_read_with_flat_memory() -> None:
    # 100,000 lines (~30 MB): the reader streams, so the peak stays far below the object's
    # size (or the ~100 MB its decoded items would take). A memory bound, not a timing one.
    line = json.dumps({"id": 0, "payload": "p" * 280}) + "\n"
    body = "".join(line.replace('"id": 0', f'"id": {i}') for i in range(100_000)).encode()
    with _moto_process() as s3:
        s3.create_bucket(Bucket="big")
        s3.put_object(Bucket="big", Key="big.jsonl", Body=body)
        del body
        tracemalloc.start()
        try:
            count = 0
            last: JSON = None
            for item in read_items(_get("big", "big.jsonl", InputType="JSONL"), s3):
                count += 1
                last = item
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == 100_000
    assert last == {"id": 99_999, "payload": "p" * 280}
    assert peak < 20 * 1024 * 1024
