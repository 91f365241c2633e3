from typing import Any

CALLS: list[Any] = []


def handler(event: Any, context: Any) -> int:
    """Count invocations in module state: it survives only if the module is loaded once."""
    CALLS.append(event)
    return len(CALLS)
