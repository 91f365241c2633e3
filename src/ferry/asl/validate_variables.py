"""Workflow variables: the names ``Assign`` may bind, and which scope may bind and read them.

Rules from "Passing data between states with variables"
(https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html):

- A variable name is a Unicode identifier of at most 80 characters and cannot start with a
  digit; ``$states`` is reserved. A name is the whole key: ``x.y`` or ``x[2]`` would assign a
  sub-path, which is not allowed. In a JSONPath state the ``.$`` suffix only marks the value as
  a path, so ``"x.$"`` assigns ``x``.
- Scopes: the top-level ``States`` is one scope; every Parallel branch and Map processor opens
  a nested one. Nested scopes read the variables of the scopes around them; what they assign
  stays inside them. "A variable assigned in an inner scope cannot have the same name as one
  assigned in an outer scope." A Catch on a Parallel or Map assigns in the scope of that state.
- A Distributed Map's child workflows cannot read the variables of outer scopes.

:func:`check_variable_scopes` reports the scope rule that AWS enforces when a machine is created.
:func:`unresolved_variables` lists reads of a variable that no state in scope can have
assigned. AWS does *not* reject those at creation: its recorded executions of
``{% $doesNotExist %}`` (LocalStack's AWS-validated ``test_undefined_reference`` snapshots, Nov
2024) were created and failed at run time with ``States.QueryEvaluationError``. So they are
warnings, kept out of :func:`ferry.asl.validate.validate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ferry.asl.diagnostics import SCHEMA_VALIDATION_FAILED, WARNING, Diagnostic, pointer
from ferry.asl.validate_base import Checker
from ferry.asl.validate_syntax import is_jsonata
from ferry.asl.validate_variable_refs import RESERVED, jsonata_reads, jsonpath_reads
from ferry.jsontypes import JSON

__all__ = ["check_variable_name", "check_variable_scopes", "unresolved_variables"]

MAX_NAME = 80
# Reads in these fields of a JSONPath state (the *Path fields and Choice operands are found by
# suffix). ResultPath only says where a result goes, so it reads nothing.
_JSONPATH_READ_FIELDS = frozenset({"InputPath", "OutputPath", "Variable"})
_NESTED = frozenset({"Branches", "ItemProcessor", "Iterator"})


def check_variable_name(name: str) -> str | None:
    """Return why ``name`` cannot be a variable name, or ``None`` when it can."""
    if not name:
        return "a variable name must not be empty"
    if len(name) > MAX_NAME:
        return f"variable name '{name[:20]}...' is {len(name)} characters long; at most {MAX_NAME}"
    if name in RESERVED:
        return f"'{name}' is reserved by Step Functions and cannot be assigned"
    if name[0].isdigit():
        return f"variable name '{name}' must not start with a digit"
    if not name.isidentifier():
        return (
            f"'{name}' is not a valid variable name: use letters, digits and '_' "
            "(a Unicode identifier; no '.', '[', spaces or other punctuation)"
        )
    return None


@dataclass(slots=True)
class _Scope:
    """One state machine scope: what its states assign and read."""

    parent: _Scope | None
    location: str
    assigned: dict[str, str] = field(default_factory=dict)  # name -> first Assign pointer
    reads: list[tuple[str, str]] = field(default_factory=list)  # (pointer, name)
    children: list[_Scope] = field(default_factory=list)

    def outer(self) -> Iterator[_Scope]:
        """The enclosing scopes, innermost first (none past a Distributed Map boundary)."""
        scope = self.parent
        while scope is not None:
            yield scope
            scope = scope.parent


def check_variable_scopes(c: Checker, doc: dict[str, JSON]) -> None:
    """Report variables an inner scope assigns although an outer scope assigns them too."""
    for scope in _walk(_collect(doc)):
        for name, at in scope.assigned.items():
            outer = next((s for s in scope.outer() if name in s.assigned), None)
            if outer is not None:
                c.schema(
                    at,
                    f"Variable '{name}' is already assigned in an outer scope (at "
                    f"{outer.assigned[name]}); a Parallel branch or Map iteration cannot "
                    "assign a variable of an enclosing scope — use another name, or return "
                    "the value through Output",
                )


def unresolved_variables(doc: JSON) -> list[Diagnostic]:
    """Warnings for each read of a variable that no state in scope assigns.

    Args:
        doc: A decoded definition (anything else gives no warnings).

    Returns:
        One WARNING diagnostic per (location, variable), in document order.
    """
    if not isinstance(doc, dict):
        return []
    found = []
    for scope in _walk(_collect(doc)):
        visible = set(scope.assigned).union(*(s.assigned for s in scope.outer()))
        for at, name in scope.reads:
            if name not in visible:
                message = _unresolved(scope, name)
                found.append(Diagnostic(SCHEMA_VALIDATION_FAILED, at, message, WARNING))
    return found


def _unresolved(scope: _Scope, name: str) -> str:
    hint = (
        " (a Distributed Map's child workflow cannot read the variables of the workflow around it)"
        if scope.parent is None and scope.location
        else ""
    )
    return (
        f"Variable '${name}' is read here but no state in scope assigns it; the execution "
        f"will fail when this is evaluated{hint}"
    )


def _walk(scope: _Scope) -> Iterator[_Scope]:
    yield scope
    for child in scope.children:
        yield from _walk(child)


def _collect(doc: dict[str, JSON]) -> _Scope:
    root = _Scope(None, "")
    _machine(root, doc, "", top=doc.get("QueryLanguage") == "JSONata")
    return root


def _machine(scope: _Scope, doc: dict[str, JSON], loc: str, *, top: bool) -> None:
    """Walk one scope's states; ``top`` is the machine's QueryLanguage (states may override it)."""
    states = doc.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if isinstance(state, dict):
            at = pointer(loc, "States", name)
            language = state.get("QueryLanguage")
            jsonata = language == "JSONata" or (top and not language)
            _state(scope, state, at, jsonata=jsonata)
            _nested(scope, state, at, top=top)


def _state(scope: _Scope, state: dict[str, JSON], loc: str, *, jsonata: bool) -> None:
    _assigns(scope, state.get("Assign"), pointer(loc, "Assign"), jsonata=jsonata)
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            for index, rule in enumerate(rules):
                if isinstance(rule, dict):
                    at = pointer(loc, key, index, "Assign")
                    _assigns(scope, rule.get("Assign"), at, jsonata=jsonata)
    for key, value in state.items():
        if key not in _NESTED:
            _reads(scope, key, value, pointer(loc, key), jsonata=jsonata)


def _assigns(scope: _Scope, assign: JSON, loc: str, *, jsonata: bool) -> None:
    if not isinstance(assign, dict):
        return
    for key in assign:
        name = key if jsonata else key.removesuffix(".$")
        if check_variable_name(name) is None:
            scope.assigned.setdefault(name, pointer(loc, key))


def _reads(scope: _Scope, key: str, value: JSON, loc: str, *, jsonata: bool) -> None:
    """Record the variables ``value`` (the field ``key``) reads."""
    if isinstance(value, dict):
        for sub, item in value.items():
            _reads(scope, sub, item, pointer(loc, sub), jsonata=jsonata)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reads(scope, key, item, pointer(loc, index), jsonata=jsonata)
    elif isinstance(value, str):
        if jsonata:
            names = jsonata_reads(value[2:-2]) if is_jsonata(value) else set()
        elif key.endswith((".$", "Path")) or key in _JSONPATH_READ_FIELDS:
            names = set() if key == "ResultPath" else jsonpath_reads(value)
        else:
            names = set()
        scope.reads.extend((loc, name) for name in sorted(names))


def _nested(scope: _Scope, state: dict[str, JSON], loc: str, *, top: bool) -> None:
    branches = state.get("Branches")
    if state.get("Type") == "Parallel" and isinstance(branches, list):
        for index, branch in enumerate(branches):
            if isinstance(branch, dict):
                _child(scope, branch, pointer(loc, "Branches", index), top, isolated=False)
    for key in ("ItemProcessor", "Iterator"):
        processor = state.get(key)
        if state.get("Type") == "Map" and isinstance(processor, dict):
            config = processor.get("ProcessorConfig")
            mode = config.get("Mode") if isinstance(config, dict) else None
            isolated = mode == "DISTRIBUTED"
            _child(scope, processor, pointer(loc, key), top, isolated=isolated)


def _child(scope: _Scope, doc: dict[str, JSON], loc: str, top: bool, *, isolated: bool) -> None:
    child = _Scope(None if isolated else scope, loc)
    scope.children.append(child)
    _machine(child, doc, loc, top=top)
