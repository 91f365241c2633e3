"""ItemReader: the items of a Distributed Map's S3 dataset, streamed.

Rules from "ItemReader (Map)" (docs step-functions/latest/dg/input-output-itemreader.html):

- ``arn:aws:states:::s3:getObject`` reads one object whose ``ReaderConfig.InputType`` is
  ``JSON`` (an array), ``JSONL``, ``CSV`` (``CSVHeaderLocation`` ``FIRST_ROW`` or ``GIVEN`` with
  ``CSVHeaders``; ``CSVDelimiter`` ``COMMA`` (default), ``PIPE``, ``SEMICOLON``, ``SPACE``,
  ``TAB``; every value a string; short rows padded with empty strings, long rows cut) or
  ``MANIFEST`` (an S3 Inventory ``manifest.json``, CSV reports only, ``ManifestType``
  ``S3_INVENTORY``). ``ManifestType`` ``ATHENA_DATA`` reads the data files an Athena manifest
  lists. ``ItemsPointer`` selects a nested array of a JSON file. Objects ending ``.gz`` are
  gunzipped; ``.zstd`` and ``PARQUET`` are not supported here (Python has no reader for them
  in its standard library) and fail with a message saying so.
- ``arn:aws:states:::s3:listObjectsV2`` yields one item per object: ``Etag``, ``Key``,
  ``LastModified`` (Unix seconds), ``Size``, ``StorageClass``; with ``Transformation``
  ``LOAD_AND_FLATTEN`` it yields the items inside each listed object instead.
- ``ReaderConfig.MaxItems`` (0 or absent: all) stops reading after that many items; at most
  100,000,000. A file may hold up to 10 GB, an item up to 8 MB.

Every failure — bad configuration, an S3 error, a malformed file — raises
:class:`ItemReaderFailed` (``States.ItemReaderFailed``) with a cause naming what was wrong.
Configuration errors are raised by :func:`read_items` itself; data errors while iterating.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ferry.distributed import formats
from ferry.errors import StatesError
from ferry.jsontypes import JSON

S3Client = Any
"""A boto3 S3 client (Any: no S3 type stubs are installed)."""

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS_V2 = "arn:aws:states:::s3:listObjectsV2"
MAX_ITEMS_LIMIT = 100_000_000
MAX_FILE_BYTES = 10 * 1000**3
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
INPUT_TYPES = ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
_CHUNK_BYTES = 64 * 1024


class ItemReaderFailed(Exception):  # noqa: N818 - named after the ASL error it carries
    """The Map Run could not read its items: ``States.ItemReaderFailed`` with ``cause``."""

    error = StatesError.ITEM_READER_FAILED.value

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


@dataclass(frozen=True, slots=True)
class _Config:
    """The validated ``ReaderConfig``."""

    input_type: str | None
    delimiter: str
    header_location: str | None
    headers: tuple[str, ...] | None
    max_items: int
    items_pointer: str | None
    transformation: str
    manifest_type: str | None


def read_items(reader: dict[str, JSON], s3: S3Client) -> Iterator[JSON]:
    """The items ``reader`` (the evaluated ``ItemReader``) designates, read lazily from S3.

    Raises:
        ItemReaderFailed: at once for a bad configuration; while iterating for S3 errors
            and malformed data.
    """
    if not isinstance(reader, dict):
        raise ItemReaderFailed("ItemReader must be a JSON object")
    resource = reader.get("Resource")
    if resource not in (GET_OBJECT, LIST_OBJECTS_V2):
        raise ItemReaderFailed(
            f"ItemReader.Resource {resource!r} is not supported: expected "
            f"{GET_OBJECT!r} or {LIST_OBJECTS_V2!r}"
        )
    config = _config(reader.get("ReaderConfig"), listing=resource == LIST_OBJECTS_V2)
    parameters = _parameters(reader, key_required=resource == GET_OBJECT)
    if resource == LIST_OBJECTS_V2:
        items = _listed(s3, parameters, config)
    else:
        items = _object(s3, parameters, config)
    guarded = _guarded(items)
    return islice(guarded, config.max_items) if config.max_items else guarded


def _guarded(items: Iterator[JSON]) -> Iterator[JSON]:
    """``items`` with S3 and format errors turned into ItemReaderFailed."""
    try:
        yield from items
    except formats.FormatError as exc:
        raise ItemReaderFailed(str(exc)) from None
    except ClientError as exc:
        raise ItemReaderFailed(_client_error_cause(exc)) from None
    except BotoCoreError as exc:
        raise ItemReaderFailed(f"S3 request failed: {exc}") from None


def _client_error_cause(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    operation = exc.operation_name
    code = error.get("Code", "Unknown")
    message = error.get("Message") or ""
    return f"S3 {operation} failed: {code}: {message}".rstrip(": ")


def _parameters(reader: dict[str, JSON], *, key_required: bool) -> dict[str, JSON]:
    parameters = reader.get("Parameters", reader.get("Arguments"))
    if not isinstance(parameters, dict):
        raise ItemReaderFailed("ItemReader.Parameters must be a JSON object with Bucket")
    if not isinstance(parameters.get("Bucket"), str) or not parameters["Bucket"]:
        raise ItemReaderFailed("ItemReader.Parameters.Bucket must be a non-empty string")
    if key_required and not isinstance(parameters.get("Key"), str):
        raise ItemReaderFailed("ItemReader.Parameters.Key must be a string for s3:getObject")
    return {name: value for name, value in parameters.items() if value is not None}


def _config(raw: JSON, *, listing: bool) -> _Config:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ItemReaderFailed("ItemReader.ReaderConfig must be a JSON object")
    manifest_type = _choice(raw, "ManifestType", ("S3_INVENTORY", "ATHENA_DATA"), None)
    input_type = _choice(raw, "InputType", INPUT_TYPES, None)
    transformation = _choice(raw, "Transformation", ("NONE", "LOAD_AND_FLATTEN"), "NONE")
    _check_input_type(input_type, manifest_type, transformation, listing=listing)
    csv = input_type in {"CSV", "MANIFEST"} or manifest_type is not None
    location = _choice(raw, "CSVHeaderLocation", ("FIRST_ROW", "GIVEN"), None)
    if input_type == "CSV" and location is None:
        raise ItemReaderFailed("ReaderConfig.CSVHeaderLocation is required when InputType is CSV")
    for name in ("CSVHeaderLocation", "CSVDelimiter"):
        if name in raw and not csv:
            raise ItemReaderFailed(f"ReaderConfig.{name} applies only to InputType CSV or MANIFEST")
    return _Config(
        input_type=input_type,
        delimiter=DELIMITERS[_choice(raw, "CSVDelimiter", tuple(DELIMITERS), "COMMA") or "COMMA"],
        header_location=location,
        headers=_headers(raw, location),
        max_items=_max_items(raw.get("MaxItems")),
        items_pointer=_items_pointer(raw.get("ItemsPointer"), input_type),
        transformation=transformation or "NONE",
        manifest_type=manifest_type,
    )


def _check_input_type(
    input_type: str | None, manifest_type: str | None, transformation: str | None, *, listing: bool
) -> None:
    if input_type == "PARQUET":
        raise ItemReaderFailed("ReaderConfig.InputType PARQUET is not supported by Ferry")
    if manifest_type == "S3_INVENTORY" and input_type not in (None, "MANIFEST"):
        raise ItemReaderFailed(
            "ReaderConfig.InputType must be absent when ManifestType is S3_INVENTORY"
        )
    if manifest_type == "ATHENA_DATA" and input_type not in ("CSV", "JSONL"):
        raise ItemReaderFailed(
            "ReaderConfig.InputType must be CSV or JSONL when ManifestType is ATHENA_DATA"
        )
    if listing and transformation == "LOAD_AND_FLATTEN" and input_type in (None, "MANIFEST"):
        raise ItemReaderFailed(
            "ReaderConfig.InputType must be CSV, JSON or JSONL "
            "when Transformation is LOAD_AND_FLATTEN"
        )
    if not listing and input_type is None and manifest_type is None:
        raise ItemReaderFailed(
            "ReaderConfig.InputType is required for s3:getObject: "
            "expected one of CSV, JSON, JSONL, MANIFEST"
        )


def _choice(
    raw: dict[str, JSON], name: str, allowed: tuple[str, ...], default: str | None
) -> str | None:
    value = raw.get(name, default)
    if value is not None and value not in allowed:
        raise ItemReaderFailed(
            f"ReaderConfig.{name} {value!r} is not valid: expected one of {', '.join(allowed)}"
        )
    return value


def _headers(raw: dict[str, JSON], location: str | None) -> tuple[str, ...] | None:
    headers = raw.get("CSVHeaders")
    if location != "GIVEN":
        if headers is not None:
            raise ItemReaderFailed(
                "ReaderConfig.CSVHeaders is allowed only with CSVHeaderLocation GIVEN"
            )
        return None
    if not isinstance(headers, list) or not headers or not all(isinstance(h, str) for h in headers):
        raise ItemReaderFailed(
            "ReaderConfig.CSVHeaders must be a non-empty array of strings "
            "when CSVHeaderLocation is GIVEN"
        )
    return _unique_headers(headers)


def _unique_headers(headers: list[str]) -> tuple[str, ...]:
    if len(set(headers)) < len(headers):
        raise ItemReaderFailed("CSV headers cannot contain duplicates.")
    return tuple(headers)


def _max_items(value: JSON) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ITEMS_LIMIT:
        raise ItemReaderFailed(
            f"ReaderConfig.MaxItems must be an integer from 0 to {MAX_ITEMS_LIMIT}, got {value!r}"
        )
    return value


def _items_pointer(value: JSON, input_type: str | None) -> str | None:
    if value is None:
        return None
    if (
        input_type != "JSON"
        or not isinstance(value, str)
        or not (value == "" or value.startswith("/"))
    ):
        raise ItemReaderFailed(
            "ReaderConfig.ItemsPointer must be a JSON Pointer such as '/a/b', with InputType JSON"
        )
    return value


def _listed(s3: S3Client, parameters: dict[str, JSON], config: _Config) -> Iterator[JSON]:
    """ListObjectsV2, every page: object metadata, or the objects' items (LOAD_AND_FLATTEN)."""
    for page in s3.get_paginator("list_objects_v2").paginate(**parameters):
        for entry in page.get("Contents", []):
            if config.transformation == "LOAD_AND_FLATTEN":
                if not (entry["Key"].endswith("/") and entry["Size"] == 0):  # a console "folder"
                    target = {"Bucket": parameters["Bucket"], "Key": entry["Key"]}
                    yield from _object(s3, target, config)
            else:
                yield _object_metadata(entry)


