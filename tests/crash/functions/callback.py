"""The handler behind the callback task: hands its task token to the test through a file."""

from __future__ import annotations

from typing import Any

from . import journal


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Log the invocation and publish ``event["token"]`` for the test to answer."""
    journal.append_line(journal.LOG_NAME, f"callback\t-\t{context.aws_request_id}")
    journal.append_line(journal.TOKENS_NAME, str(event["token"]))
    return {"accepted": True}
