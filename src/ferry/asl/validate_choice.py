"""Choice rules (docs: state-choice.html).

A JSONPath rule is a comparison — ``Variable`` plus exactly one operator — or a Boolean
``And``/``Or`` (non-empty arrays of rules) or ``Not`` (one rule). A JSONata rule is a
``Condition``. Only top-level rules carry ``Next`` (and ``Assign``/``Output``); nested rules
may not.
"""

from __future__ import annotations

from ferry.asl.diagnostics import pointer
from ferry.asl.validate_base import Checker
from ferry.asl.validate_fields import check_fields_subset
from ferry.asl.validate_syntax import check_reference_path
from ferry.jsontypes import JSON, is_number

_ORDERED = ("LessThanEquals", "GreaterThanEquals")


def _operators() -> dict[str, str]:
    """Operator name -> the kind of operand it takes: string, number, boolean or path."""
    table: dict[str, str] = {}
    for family, kind in (("String", "string"), ("Numeric", "number"), ("Timestamp", "string")):
        names = {f"{family}{suffix}" for suffix in ("Equals", "LessThan", "GreaterThan")}
        names |= {f"{family}{suffix}" for suffix in _ORDERED}
        for name in names:
            table[name] = kind
            table[f"{name}Path"] = "path"
    table["StringMatches"] = "string"
    table["BooleanEquals"] = "boolean"
    table["BooleanEqualsPath"] = "path"
    for name in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        table[name] = "boolean"
    return table


OPERATORS = _operators()
_BOOLEAN_OPS = ("And", "Or", "Not")
_TOP_EXTRA = frozenset({"Next", "Assign", "Output"})
_JSONPATH_RULE = frozenset({"Variable", "Comment", *_BOOLEAN_OPS, *OPERATORS})
_JSONATA_RULE = frozenset({"Condition", "Comment"})


def check_choices(c: Checker, loc: str, value: JSON, jsonata: bool) -> None:
    """Check a Choice state's ``Choices`` array (targets are resolved by the caller)."""
    if not c.array(loc, "Choices", value, nonempty=True):
        return
    for index, rule in enumerate(value):
        _rule(c, pointer(loc, index), rule, jsonata, top=True)


def _rule(c: Checker, loc: str, rule: JSON, jsonata: bool, *, top: bool) -> None:
    if not c.obj(loc, "Choice rule", rule):
        return
    allowed = _JSONATA_RULE if jsonata else _JSONPATH_RULE
    if top:
        allowed = allowed | _TOP_EXTRA
        if "Next" not in rule:
            c.schema(loc, "A top-level Choice rule requires 'Next': the state to go to")
    elif "Next" in rule:
        c.schema(pointer(loc, "Next"), "Only top-level Choice rules may have 'Next'")
        allowed = allowed | {"Next"}  # reported just above; once is enough
    # "Output" belongs to JSONata; check_fields_subset reports it in a JSONPath rule.
    check_fields_subset(c, rule, loc, "Choice rule", allowed | {"Output"}, jsonata=jsonata)
    if jsonata:
        _condition(c, loc, rule)
    else:
        _jsonpath_rule(c, loc, rule)


def _condition(c: Checker, loc: str, rule: dict[str, JSON]) -> None:
    if "Condition" not in rule:
        c.schema(loc, "A JSONata Choice rule requires 'Condition'")
        return
    value = rule["Condition"]
    at = pointer(loc, "Condition")
    if not isinstance(value, bool) and not c.jsonata(at, "Condition", value):
        c.schema(at, "'Condition' must be true, false or a JSONata expression '{% ... %}'")


def _jsonpath_rule(c: Checker, loc: str, rule: dict[str, JSON]) -> None:
    ops = [name for name in rule if name in OPERATORS or name in _BOOLEAN_OPS]
    if len(ops) != 1:
        found = ", ".join(ops) if ops else "none"
        c.schema(
            loc,
            "A Choice rule needs exactly one comparison operator "
            f"(StringEquals, NumericGreaterThan, And, Not, ...); found: {found}",
        )
    for name in ops:
        at = pointer(loc, name)
        if name in _BOOLEAN_OPS:
            _boolean_rule(c, at, name, rule[name])
            if "Variable" in rule:
                c.schema(pointer(loc, "Variable"), f"A '{name}' rule takes no 'Variable'")
        else:
            _operand(c, at, name, rule[name])
    if any(name in OPERATORS for name in ops):
        if "Variable" not in rule:
            c.schema(loc, "A comparison rule requires 'Variable': the path of the value to test")
        else:
            c.syntax(
                pointer(loc, "Variable"),
                "Variable",
                rule["Variable"],
                check_reference_path,
                "reference path",
            )


def _boolean_rule(c: Checker, loc: str, name: str, value: JSON) -> None:
    if name == "Not":
        _rule(c, loc, value, False, top=False)
        return
    if c.array(loc, name, value, nonempty=True):
        for index, rule in enumerate(value):
            _rule(c, pointer(loc, index), rule, False, top=False)


def _operand(c: Checker, loc: str, name: str, value: JSON) -> None:
    kind = OPERATORS[name]
    if kind == "path":
        c.syntax(loc, name, value, check_reference_path, "reference path")
    elif kind == "boolean":
        c.boolean(loc, name, value)
    elif kind == "number" and not is_number(value):
        c.schema(loc, f"'{name}' must be compared with a number, got {value!r}")
    elif kind == "string":
        c.string(loc, name, value)