def _object_metadata(entry: dict[str, Any]) -> JSON:
    return {
        "Etag": entry["ETag"],
        "Key": entry["Key"],
        "LastModified": int(entry["LastModified"].timestamp()),
        "Size": entry["Size"],
        "StorageClass": entry.get("StorageClass", "STANDARD"),
    }


def _object(s3: S3Client, parameters: dict[str, JSON], config: _Config) -> Iterator[JSON]:
    """The items of one object, parsed as ``config`` says."""
    if config.manifest_type == "ATHENA_DATA":
        yield from _athena_data(s3, parameters, config)
        return
    if config.input_type == "MANIFEST" or config.manifest_type == "S3_INVENTORY":
        yield from _inventory(s3, parameters)
        return
    chunks = _chunks(s3, parameters)
    if config.input_type == "JSON":
        if config.items_pointer is None:
            yield from formats.json_array(chunks)
        else:
            yield from _pointed(chunks, config.items_pointer)
    elif config.input_type == "JSONL":
        yield from formats.json_lines(chunks)
    else:
        yield from _csv_items(chunks, config.delimiter, config.headers)


def _chunks(s3: S3Client, parameters: dict[str, JSON]) -> Iterator[bytes]:
    """The object's bytes in chunks, gunzipped when its key ends ``.gz``/``.gzip``."""
    key = str(parameters["Key"])
    if key.endswith((".zstd", ".zst")):
        raise ItemReaderFailed(f"object '{key}' is ZSTD-compressed, which Ferry cannot read")
    response = s3.get_object(**parameters)
    size = response.get("ContentLength", 0)
    if size > MAX_FILE_BYTES:
        raise ItemReaderFailed(
            f"object '{key}' is {size} bytes, over the 10 GB an ItemReader reads"
        )
    body = response["Body"].iter_chunks(_CHUNK_BYTES)
    return _gunzipped(body, key) if key.endswith((".gz", ".gzip")) else body


