from typing import Any

from . import helpers


def handler(event: Any, context: Any) -> Any:
    """Fail two frames deep, in a sibling module."""
    return helpers.check(event)
