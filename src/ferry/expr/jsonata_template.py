"""JSONata field values: ``Arguments``, ``Output``, ``Assign`` entries and single fields.

In a JSONata state a field's value is literal JSON except where a string is an expression,
``"{% ... %}"``; inside objects and arrays such strings are found at any depth ("Transforming
data with JSONata in Step Functions", https://docs.aws.amazon.com/step-functions/latest/dg/
transforming-data.html). A string must be exactly one expression: ``{%`` first and ``%}`` last,
otherwise it is literal text.

JSON cannot hold "nothing", so an expression that returns undefined fails the state with
``States.QueryEvaluationError`` naming the field path, e.g. ``'Output/error'`` (recorded on
AWS: ../shared/conformance ``test_map_catch_error``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ferry.expr.jsonata import (
    JsonataExpression,
    Undefined,
    compile_jsonata,
    expression_text,
    is_expression,
)
from ferry.expr.jsonata_errors import RETURNED_UNDEFINED, JsonataError, unexpected_type_error
from ferry.jsontypes import JSON, type_name


@dataclass(frozen=True, slots=True)
class _Literal:
    value: JSON


@dataclass(frozen=True, slots=True)
class _Expression:
    field: str
    expression: JsonataExpression


@dataclass(frozen=True, slots=True)
class _Object:
    entries: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True, slots=True)
class _Array:
    items: tuple[_Node, ...]


_Node = _Literal | _Expression | _Object | _Array


@dataclass(frozen=True, slots=True)
class JsonataTemplate:
    """A compiled JSONata field value; ``field`` is the name AWS's messages use for it."""

    source: JSON
    field: str
    node: _Node
    uses_context: bool = dataclasses.field(default=False, compare=False)
    """Whether an expression may read ``$states.context`` (so callers can skip building it)."""

    @property
    def is_literal(self) -> bool:
        """Whether the value holds no expression (so evaluating it returns ``source``)."""
        return isinstance(self.node, _Literal)

    def evaluate_typed(
        self, states: Mapping[str, JSON], variables: Mapping[str, JSON], expected: str
    ) -> JSON:
        """Evaluate a single-valued field whose result must be of JSON type ``expected``
        (``number``, ``string``, ``boolean``, ``array``...); a literal is returned as is."""
        if isinstance(self.node, _Expression):
            return evaluate_field(
                self.node.expression, self.field, states, variables, expected=expected
            )
        return _evaluate(self.node, states, variables)

    def evaluate(self, states: Mapping[str, JSON], variables: Mapping[str, JSON]) -> JSON:
        """Evaluate every expression in the value; see ``JsonataExpression.evaluate``.

        Raises JsonataError: an expression threw, returned a function, or returned nothing;
        the message names the field path (``Output/error``, ``Arguments/items/0``).
        """
        return _evaluate(self.node, states, variables)


def compile_jsonata_template(value: JSON, field: str) -> JsonataTemplate:
    """Compile the value of a JSONata field (``field`` is e.g. ``Output`` or ``Arguments``).

    Raises ValueError: an expression does not parse; the message starts with the JSON Pointer
    of the string inside ``value`` (``/error``), then the column and JSONata error code.
    """
    node = _compile(value, field, "")
    return JsonataTemplate(value, field, node, _reads_context(node))


# ``$states.context`` or ``$states`` used whole (``$states.input`` and the like are not context).
_CONTEXT = re.compile(r"\$states(?!\s*\.\s*(?:input|result|errorOutput)\b)")


def _reads_context(node: _Node) -> bool:
    match node:
        case _Literal():
            return False
        case _Expression(_, expression):
            return bool(_CONTEXT.search(expression.text))
        case _Object(entries):
            return any(_reads_context(item) for _, item in entries)
        case _Array(items):
            return any(_reads_context(item) for item in items)


def _compile(value: JSON, field: str, pointer: str) -> _Node:
    if isinstance(value, dict):
        entries = tuple(
            (key, _compile(item, f"{field}/{key}", f"{pointer}/{_escape(key)}"))
            for key, item in value.items()
        )
        if all(isinstance(node, _Literal) for _, node in entries):
            return _Literal(value)
        return _Object(entries)
    if isinstance(value, list):
        items = tuple(
            _compile(item, f"{field}/{index}", f"{pointer}/{index}")
            for index, item in enumerate(value)
        )
        if all(isinstance(node, _Literal) for node in items):
            return _Literal(value)
        return _Array(items)
    if is_expression(value):
        try:
            return _Expression(field, compile_jsonata(expression_text(value)))
        except ValueError as error:
            raise ValueError(f"{pointer or '/'}: {error}") from None
    return _Literal(value)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _evaluate(node: _Node, states: Mapping[str, JSON], variables: Mapping[str, JSON]) -> JSON:
    match node:
        case _Literal(value):
            return value
        case _Expression(field, expression):
            return evaluate_field(expression, field, states, variables)
        case _Object(entries):
            return {key: _evaluate(item, states, variables) for key, item in entries}
        case _Array(items):
            return [_evaluate(item, states, variables) for item in items]


def evaluate_field(
    expression: JsonataExpression,
    field: str,
    states: Mapping[str, JSON],
    variables: Mapping[str, JSON],
    expected: str | None = None,
) -> JSON:
    """Evaluate a field's expression; nothing, and a result not of type ``expected``, fail.

    ``expected`` is the JSON type the field needs as AWS names it (``array`` for ``Items``,
    ``boolean`` for ``Condition``...), or None for any JSON value.

    Raises JsonataError: worded for ``field``, e.g. "... specified for the field 'Items'
    returned an unexpected result type. Expected 'array', but was 'boolean' for value: true".
    """
    try:
        result = expression.evaluate(states, variables)
    except JsonataError as error:
        raise error.for_field(field) from None
    if isinstance(result, Undefined):
        raise JsonataError(expression.text, RETURNED_UNDEFINED, field)
    if expected is not None and type_name(result) != expected:
        raise unexpected_type_error(expression.text, field, expected, result)
    return result
