from typing import Any


def handler(event: Any, context: Any) -> bytes:
    """Return bytes that are not JSON."""
    return b"plain text, not JSON"
