"""A handler that fails its item's first attempt, idempotently.

The attempt is recognised by ``context.aws_request_id`` (stable across a crash re-run of the same
attempt): a re-run of the first attempt fails again, so a crash never changes the retry path.
"""

from __future__ import annotations

from typing import Any

from . import journal


class FlakyError(Exception):
    """The first attempt at an item always fails with this."""


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Log the invocation; fail on the item's first attempt (unless not ``flaky``)."""
    item = str(event["item"])
    request_id: str = context.aws_request_id
    journal.append_line(journal.LOG_NAME, f"flaky\t{item}\t{request_id}")
    flaky = event.get("flaky", True)
    if flaky and journal.first_request_id(item, request_id) == request_id:
        raise FlakyError(f"first attempt at {item} fails")
    return {"item": item, "done": True}
