"""A function that is a single module next to the others."""

from typing import Any


def handler(event: Any, context: Any) -> str:
    """Fail, so the stack trace shows how a single-module function's path is reported."""
    raise RuntimeError("single " + str(event))
