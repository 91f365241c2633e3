"""Retry and Catch: which rule matches an error, and how long to wait before a retry
(docs: "Handling errors in Step Functions workflows")."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ferry.asl.model import Catcher, Retrier
from ferry.errors import TERMINAL_ERRORS, StatesError


def matches(error_equals: Sequence[str], error: str | None) -> bool:
    """Whether a rule's ErrorEquals covers ``error``.

    ``States.ALL`` matches every error but States.Runtime and States.DataLimitExceeded;
    ``States.TaskFailed`` matches every error but those and ``States.Timeout``.
    """
    if error is not None and error in error_equals:
        return True
    if error in TERMINAL_ERRORS:
        return False
    if StatesError.ALL in error_equals:
        return True
    return StatesError.TASK_FAILED in error_equals and error != StatesError.TIMEOUT


def find_retrier(retriers: Sequence[Retrier], error: str | None) -> int | None:
    """The index of the first retrier that matches, if any."""
    for index, retrier in enumerate(retriers):
        if matches(retrier.error_equals, error):
            return index
    return None


def find_catcher(catchers: Sequence[Catcher], error: str | None) -> Catcher | None:
    """The first catcher that matches, if any."""
    for catcher in catchers:
        if matches(catcher.error_equals, error):
            return catcher
    return None


def delay(retrier: Retrier, attempt: int, seed: str) -> float:
    """Seconds before retry number ``attempt`` (0-based) under ``retrier``.

    ``IntervalSeconds * BackoffRate ** attempt``, capped by MaxDelaySeconds; with
    ``JitterStrategy: FULL`` a uniform draw in [0, that]. The draw is derived from ``seed``
    (execution, state and attempt) so that replaying an execution gives the same delay.
    """
    base = retrier.interval_seconds * retrier.backoff_rate**attempt
    if retrier.max_delay_seconds is not None:
        base = min(base, retrier.max_delay_seconds)
    if retrier.jitter_strategy == "FULL":
        digest = hashlib.sha256(seed.encode()).digest()
        base *= int.from_bytes(digest[:8], "big") / 2**64
    return float(base)
