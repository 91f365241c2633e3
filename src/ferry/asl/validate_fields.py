"""Field-by-field checks common to all state types: known field names, the query language a
field belongs to, and each field's JSON type, range and syntax.

Cross-field rules (exactly one of, at most one of, less than) live in ``validate_states``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ferry.asl.diagnostics import INVALID_LABEL_NAME, pointer
from ferry.asl.schema_fields import ALLOWED_FIELDS, JSONATA_ONLY, JSONPATH_ONLY, QUERY_LANGUAGES
from ferry.asl.validate_base import Checker
from ferry.asl.validate_syntax import (
    check_path,
    check_path_or_intrinsic,
    check_reference_path,
    check_timestamp,
    is_jsonata,
)
from ferry.asl.validate_variables import check_variable_name
from ferry.jsontypes import JSON, type_name

FieldCheck = Callable[[Checker, "Field"], None]

# A Map Label: at most 40 characters, none of whitespace, brackets, wildcards, the special
# characters below or control characters (docs: state-map-distributed.html "Label").
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_fields(c: Checker, state: dict[str, JSON], loc: str, kind: str, jsonata: bool) -> None:
    """Check every field of a state of type ``kind`` against its table and its value checker."""
    check_fields_subset(c, state, loc, f"{kind} state", ALLOWED_FIELDS[kind], jsonata=jsonata)


def check_fields_subset(
    c: Checker,
    obj: dict[str, JSON],
    loc: str,
    what: str,
    allowed: frozenset[str],
    *,
    jsonata: bool,
) -> None:
    """Check the fields of ``obj`` (a state, retrier, catcher...) described as ``what``."""
    for name, value in obj.items():
        at = pointer(loc, name)
        if name not in allowed:
            c.schema(at, f"Field '{name}' is not supported in a {what}")
        elif jsonata and name in JSONPATH_ONLY:
            c.schema(
                at,
                f"Field '{name}' is only supported in JSONPath states; "
                f"this state uses JSONata (use Arguments/Output and {{% %}} expressions)",
            )
        elif not jsonata and name in JSONATA_ONLY:
            c.schema(
                at,
                f"Field '{name}' is only supported in JSONata states; "
                'set "QueryLanguage": "JSONata" on the state or use the JSONPath fields',
            )
        else:
            check = _CHECKS.get(name)
            if check:
                check(c, Field(at, name, value, jsonata))


def check_template(c: Checker, loc: str, value: JSON) -> None:
    """Check a JSONPath payload template: every ``key.$`` holds a path or intrinsic call."""
    if isinstance(value, dict):
        for key, item in value.items():
            at = pointer(loc, key)
            if key.endswith(".$"):
                c.syntax(at, key, item, check_path_or_intrinsic, "JSONPath or intrinsic function")
            else:
                check_template(c, at, item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_template(c, pointer(loc, index), item)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a state (or retrier, catcher, rule) being checked."""

    loc: str
    name: str
    value: JSON
    jsonata: bool


def _payload(c: Checker, f: Field) -> None:
    """An object template (Parameters, ResultSelector, ItemSelector, Credentials)."""
    if f.jsonata and is_jsonata(f.value):
        c.jsonata(f.loc, f.name, f.value)
    elif c.obj(f.loc, f.name, f.value):
        if f.jsonata:
            c.jsonata_strings(f.loc, f.value)
        else:
            check_template(c, f.loc, f.value)


def _assign(c: Checker, f: Field) -> None:
    if not c.obj(f.loc, f.name, f.value):
        return
    for key, item in f.value.items():
        at = pointer(f.loc, key)
        # In a JSONPath state ".$" marks a path value; in JSONata it would be part of the name.
        problem = check_variable_name(key if f.jsonata else key.removesuffix(".$"))
        if problem:
            c.schema(at, f"Invalid 'Assign' key: {problem}")
        if f.jsonata:
            c.jsonata_strings(at, item)
        elif key.endswith(".$"):
            c.syntax(at, key, item, check_path_or_intrinsic, "JSONPath or intrinsic function")
        else:
            check_template(c, at, item)


def _any_jsonata(c: Checker, f: Field) -> None:
    """Output/Arguments: any JSON value; its ``{% %}`` strings must be well formed."""
    if f.name == "Arguments" and not isinstance(f.value, dict) and not is_jsonata(f.value):
        got = type_name(f.value)
        c.schema(f.loc, f"'Arguments' must be an object or a JSONata expression, got {got}")
        return
    c.jsonata_strings(f.loc, f.value)


