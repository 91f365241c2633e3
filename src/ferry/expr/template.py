"""Payload templates: Parameters, ResultSelector, ItemSelector — ``.$`` keys, intrinsics.

A key ending in ``.$`` takes its value from a path (``$.x`` on the data, ``$$.x`` on the
context object, ``$name`` on a variable) or an intrinsic call; the ``.$`` is dropped from the
output key. Everything is compiled once; ``evaluate`` only walks the compiled tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ferry.expr.errors import ExprError, PathNotFound
from ferry.expr.intrinsics import Intrinsic, compile_intrinsic, is_intrinsic
from ferry.expr.paths import QueryPath, compile_path
from ferry.expr.segments import Root
from ferry.jsontypes import JSON, dumps


@dataclass(frozen=True, slots=True)
class _Scope:
    data: JSON
    context: JSON
    variables: Mapping[str, JSON]


@dataclass(frozen=True, slots=True)
class _Static:
    value: JSON


@dataclass(frozen=True, slots=True)
class _Path:
    key: str
    path: QueryPath


@dataclass(frozen=True, slots=True)
class _Call:
    key: str
    intrinsic: Intrinsic


@dataclass(frozen=True, slots=True)
class _Object:
    entries: tuple[tuple[str, _Node], ...]


@dataclass(frozen=True, slots=True)
class _Array:
    items: tuple[_Node, ...]


_Node = _Static | _Path | _Call | _Object | _Array


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled payload template."""

    source: JSON
    node: _Node = field(default=_Static(None), repr=False, compare=False)
    uses_context: bool = field(default=False, compare=False)
    """Whether any path or intrinsic argument reads the context object (``$$``), so callers
    can skip building it."""

    def evaluate(
        self, data: JSON, context: JSON, variables: Mapping[str, JSON] | None = None
    ) -> JSON:
        """Evaluate against the effective input ``data``, the context object ``context`` and
        the workflow ``variables`` (for ``$name`` paths).

        Raises ExprError: States.Runtime when a path finds nothing (worded as AWS does for
        the field at hand), States.IntrinsicFailure when an intrinsic rejects its arguments.
        """
        return _evaluate(self.node, _Scope(data, context, variables or {}))


def compile_template(value: JSON) -> Template:
    """Compile a template; raise ValueError (with the JSON Pointer of the bad key) on bad syntax."""
    return Template(value, _compile(value, ""), "$$" in dumps(value))


def _compile(value: JSON, pointer: str) -> _Node:
    if isinstance(value, dict):
        entries = tuple(
            _compile_entry(key, item, f"{pointer}/{_escape(key)}") for key, item in value.items()
        )
        if all(isinstance(node, _Static) for _, node in entries):
            return _Static(value)
        return _Object(entries)
    if isinstance(value, list):
        items = tuple(_compile(item, f"{pointer}/{i}") for i, item in enumerate(value))
        if all(isinstance(node, _Static) for node in items):
            return _Static(value)
        return _Array(items)
    return _Static(value)


def _compile_entry(key: str, value: JSON, pointer: str) -> tuple[str, _Node]:
    if not key.endswith(".$"):
        return key, _compile(value, pointer)
    if not isinstance(value, str):
        raise ValueError(
            f"{pointer}: the value of the field '{key}' must be a JSONPath or an intrinsic "
            "function call"
        )
    try:
        if is_intrinsic(value):
            return key[:-2], _Call(key, compile_intrinsic(value))
        if value.startswith("$"):
            return key[:-2], _Path(key, compile_path(value))
    except ValueError as exc:
        raise ValueError(f"{pointer}: {exc}") from None
    raise ValueError(
        f"{pointer}: the value of the field '{key}' must be a JSONPath or an intrinsic "
        f"function call, got '{value}'"
    )


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _evaluate(node: _Node, scope: _Scope) -> JSON:
    if isinstance(node, _Static):
        # Shared, not copied: Ferry never mutates a JSON value once built (ResultPath copies
        # along its path), so the definition's literal cannot be changed through the result.
        return node.value
    if isinstance(node, _Object):
        return {key: _evaluate(child, scope) for key, child in node.entries}
    if isinstance(node, _Array):
        return [_evaluate(child, scope) for child in node.items]
    if isinstance(node, _Path):
        return _resolve(node.path, node.key, scope)
    return node.intrinsic.evaluate(lambda path: _resolve(path, node.key, scope))


def _resolve(path: QueryPath, key: str, scope: _Scope) -> JSON:
    try:
        return path.find(_root_value(path, key, scope))
    except PathNotFound:
        raise _not_found(path, key, scope) from None


def _root_value(path: QueryPath, key: str, scope: _Scope) -> JSON:
    if path.root is Root.DATA:
        return scope.data
    if path.root is Root.CONTEXT:
        return scope.context
    name = path.variable or ""
    if name not in scope.variables:
        raise _not_found(path, key, scope)
    return scope.variables[name]


def _not_found(path: QueryPath, key: str, scope: _Scope) -> ExprError:
    # AWS quotes the state's effective input here, for `$$` paths as well.
    return ExprError(
        "States.Runtime",
        f"The JSONPath '{path.text}' specified for the field '{key}' could not be found in "
        f"the input '{dumps(scope.data)}'",
    )
