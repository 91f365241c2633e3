"""Between Step Functions' JSON and botocore's shapes, both ways.

Requests: Step Functions writes every parameter in PascalCase even where the service's own
members are camelCase (docs: supported-services-awssdk.html, "API naming conventions": "Parameters
in Step Functions are expressed in PascalCase, even if the native service API is in
camelCase"), so a parameter binds to the member whose name matches it ignoring case; a JSON
object or array given for a string member is sent as its JSON text.

Responses: member names come back in PascalCase too (ECS's ``tasks`` is ``Tasks``), timestamps
as ISO-8601 UTC text the way the AWS SDK for Java prints an ``Instant`` (``2024-05-01T10:00:00Z``,
fractions only when present), blobs as base64 text and streamed bodies (S3 ``GetObject``'s
``Body``) as their UTF-8 text. ``ResponseMetadata`` is dropped.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.response import StreamingBody

from ferry.jsontypes import JSON, dumps


def to_request(params: JSON, shape: Shape | None) -> Any:
    """Bind Step Functions parameters to the members of botocore input ``shape``."""
    if shape is None:
        return params
    if isinstance(shape, StructureShape) and isinstance(params, dict):
        return _structure_in(params, shape)
    if isinstance(shape, ListShape) and isinstance(params, list):
        return [to_request(item, shape.member) for item in params]
    if isinstance(shape, MapShape) and isinstance(params, dict):
        return {key: to_request(value, shape.value) for key, value in params.items()}
    if shape.type_name == "string" and isinstance(params, dict | list):
        return dumps(params)
    return params


def _structure_in(params: dict[str, JSON], shape: StructureShape) -> dict[str, Any]:
    members = {name.lower(): (name, member) for name, member in shape.members.items()}
    bound: dict[str, Any] = {}
    for key, value in params.items():
        found = members.get(key.lower())
        if found is None:
            # Unknown names go through unchanged: botocore reports them as AWS would.
            bound[key] = value
            continue
        name, member = found
        bound[name] = to_request(value, member)
    return bound


def _scalar(value: Any) -> JSON:
    if isinstance(value, dt.datetime):
        return instant(value)
    if isinstance(value, StreamingBody):
        return value.read().decode("utf-8", errors="replace")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "as_tuple"):  # Decimal, from a few services' number types
        return float(value) if value % 1 else int(value)
    return value


def instant(value: dt.datetime) -> str:
    """``value`` in UTC as Java's ``Instant.toString`` prints it."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        micros = f"{value.microsecond:06d}"
        text += "." + (micros[:3] if micros.endswith("000") else micros)
    return text + "Z"


def to_json(value: Any, shape: Shape | None) -> JSON:
    """A botocore response (or part of one) of output ``shape`` as Step Functions' JSON.

    Only structure members are re-cased; map keys are user data (DynamoDB attribute names,
    message attributes) and keep their case.
    """
    if isinstance(value, dict):
        if isinstance(shape, StructureShape):
            return {
                _pascal(key): to_json(item, shape.members.get(key))
                for key, item in value.items()
                if key != "ResponseMetadata"
            }
        inner = shape.value if isinstance(shape, MapShape) else None
        return {key: to_json(item, inner) for key, item in value.items()}
    if isinstance(value, list):
        member = shape.member if isinstance(shape, ListShape) else None
        return [to_json(item, member) for item in value]
    return _scalar(value)


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]
