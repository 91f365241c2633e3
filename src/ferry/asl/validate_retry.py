"""Retry and Catch: the retrier and catcher fields, and where ``States.ALL`` may appear.

Rules from "Handling errors in Step Functions workflows" (concepts-error-handling.html):
``ErrorEquals`` is a non-empty array of strings; ``States.ALL`` must appear alone in its
``ErrorEquals`` and only in the last retrier or catcher; ``IntervalSeconds`` and
``MaxDelaySeconds`` are positive integers, ``MaxAttempts`` a non-negative integer,
``BackoffRate`` at least 1.0, ``JitterStrategy`` FULL or NONE.
"""

from __future__ import annotations

from ferry.asl.diagnostics import pointer
from ferry.asl.schema_fields import CATCHER_FIELDS, RETRIER_FIELDS
from ferry.asl.validate_base import MAX_INT, Checker
from ferry.asl.validate_fields import check_fields_subset
from ferry.jsontypes import JSON, is_number, type_name

_ALL = "States.ALL"
# MaxDelaySeconds: "a value greater than 0 and less than 31622401" (concepts-error-handling.html).
_MAX_DELAY = 31_622_400


def check_retry(c: Checker, loc: str, value: JSON, jsonata: bool) -> None:
    """Check a ``Retry`` array."""
    if not c.array(loc, "Retry", value):
        return
    for index, retrier in enumerate(value):
        at = pointer(loc, index)
        if not c.obj(at, "Retry element", retrier):
            continue
        check_fields_subset(c, retrier, at, "retrier", RETRIER_FIELDS, jsonata=jsonata)
        _error_equals(c, at, retrier, last=index == len(value) - 1, kind="retrier")
        _retrier_numbers(c, at, retrier)


def check_catch(c: Checker, loc: str, value: JSON, jsonata: bool) -> None:
    """Check a ``Catch`` array (its ``Next`` targets are resolved with the other transitions)."""
    if not c.array(loc, "Catch", value):
        return
    for index, catcher in enumerate(value):
        at = pointer(loc, index)
        if not c.obj(at, "Catch element", catcher):
            continue
        check_fields_subset(c, catcher, at, "catcher", CATCHER_FIELDS, jsonata=jsonata)
        _error_equals(c, at, catcher, last=index == len(value) - 1, kind="catcher")
        if "Next" not in catcher:
            c.schema(at, "A catcher requires 'Next': the state to go to when it matches")


def _error_equals(c: Checker, loc: str, rule: dict[str, JSON], *, last: bool, kind: str) -> None:
    at = pointer(loc, "ErrorEquals")
    if "ErrorEquals" not in rule:
        c.schema(loc, f"A {kind} requires 'ErrorEquals': the error names it matches")
        return
    names = rule["ErrorEquals"]
    if not c.array(at, "ErrorEquals", names, nonempty=True):
        return
    for index, name in enumerate(names):
        if not isinstance(name, str):
            c.schema(pointer(at, index), f"Error names must be strings, got {type_name(name)}")
    if _ALL in names and len(names) > 1:
        c.schema(at, f"'{_ALL}' must appear alone in its ErrorEquals array")
    if _ALL in names and not last:
        c.schema(at, f"A {kind} matching '{_ALL}' must be the last {kind} in its array")


def _retrier_numbers(c: Checker, loc: str, retrier: dict[str, JSON]) -> None:
    if "IntervalSeconds" in retrier:
        c.integer(pointer(loc, "IntervalSeconds"), "IntervalSeconds", retrier["IntervalSeconds"], 1)
    if "MaxAttempts" in retrier:
        c.integer(pointer(loc, "MaxAttempts"), "MaxAttempts", retrier["MaxAttempts"], 0)
    if "MaxDelaySeconds" in retrier:
        value = retrier["MaxDelaySeconds"]
        c.integer(pointer(loc, "MaxDelaySeconds"), "MaxDelaySeconds", value, 1, _MAX_DELAY)
    if "BackoffRate" in retrier:
        rate = retrier["BackoffRate"]
        if not is_number(rate) or rate < 1.0 or rate > MAX_INT:
            c.schema(
                pointer(loc, "BackoffRate"),
                f"'BackoffRate' must be a number of at least 1.0, got {rate!r}",
            )
    strategy = retrier.get("JitterStrategy", "NONE")
    if strategy not in ("FULL", "NONE"):
        c.schema(
            pointer(loc, "JitterStrategy"),
            f"'JitterStrategy' must be 'FULL' or 'NONE', got {strategy!r}",
        )
