from decimal import Decimal
from typing import Any


def handler(event: Any, context: Any) -> Any:
    """Return DynamoDB-style Decimal numbers."""
    return {"price": Decimal("1.5"), "count": Decimal("3")}
