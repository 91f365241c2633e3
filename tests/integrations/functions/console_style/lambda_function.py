from typing import Any


def lambda_handler(event: Any, context: Any) -> str:
    """The Lambda console's default layout: lambda_function.lambda_handler."""
    return "console"
