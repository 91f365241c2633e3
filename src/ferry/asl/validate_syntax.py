"""Syntax checks for the strings inside a definition: JSONPath paths, intrinsic function
calls, JSONata ``{% %}`` wrappers and RFC 3339 timestamps.

Each checker returns ``None`` when the text is valid and otherwise a short English reason.
They check syntax only, as AWS does when a state machine is created: whether a path finds
anything is a run-time question. Paths and intrinsic calls are parsed by ``ferry.expr`` —
the same parsers the engine compiles them with — so a definition that validates also builds.
"""

from __future__ import annotations

import re

from ferry.expr import compile_path, compile_reference_path
from ferry.expr.intrinsics import compile_intrinsic

# RFC 3339 date-time as AWS accepts it in Wait.Timestamp: upper-case T, a zone offset or Z
# (docs: state-wait.html "Timestamps must conform to the RFC3339 profile of ISO 8601 ...
# an uppercase T must separate the date and time portions, and an uppercase Z must denote
# that a numeric time zone offset is not present").
_TIMESTAMP = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)


def check_timestamp(text: str) -> str | None:
    """Check an RFC 3339 timestamp such as ``2016-03-14T01:59:00Z``."""
    if _TIMESTAMP.match(text):
        return None
    return f"{text!r} is not an RFC 3339 timestamp such as '2016-03-14T01:59:00Z'"


def is_jsonata(value: object) -> bool:
    """Whether ``value`` is a JSONata expression string, ``{% ... %}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def check_jsonata_string(text: str) -> str | None:
    """Check that a string opening ``{%`` is a whole, non-empty ``{% ... %}`` expression."""
    if not text.startswith("{%"):
        return None
    if not text.endswith("%}") or len(text) < 4:
        return "a JSONata expression must be written '{% expression %}'"
    if not text[2:-2].strip():
        return "the JSONata expression between '{%' and '%}' is empty"
    return None


def check_reference_path(text: str) -> str | None:
    """Check a Reference Path (ResultPath, ``*Path`` fields): one node, no filters/wildcards."""
    return _check_path(text, reference=True)


def check_path(text: str) -> str | None:
    """Check a JSONPath (InputPath, OutputPath and the paths in ``.$`` values)."""
    return _check_path(text, reference=False)


def check_path_or_intrinsic(text: str) -> str | None:
    """Check a ``.$`` value: a JSONPath, or an intrinsic function call."""
    if text.startswith("States."):
        return check_intrinsic(text)
    return check_path(text)


def check_intrinsic(text: str) -> str | None:
    """Check an intrinsic function call such as ``States.Format('{}', $.name)``."""
    try:
        compile_intrinsic(text)
    except ValueError as error:
        return str(error)
    return None


def _check_path(text: str, *, reference: bool) -> str | None:
    try:
        if reference:
            compile_reference_path(text)
        else:
            compile_path(text)
    except ValueError as error:
        return str(error)
    return None
