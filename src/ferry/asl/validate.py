"""Definition validation: everything AWS checks when a state machine is created.

:func:`validate` takes a decoded definition and returns every problem as a
:class:`~ferry.asl.diagnostics.Diagnostic` carrying AWS's code (SCHEMA_VALIDATION_FAILED,
MISSING_TRANSITION_TARGET, ...), a JSON Pointer and an English message. It never raises.
:func:`parse_definition_text` decodes JSON (or YAML, as CloudFormation users write it).

The rules aim to be exactly as strict as CreateStateMachine/ValidateStateMachineDefinition:
a definition AWS accepts yields no diagnostic. This module checks one state machine scope
(StartAt, States, transitions, reachability, terminal states, names); fields and states are
checked by the ``validate_*`` modules it calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import yaml

from ferry.asl.diagnostics import (
    DUPLICATE_LABEL_NAME,
    DUPLICATE_STATE_NAME,
    INVALID_JSON_DESCRIPTION,
    INVALID_STATE_NAME,
    MISSING_END_STATE,
    MISSING_TRANSITION_TARGET,
    SCHEMA_VALIDATION_FAILED,
    Diagnostic,
    pointer,
)
from ferry.asl.schema_fields import TOP_LEVEL_FIELDS
from ferry.asl.validate_base import Checker
from ferry.asl.validate_fields import check_fields_subset
from ferry.asl.validate_states import SubMachine, check_state
from ferry.asl.validate_variables import check_variable_scopes
from ferry.jsontypes import JSON

__all__ = ["Diagnostic", "parse_definition_text", "validate"]

# State names: at most 80 Unicode characters (docs: concepts-amazon-states-language.html).
MAX_STATE_NAME = 80
# AWS's own words for a definition that is not an object (ValidateStateMachineDefinition).
_NOT_AN_OBJECT = "Definition must be a valid JSON object"


@dataclass(slots=True)
class _Machine:
    """What the whole definition shares across its nested scopes."""

    checker: Checker
    jsonata: bool
    names: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)


def validate(doc: JSON) -> list[Diagnostic]:
    """Validate a decoded state machine definition.

    Args:
        doc: The decoded definition; anything that is not a JSON object is itself reported.

    Returns:
        Every problem found, in document order; an empty list when AWS would accept it.
    """
    checker = Checker()
    if not isinstance(doc, dict):
        checker.schema("", _NOT_AN_OBJECT)
        return checker.diagnostics
    machine = _Machine(checker, jsonata=doc.get("QueryLanguage") == "JSONata")
    _scope(machine, SubMachine(doc, "", TOP_LEVEL_FIELDS))
    check_variable_scopes(checker, doc)
    return checker.diagnostics


def _scope(machine: _Machine, scope: SubMachine) -> None:
    """Check one state machine: the top level, a Parallel branch or a Map processor."""
    c, doc, loc = machine.checker, scope.doc, scope.location
    what = "state machine" if loc == "" else "nested state machine"
    check_fields_subset(c, doc, loc, what, scope.allowed, jsonata=False)
    if "Version" in doc:
        c.string(pointer(loc, "Version"), "Version", doc["Version"])
    missing = [name for name in ("States", "StartAt") if name not in doc]
    if missing:
        c.schema(loc, f"These fields are required: [{', '.join(missing)}]")
    states = doc.get("States")
    if "States" in doc and not c.obj(pointer(loc, "States"), "States", states):
        return
    if isinstance(states, dict):
        _states(machine, states, pointer(loc, "States"))
        _transitions(c, doc, loc, states)


def _states(machine: _Machine, states: dict[str, JSON], loc: str) -> None:
    c = machine.checker
    if not states:
        c.schema(loc, "'States' must hold at least one state")
    for name, state in states.items():
        at = pointer(loc, name)
        _name(machine, name, at)
        jsonata = _query_language(machine, state, at)
        for sub in check_state(c, state, at, jsonata):
            _scope(machine, sub)
        if isinstance(state, dict):
            _label(machine, state, at)


def _name(machine: _Machine, name: str, loc: str) -> None:
    if not name or len(name) > MAX_STATE_NAME:
        machine.checker.report(
            INVALID_STATE_NAME,
            loc,
            f"State name {name!r} must be 1 to {MAX_STATE_NAME} characters long",
        )
    if name in machine.names:
        machine.checker.report(
            DUPLICATE_STATE_NAME,
            loc,
            f"Duplicate State name: {name} (names must be unique in the whole state machine, "
            "including Parallel branches and Map processors)",
        )
    machine.names.add(name)


def _query_language(machine: _Machine, state: JSON, loc: str) -> bool:
    """The state's effective query language; a JSONata machine may not hold JSONPath states."""
    declared = state.get("QueryLanguage") if isinstance(state, dict) else None
    if declared == "JSONPath" and machine.jsonata:
        machine.checker.schema(
            loc,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        )
    if declared in ("JSONPath", "JSONata"):
        return bool(declared == "JSONata")
    return machine.jsonata


