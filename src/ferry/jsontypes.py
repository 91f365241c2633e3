"""The JSON alias that keeps ``Any`` at the edges, and canonical JSON text helpers."""

from __future__ import annotations

import json
from typing import Any

JSON = Any
"""A decoded JSON value: dict, list, str, int, float, bool or None."""


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)

# The C encoder behind json.dumps, built once: JSONEncoder.encode rebuilds it on every call,
# which doubled the cost of encoding each state's input and output for history. Ferry's JSON
# values are trees of JSON types, so no circular-reference markers and no ``default``.
_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODER: Any = (
    None
    if _MAKE_ENCODER is None
    else _MAKE_ENCODER(
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
)


def dumps(value: JSON) -> str:
    """Serialise as AWS does in history and API payloads: compact, non-ASCII kept."""
    if _C_ENCODER is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


def payload_size(value: JSON) -> int:
    """Size in bytes of the UTF-8 JSON text of ``value`` (what the 256 KiB limit counts)."""
    return len(dumps(value).encode("utf-8"))


def type_name(value: JSON) -> str:
    """The JSON type of ``value`` as AWS's messages name it (``null``, ``number``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def is_number(value: JSON) -> bool:
    """Whether ``value`` is a JSON number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
