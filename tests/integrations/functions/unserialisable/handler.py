from typing import Any


def handler(event: Any, context: Any) -> Any:
    """Return a value JSON cannot encode."""
    return {"ids": {1, 2}}