def _label(machine: _Machine, state: dict[str, JSON], loc: str) -> None:
    label = state.get("Label")
    if state.get("Type") != "Map" or not isinstance(label, str):
        return
    if label in machine.labels:
        machine.checker.report(
            DUPLICATE_LABEL_NAME,
            pointer(loc, "Label"),
            f"Duplicate Map Label: {label} (labels must be unique in the state machine)",
        )
    machine.labels.add(label)


def _transitions(c: Checker, doc: dict[str, JSON], loc: str, states: dict[str, JSON]) -> None:
    """Targets exist in this scope, every state is targeted, and some state ends."""
    targeted: set[str] = set()
    start = doc.get("StartAt")
    if isinstance(start, str):
        targeted.add(start)
        if start not in states:
            _missing(c, pointer(loc, "StartAt"), start)
    elif "StartAt" in doc:
        c.schema(pointer(loc, "StartAt"), "'StartAt' must be a string naming a state")
    for name, state in states.items():
        for at, target in _targets(state, pointer(loc, "States", name)):
            targeted.add(target)
            if target not in states:
                _missing(c, at, target)
    for name in states:
        # Without a StartAt there is nothing to reach from; AWS reports only the missing field.
        if isinstance(start, str) and name not in targeted:
            # AWS flags states nothing transitions to, not a full reachability analysis.
            c.report(
                MISSING_TRANSITION_TARGET,
                pointer(loc, "States", name),
                f'State "{name}" is not reachable: no StartAt, Next, Default or Catch names it',
            )
    if states and not any(_terminal(state) for state in states.values()):
        c.report(
            MISSING_END_STATE,
            pointer(loc, "States"),
            "No terminal state: at least one state needs 'End': true or Type Succeed or Fail",
        )


def _missing(c: Checker, loc: str, target: str) -> None:
    c.report(
        MISSING_TRANSITION_TARGET,
        loc,
        f"Missing 'Next' target: {target} (no state of that name in this scope; transitions "
        "cannot enter or leave a Parallel branch or Map processor)",
    )


def _targets(state: JSON, loc: str) -> list[tuple[str, str]]:
    """Every (pointer, target name) a state transitions to: Next, Default, rules, catchers."""
    if not isinstance(state, dict):
        return []
    found = [(pointer(loc, key), state[key]) for key in ("Next", "Default") if key in state]
    for key in ("Choices", "Catch"):
        rules = state.get(key)
        if isinstance(rules, list):
            for index, rule in enumerate(rules):
                if isinstance(rule, dict) and "Next" in rule:
                    found.append((pointer(loc, key, index, "Next"), rule["Next"]))
    return [(at, target) for at, target in found if isinstance(target, str)]


def _terminal(state: JSON) -> bool:
    if not isinstance(state, dict):
        return True  # already reported; don't pile a second diagnostic on it
    return state.get("End") is True or state.get("Type") in ("Succeed", "Fail")


class _StringLoader(yaml.SafeLoader):
    """YAML loader that keeps timestamps as text, as a JSON definition would hold them."""


_StringLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_definition_text(text: str) -> tuple[JSON | None, list[Diagnostic]]:
    """Decode a definition written as JSON, or as YAML when it is not JSON.

    Returns:
        ``(document, [])`` on success, else ``(None, [INVALID_JSON_DESCRIPTION ...])`` with the
        line and column of the syntax error. Never raises.
    """
    if not text.strip():
        return None, [Diagnostic(SCHEMA_VALIDATION_FAILED, "", _NOT_AN_OBJECT)]
    try:
        return json.loads(text, parse_constant=_reject_constant), []
    except ValueError as error:
        json_error = _json_diagnostic(error)
    if text.lstrip()[:1] in ("{", "["):
        return None, [json_error]
    try:
        doc = yaml.load(text, Loader=_StringLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        message = f"The definition is neither JSON nor YAML: {problem}{where}"
        return None, [Diagnostic(INVALID_JSON_DESCRIPTION, "", message)]
    if not isinstance(doc, dict | list):
        return None, [json_error]
    return doc, []


def _reject_constant(name: str) -> JSON:
    raise ValueError(f"{name} is not a JSON number")


def _json_diagnostic(error: ValueError) -> Diagnostic:
    if isinstance(error, json.JSONDecodeError):
        message = f"{error.msg} at line {error.lineno}, column {error.colno}"
    else:
        message = str(error)
    return Diagnostic(INVALID_JSON_DESCRIPTION, "", f"The definition is not valid JSON: {message}")
