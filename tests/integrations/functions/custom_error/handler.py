from typing import Any


class OrderRejectedError(Exception):
    """A domain error whose class name a Catch can match."""


def handler(event: Any, context: Any) -> Any:
    """Fail with a custom exception type and a non-ASCII message."""
    raise OrderRejectedError("commande refusée ✗")
