"""Example Lambda handler: checks an order and totals it."""

from typing import Any


class InvalidOrderError(Exception):
    """The order cannot be processed."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Return the order total, or raise InvalidOrderError when it has no lines."""
    lines = event.get("lines") or []
    if not lines:
        raise InvalidOrderError(f"order {event.get('orderId')} has no lines")
    total = sum(line["quantity"] * line["price"] for line in lines)
    return {"valid": True, "total": round(total, 2), "lineCount": len(lines)}
