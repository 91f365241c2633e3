"""ResultWriter: export a Map Run's child execution results to S3, as Step Functions does.

Rules from "ResultWriter (Map)" (docs step-functions/latest/dg/input-output-resultwriter.html):

- Files go under ``<Prefix>/<map run id>/``: ``SUCCEEDED_n.json`` (succeeded children),
  ``FAILED_n.json`` (failed, timed out and aborted), ``PENDING_n.json`` (never started because
  the Map Run failed or was aborted), ``n`` counting from 0; a file stops at 5 GB and the
  results go on in the next. ``manifest.json`` lists them::

      {"DestinationBucket": ..., "MapRunArn": ...,
       "ResultFiles": {"FAILED": [{"Key": ..., "Size": ...}], "PENDING": [], "SUCCEEDED": [...]}}

  (the shape of manifests AWS wrote, as consumers of them show). The Map state's result is
  ``{"MapRunArn": ..., "ResultWriterDetails": {"Bucket": ..., "Key": ".../manifest.json"}}``.
- ``WriterConfig.Transformation``: ``NONE`` (default when exporting) writes each child's record
  (ExecutionArn, Input, Output as JSON text, Status, dates...); ``COMPACT`` writes only the
  outputs; ``FLATTEN`` writes the outputs with array outputs spliced in. Failed children are
  always written unchanged, as with NONE. ``WriterConfig.OutputType``: ``JSON`` (an array) or
  ``JSONL`` (one result per line).

Memory stays bounded: each status's current file is sent as an S3 multipart upload, one part
(8 MiB) at a time, which is why AWS's IAM policy for ResultWriter grants
``s3:ListMultipartUploadParts`` and ``s3:AbortMultipartUpload``.
S3 errors raise :class:`ResultWriterFailed` (``States.ResultWriterFailed``).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ferry.errors import StatesError
from ferry.jsontypes import JSON, dumps

S3Client = Any
"""A boto3 S3 client (Any: no S3 type stubs are installed)."""

PUT_OBJECT = "arn:aws:states:::s3:putObject"
RESULT_FILE_BYTES = 5 * 1000**3
PART_BYTES = 8 * 1024 * 1024
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")
_FILE_OF_STATUS = {
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "TIMED_OUT": "FAILED",
    "ABORTED": "FAILED",
    "PENDING": "PENDING",
}
_FILE_KINDS = ("FAILED", "PENDING", "SUCCEEDED")
_JSON_TEXT = ("Input", "Output")  # fields AWS's records hold as JSON text


class ResultWriterFailed(Exception):  # noqa: N818 - named after the ASL error it carries
    """The Map Run could not export its results: ``States.ResultWriterFailed`` with ``cause``."""

    error = StatesError.RESULT_WRITER_FAILED.value

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def writer_config(spec: JSON) -> tuple[str, str]:
    """``(Transformation, OutputType)`` of a ResultWriter's WriterConfig, validated.

    The defaults are those of an export: NONE and JSON (without an export, AWS's default
    transformation is COMPACT — the runtime's concern, as it returns the outputs itself).
    """
    config = spec.get("WriterConfig") if isinstance(spec, dict) else None
    if config is None:
        return "NONE", "JSON"
    if not isinstance(config, dict):
        raise ResultWriterFailed("ResultWriter.WriterConfig must be a JSON object")
    transformation = config.get("Transformation", "NONE")
    output_type = config.get("OutputType", "JSON")
    if transformation not in TRANSFORMATIONS:
        raise ResultWriterFailed(
            f"WriterConfig.Transformation {transformation!r} is not valid: "
            f"expected one of {', '.join(TRANSFORMATIONS)}"
        )
    if output_type not in OUTPUT_TYPES:
        raise ResultWriterFailed(
            f"WriterConfig.OutputType {output_type!r} is not valid: expected JSON or JSONL"
        )
    return transformation, output_type


def transformed(child: dict[str, JSON], transformation: str) -> list[JSON]:
    """What one child contributes to the results under ``transformation`` (0 or more values).

    NONE: the record itself, ``Input``/``Output`` as JSON text. COMPACT: the output. FLATTEN:
    the output, or its elements when it is an array. Children that did not succeed are always
    their unchanged record.
    """
    record = {
        name: dumps(value) if name in _JSON_TEXT and not isinstance(value, str | None) else value
        for name, value in child.items()
    }
    if transformation == "NONE" or child.get("Status") != "SUCCEEDED":
        return [record]
    output = child.get("Output")
    value = json.loads(output) if isinstance(output, str) else output
    if transformation == "FLATTEN" and isinstance(value, list):
        return list(value)
    return [value]


class ResultWriter:
    """Writes one Map Run's results to S3 as they arrive; :meth:`close` writes the manifest."""

    def __init__(
        self,
        spec: dict[str, JSON],
        s3: S3Client,
        map_run_arn: str,
        *,
        file_bytes: int = RESULT_FILE_BYTES,
        part_bytes: int = PART_BYTES,
    ) -> None:
        """Validate ``spec`` (the evaluated ResultWriter) and prepare, writing nothing yet.

        ``file_bytes`` and ``part_bytes`` are AWS's 5 GB file and Ferry's 8 MiB part; tests
        lower them (S3 takes parts of 5 MiB or more but the last).
        """
        if not isinstance(spec, dict) or spec.get("Resource") != PUT_OBJECT:
            raise ResultWriterFailed(f"ResultWriter.Resource must be {PUT_OBJECT!r}")
        parameters = spec.get("Parameters", spec.get("Arguments"))
        if not isinstance(parameters, dict) or not isinstance(parameters.get("Bucket"), str):
            raise ResultWriterFailed("ResultWriter.Parameters.Bucket must be a string")
        prefix = parameters.get("Prefix") or ""
        if not isinstance(prefix, str):
            raise ResultWriterFailed("ResultWriter.Parameters.Prefix must be a string")
        self.bucket: str = parameters["Bucket"]
        self.map_run_arn = map_run_arn
        run_id = map_run_arn.rsplit(":", 1)[-1]
        self.directory = (
            f"{prefix}/{run_id}/" if prefix and not prefix.endswith("/") else f"{prefix}{run_id}/"
        )
        self.transformation, self.output_type = writer_config(spec)
        self._s3 = s3
        self._file_bytes = file_bytes
        self._part_bytes = part_bytes
        self._open: dict[str, _ResultFile] = {}
        self._done: dict[str, list[JSON]] = {kind: [] for kind in _FILE_KINDS}

    def add(self, index: int, child: dict[str, JSON]) -> None:
        """Append child ``index``'s result to the file of its status."""
        kind = _FILE_OF_STATUS.get(str(child.get("Status")))
        if kind is None:
            raise ResultWriterFailed(
                f"child {index} has Status {child.get('Status')!r}: expected one of "
                f"{', '.join(_FILE_OF_STATUS)}"
            )
        for value in transformed(child, self.transformation):
            self._append(kind, dumps(value).encode("utf-8"))

    def close(self) -> JSON:
        """Finish every file, write ``manifest.json`` and return the Map state's result."""
        for kind in _FILE_KINDS:
            self._finish(kind)
        manifest = {
            "DestinationBucket": self.bucket,
            "MapRunArn": self.map_run_arn,
            "ResultFiles": self._done,
        }
        key = f"{self.directory}manifest.json"
        _call(self._s3.put_object, Bucket=self.bucket, Key=key, Body=dumps(manifest).encode())
        return {
            "MapRunArn": self.map_run_arn,
            "ResultWriterDetails": {"Bucket": self.bucket, "Key": key},
        }

    def _append(self, kind: str, entry: bytes) -> None:
        current = self._open.get(kind)
        if current is not None and not current.fits(entry):
            self._finish(kind)
            current = None
        if current is None:
            key = f"{self.directory}{kind}_{len(self._done[kind])}.json"
            current = _ResultFile(self, key)
            self._open[kind] = current
        current.append(entry)

    def _finish(self, kind: str) -> None:
        current = self._open.pop(kind, None)
        if current is not None:
            self._done[kind].append({"Key": current.key, "Size": current.close()})


class _ResultFile:
    """One result file, uploaded in parts as it fills (a JSON array or JSON Lines)."""

    def __init__(self, writer: ResultWriter, key: str) -> None:
        self.key = key
        self._writer = writer
        self._lines = writer.output_type == "JSONL"
        self._buffer = bytearray(b"" if self._lines else b"[")
        self._size = len(self._buffer)
        self._count = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def fits(self, entry: bytes) -> bool:
        """Whether ``entry`` still fits under the file size limit (a first entry always does)."""
        return self._count == 0 or self._size + len(entry) + 2 <= self._writer._file_bytes

    def append(self, entry: bytes) -> None:
        separator = b"," if self._count and not self._lines else b""
        piece = separator + entry + (b"\n" if self._lines else b"")
        self._buffer += piece
        self._size += len(piece)
        self._count += 1
        if len(self._buffer) >= self._writer._part_bytes:
            self._upload_part()

    def close(self) -> int:
        """Upload what is left; the file's size in bytes."""
        if not self._lines:
            self._buffer += b"]"
            self._size += 1
        s3, bucket = self._writer._s3, self._writer.bucket
        if self._upload_id is None:
            _call(s3.put_object, Bucket=bucket, Key=self.key, Body=bytes(self._buffer))
            return self._size
        try:
            if self._buffer:
                self._upload_part()
            _call(
                s3.complete_multipart_upload,
                Bucket=bucket,
                Key=self.key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        except ResultWriterFailed:
            # Leave no half-written upload behind (AWS's policy grants AbortMultipartUpload).
            with contextlib.suppress(ClientError, BotoCoreError):
                s3.abort_multipart_upload(Bucket=bucket, Key=self.key, UploadId=self._upload_id)
            raise
        return self._size

    def _upload_part(self) -> None:
        s3, bucket = self._writer._s3, self._writer.bucket
        if self._upload_id is None:
            created = _call(s3.create_multipart_upload, Bucket=bucket, Key=self.key)
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        part = _call(
            s3.upload_part,
            Bucket=bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"ETag": part["ETag"], "PartNumber": number})
        self._buffer = bytearray()


def _call(operation: Any, **parameters: Any) -> Any:
    """An S3 call, its errors as ResultWriterFailed naming the operation and S3's message."""
    try:
        return operation(**parameters)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise ResultWriterFailed(
            f"S3 {exc.operation_name} failed for bucket '{parameters.get('Bucket')}': "
            f"{error.get('Code', 'Unknown')}: {error.get('Message', '')}"
        ) from None
    except BotoCoreError as exc:
        raise ResultWriterFailed(f"S3 request failed: {exc}") from None
