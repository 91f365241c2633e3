"""The JSON alias that keeps ``Any`` at the edges, and canonical JSON text helpers."""

from __future__ import annotations

import json
from typing import Any

JSON = Any
"""A decoded JSON value: dict, list, str, int, float, bool or None."""


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value: JSON) -> str:
    """Serialise as AWS does in history and API payloads: compact, non-ASCII kept."""
    return _ENCODER.encode(value)


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
