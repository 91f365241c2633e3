from typing import Any


def handler(event: Any, context: Any) -> Any:
    """Return the event unchanged."""
    return event
