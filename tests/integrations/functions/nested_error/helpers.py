from typing import Any


def check(event: Any) -> Any:
    """Reject any event."""
    raise ValueError(f"bad value: {event['value']}")
