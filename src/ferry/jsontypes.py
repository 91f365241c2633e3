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