def _items(c: Checker, f: Field) -> None:
    if not c.jsonata(f.loc, f.name, f.value) and not isinstance(f.value, list):
        got = type_name(f.value)
        c.schema(f.loc, f"'Items' must be an array or a JSONata expression, got {got}")


def _path_or_null(c: Checker, f: Field) -> None:
    if f.value is not None:
        c.syntax(f.loc, f.name, f.value, check_path, "JSONPath")


def _result_path(c: Checker, f: Field) -> None:
    if f.value is not None:
        c.syntax(f.loc, f.name, f.value, check_reference_path, "reference path")


def _reference_path(c: Checker, f: Field) -> None:
    c.syntax(f.loc, f.name, f.value, check_reference_path, "reference path")


def _path_or_intrinsic(c: Checker, f: Field) -> None:
    c.syntax(f.loc, f.name, f.value, check_path_or_intrinsic, "JSONPath or intrinsic function")


def _string(c: Checker, f: Field) -> None:
    if c.string(f.loc, f.name, f.value) and f.jsonata:
        c.jsonata(f.loc, f.name, f.value)


def _next(c: Checker, f: Field) -> None:
    c.string(f.loc, f.name, f.value, nonempty=True)


def _boolean(c: Checker, f: Field) -> None:
    c.boolean(f.loc, f.name, f.value)


def _query_language(c: Checker, f: Field) -> None:
    if f.value not in QUERY_LANGUAGES:
        c.schema(f.loc, f"'QueryLanguage' must be 'JSONPath' or 'JSONata', got {f.value!r}")


def _positive(c: Checker, f: Field) -> None:
    c.integer_or_jsonata(f.loc, f.name, f.value, 1, jsonata=f.jsonata)


def _non_negative(c: Checker, f: Field) -> None:
    c.integer_or_jsonata(f.loc, f.name, f.value, 0, jsonata=f.jsonata)


def _timestamp(c: Checker, f: Field) -> None:
    if f.jsonata and c.jsonata(f.loc, f.name, f.value):
        return
    c.syntax(f.loc, f.name, f.value, check_timestamp, "timestamp")


def _percentage(c: Checker, f: Field) -> None:
    if not (f.jsonata and c.jsonata(f.loc, f.name, f.value)):
        c.number(f.loc, f.name, f.value, 0, 100)


def _object(c: Checker, f: Field) -> None:
    c.obj(f.loc, f.name, f.value)


def _label(c: Checker, f: Field) -> None:
    if not c.string(f.loc, f.name, f.value):
        return
    if not f.value or len(f.value) > 40 or _LABEL_FORBIDDEN.search(f.value):
        c.report(
            INVALID_LABEL_NAME,
            f.loc,
            f"Label {f.value!r} is invalid: use 1 to 40 characters without whitespace, "
            'brackets, wildcards, control characters or any of "#%\\^|~`$&,;:/',
        )


_CHECKS: dict[str, FieldCheck] = {
    "Comment": _string,
    "QueryLanguage": _query_language,
    "Next": _next,
    "Default": _next,
    "End": _boolean,
    "InputPath": _path_or_null,
    "OutputPath": _path_or_null,
    "ResultPath": _result_path,
    "ItemsPath": _reference_path,
    "Parameters": _payload,
    "ResultSelector": _payload,
    "ItemSelector": _payload,
    "Credentials": _payload,
    "Assign": _assign,
    "Arguments": _any_jsonata,
    "Output": _any_jsonata,
    "Items": _items,
    "TimeoutSeconds": _positive,
    "HeartbeatSeconds": _positive,
    "Seconds": _non_negative,
    "MaxConcurrency": _non_negative,
    "ToleratedFailureCount": _non_negative,
    "ToleratedFailurePercentage": _percentage,
    "Timestamp": _timestamp,
    "TimeoutSecondsPath": _reference_path,
    "HeartbeatSecondsPath": _reference_path,
    "SecondsPath": _reference_path,
    "TimestampPath": _reference_path,
    "MaxConcurrencyPath": _reference_path,
    "ToleratedFailureCountPath": _reference_path,
    "ToleratedFailurePercentagePath": _reference_path,
    "ErrorPath": _path_or_intrinsic,
    "CausePath": _path_or_intrinsic,
    "Error": _string,
    "Cause": _string,
    "Resource": _next,
    "Label": _label,
    "ItemReader": _object,
    "ItemBatcher": _object,
    "ResultWriter": _object,
}