def _gunzipped(chunks: Iterable[bytes], key: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        for chunk in chunks:
            yield inflater.decompress(chunk)
        yield inflater.flush()
    except zlib.error as exc:
        raise ItemReaderFailed(f"object '{key}' is not valid gzip data: {exc}") from None


def _pointed(chunks: Iterator[bytes], pointer: str) -> Iterator[JSON]:
    """The array at JSON Pointer ``pointer`` in a JSON document (read whole: it is nested)."""
    document = formats.json_document(chunks)
    node = document
    for token in pointer.split("/")[1:]:
        name = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and name in node:
            node = node[name]
        elif isinstance(node, list) and name.isdigit() and int(name) < len(node):
            node = node[int(name)]
        else:
            raise ItemReaderFailed(
                f"ReaderConfig.ItemsPointer '{pointer}' matches nothing in the file"
            )
    if not isinstance(node, list):
        raise ItemReaderFailed(f"ReaderConfig.ItemsPointer '{pointer}' does not point to an array")
    yield from node


def _csv_items(
    chunks: Iterator[bytes], delimiter: str, headers: tuple[str, ...] | None
) -> Iterator[JSON]:
    """One object per record, keyed by the header; all values strings as in the file."""
    records = formats.delimited_records(chunks, delimiter)
    if headers is None:
        first = next(records, None)
        if first is None:
            return
        headers = _unique_headers(first)
    for record in records:
        yield {name: record[i] if i < len(record) else "" for i, name in enumerate(headers)}


def _inventory(s3: S3Client, parameters: dict[str, JSON]) -> Iterator[JSON]:
    """The objects an S3 Inventory report lists, one item per CSV row (fields as strings)."""
    manifest = formats.json_document(_chunks(s3, parameters))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ItemReaderFailed("the S3 Inventory manifest has no 'files' array")
    if manifest.get("fileFormat") != "CSV":
        raise ItemReaderFailed("only CSV S3 Inventory reports can be read (fileFormat must be CSV)")
    headers = tuple(name.strip() for name in str(manifest.get("fileSchema", "")).split(","))
    bucket = str(manifest.get("destinationBucket", "")).removeprefix("arn:aws:s3:::")
    for entry in manifest["files"]:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str):
            raise ItemReaderFailed("an entry of the S3 Inventory manifest's 'files' has no 'key'")
        yield from _csv_items(_chunks(s3, {"Bucket": bucket, "Key": key}), ",", headers)


def _athena_data(s3: S3Client, parameters: dict[str, JSON], config: _Config) -> Iterator[JSON]:
    """The items of every data file an Athena UNLOAD manifest lists (one ``s3://`` URI a line)."""
    data = replace(config, manifest_type=None)
    for _number, line in formats.text_lines(_chunks(s3, parameters)):
        uri = line.strip()
        if not uri:
            continue
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or not key:
            raise ItemReaderFailed(f"the Athena manifest lists {uri!r}, which is not an s3:// URI")
        yield from _object(s3, {"Bucket": bucket, "Key": key}, data)
