"""A function whose entry is its package's __init__.py."""

from typing import Any


def handler(event: Any, context: Any) -> str:
    """Answer from the package itself."""
    return "package"
