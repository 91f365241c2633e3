"""Choice: evaluates its rules in order and goes to the ``Next`` of the first that matches,
else ``Default``, else fails with ``States.NoChoiceMatched`` (ASL spec: Choice State;
docs: "Choice workflow state" — comparison operators)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from ferry.asl.model import BoolRule, ChoiceRule, ChoiceState, Comparison, ConditionRule
from ferry.engine import flow
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.outcome import Failed, Next, Outcome
from ferry.errors import Failure, StatesError
from ferry.expr import PathNotFound, ReferencePath
from ferry.jsontypes import JSON, is_number

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation

_Resolver = Callable[[ReferencePath], JSON]


def attempt(act: Activation, frame: Frame, state: ChoiceState) -> Outcome:
    """Pick the next state; the matching rule's Assign (and JSONata Output) apply, or the
    state's own when the Default is taken."""
    data = act.effective_input(frame, state)
    matches = _matcher(act, frame, state, data)
    for rule in state.choices:
        if matches(rule):
            return _replace_next(flow.finish(act, frame, state, data, rule), rule.next)
    if state.default is not None:
        return _replace_next(flow.finish(act, frame, state, data), state.default)
    return Failed(
        Failure(
            StatesError.NO_CHOICE_MATCHED,
            f"An error occurred while executing the state '{frame.state}' "
            f"(entered at the event id #{frame.entered_event_id}). "
            "Failed to transition out of the state. No Choice Rule matched the input.",
        )
    )


def _matcher(
    act: Activation, frame: Frame, state: ChoiceState, data: JSON
) -> Callable[[ChoiceRule], bool]:
    if state.query_language == "JSONata":
        return lambda rule: _condition(act, frame, rule)
    resolve = _resolver(act, frame, data)
    return lambda rule: _evaluate(rule, resolve, frame)


def _replace_next(outcome: Next, target: str | None) -> Next:
    return Next(outcome.output, target, outcome.assigned)


def _resolver(act: Activation, frame: Frame, data: JSON) -> _Resolver:
    """Reads a rule's paths from the input, the context object (``$$``) or a variable."""

    def resolve(path: ReferencePath) -> JSON:
        return path.get(act.root_value(path, data, frame))

    return resolve


def _condition(act: Activation, frame: Frame, rule: ChoiceRule) -> bool:
    """A JSONata rule's ``Condition``: true, false, or an expression giving a boolean."""
    assert isinstance(rule, ConditionRule)
    condition = rule.condition
    states = flow.states_binding(act, frame, condition.uses_context)
    return condition.evaluate_typed(states, act.variables(frame), "boolean") is True


def _evaluate(rule: ChoiceRule, resolve: _Resolver, frame: Frame) -> bool:
    if isinstance(rule, BoolRule):
        if rule.operator == "And":
            return all(_evaluate(r, resolve, frame) for r in rule.rules)
        if rule.operator == "Or":
            return any(_evaluate(r, resolve, frame) for r in rule.rules)
        return not _evaluate(rule.rules[0], resolve, frame)
    assert isinstance(rule, Comparison)
    return _compare(rule, resolve, frame)


def _compare(rule: Comparison, resolve: _Resolver, frame: Frame) -> bool:
    op_name = rule.operator
    try:
        value = resolve(rule.variable)
    except PathNotFound:
        if op_name == "IsPresent":
            return rule.value is False
        raise runtime_error(
            frame,
            f"Invalid path '{rule.variable.text}': The choice state's condition path "
            "references an invalid value.",
        ) from None
    if op_name.startswith("Is"):
        return _TYPE_TESTS[op_name](value) is rule.value
    operand = rule.value
    if op_name.endswith("Path"):
        op_name = op_name.removesuffix("Path")
        assert isinstance(operand, ReferencePath)
        try:
            operand = resolve(operand)
        except PathNotFound:
            raise runtime_error(
                frame,
                f"Invalid path '{operand.text}': The choice state's condition path "
                "references an invalid value.",
            ) from None
    family, relation = _split(op_name)
    return _FAMILIES[family](value, operand, relation)


def _split(operator: str) -> tuple[str, str]:
    for family in ("String", "Numeric", "Boolean", "Timestamp"):
        if operator.startswith(family):
            return family, operator.removeprefix(family)
    raise AssertionError(operator)  # the validator admits no other operator


_RELATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _relate(left: object, right: object, relation: str) -> bool:
    return _RELATIONS[relation](left, right)


def _string(value: JSON, operand: JSON, relation: str) -> bool:
    if not isinstance(value, str) or not isinstance(operand, str):
        return False
    if relation == "Matches":
        return _wildcard(operand).fullmatch(value) is not None
    return _relate(value, operand, relation)


def _numeric(value: JSON, operand: JSON, relation: str) -> bool:
    if not is_number(value) or not is_number(operand):
        return False
    return _relate(value, operand, relation)


def _boolean(value: JSON, operand: JSON, relation: str) -> bool:
    del relation  # only BooleanEquals exists
    return isinstance(value, bool) and isinstance(operand, bool) and value == operand


def _timestamp(value: JSON, operand: JSON, relation: str) -> bool:
    left, right = parse_timestamp(value), parse_timestamp(operand)
    if left is None or right is None:
        return False
    return _relate(left, right, relation)


_FAMILIES: dict[str, Callable[[JSON, JSON, str], bool]] = {
    "String": _string,
    "Numeric": _numeric,
    "Boolean": _boolean,
    "Timestamp": _timestamp,
}

_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)


def parse_timestamp(value: JSON) -> datetime | None:
    """An RFC 3339 timestamp with an offset (what AWS accepts), else ``None``."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return None
    text = value.upper().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


_TYPE_TESTS: dict[str, Callable[[JSON], bool]] = {
    "IsNull": lambda v: v is None,
    "IsPresent": lambda _: True,
    "IsNumeric": is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


@cache
def _wildcard(pattern: str) -> re.Pattern[str]:
    """StringMatches: ``*`` matches any run of characters; ``\\*`` and ``\\\\`` are literal."""
    parts: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(".*")
        else:
            parts.append(re.escape(char))
    if escaped:
        parts.append(re.escape("\\"))
    return re.compile("".join(parts), re.DOTALL)
