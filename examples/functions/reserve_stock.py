"""Example Lambda handler: reserves stock for one order line."""

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Pretend to reserve ``quantity`` of ``sku``; report the request id that did it."""
    return {
        "sku": event["sku"],
        "reserved": event["quantity"],
        "line": event["line"],
        "by": context.function_name,
    }
