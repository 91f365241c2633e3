"""How a state turns its input and result into its output, in either query language.

JSONPath (docs: "Processing input and output"): the result goes through ResultPath onto the raw
input, then OutputPath; ``Assign`` reads the result as ``$`` (for states without a result, the
effective input). JSONata (docs: "Transforming data with JSONata"): ``Output`` is evaluated with
``$states.input`` (the raw input), ``$states.result`` (Task, Parallel, Map), ``$states.errorOutput``
(in a Catch) and ``$states.context``; without ``Output`` a state passes on its result, or its input
when it has none, and a Catch passes on the error output. In both languages ``Assign`` and the
output read the variables as they were when the state started; the assignments take effect as the
state exits (see :mod:`ferry.engine.variables`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ferry.asl.model import (
    Assignment,
    Catcher,
    ChoiceRule,
    ConditionRule,
    MapState,
    ParallelState,
    PassState,
    State,
    TaskState,
)
from ferry.engine.dataflow import place
from ferry.engine.execution import Frame
from ferry.engine.outcome import Next
from ferry.errors import Failure
from ferry.expr import Template
from ferry.expr.jsonata_template import JsonataTemplate
from ferry.jsontypes import JSON

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


class _Missing:
    """No ``$states.result`` (or ``errorOutput``): the state has none."""


MISSING: Final = _Missing()

ResultState = PassState | TaskState | ParallelState | MapState


def states_binding(
    act: Activation,
    frame: Frame,
    needs_context: bool,
    *,
    result: JSON | _Missing = MISSING,
    error_output: JSON | _Missing = MISSING,
    context: JSON | None = None,
) -> dict[str, JSON]:
    """The ``$states`` object of a JSONata state."""
    states: dict[str, JSON] = {"input": frame.raw_input}
    if not isinstance(result, _Missing):
        states["result"] = result
    if not isinstance(error_output, _Missing):
        states["errorOutput"] = error_output
    if needs_context or context is not None:
        states["context"] = act.context(frame) if context is None else context
    return states


def jsonata(
    act: Activation,
    frame: Frame,
    template: JsonataTemplate,
    *,
    result: JSON | _Missing = MISSING,
    error_output: JSON | _Missing = MISSING,
    context: JSON | None = None,
) -> JSON:
    """Evaluate a JSONata field of the state ``frame`` is in."""
    states = states_binding(
        act,
        frame,
        template.uses_context,
        result=result,
        error_output=error_output,
        context=context,
    )
    return template.evaluate(states, act.variables(frame))


def finish(
    act: Activation, frame: Frame, state: State, value: JSON, rule: ChoiceRule | None = None
) -> Next:
    """A state without a result (Choice, Wait, Succeed) exits; JSONPath ``value`` is its
    effective input. ``rule`` is the Choice rule that matched: the state's ``Assign`` "applies
    regardless of which choice rule matches" and the rule's own assignments are added over it
    (docs: state-choice.html, Choice Rule fields); a rule's JSONata ``Output`` replaces the
    state's. The caller of a Choice sets ``Next``."""
    if state.query_language == "JSONata":
        output = state.output
        if isinstance(rule, ConditionRule) and rule.output is not None:
            output = rule.output
        return _jsonata_exit(act, frame, state, state.assign, output, rule=rule)
    assigned = _assign_jsonpath(act, frame, state.assign, value)
    if rule is not None and rule.assign is not None:
        assigned = {**(assigned or {}), **(_assign_jsonpath(act, frame, rule.assign, value) or {})}
    return Next(act.select_output(state, value, frame), _next(state), assigned)


def finish_result(act: Activation, frame: Frame, state: ResultState, result: JSON) -> Next:
    """A state with a result (Pass, Task, Parallel, Map) exits."""
    if state.query_language == "JSONata":
        return _jsonata_exit(act, frame, state, state.assign, state.output, result=result)
    assigned = _assign_jsonpath(act, frame, state.assign, result)
    placed = place(state.result_path, frame.raw_input, result, frame)
    return Next(act.select_output(state, placed, frame), _next(state), assigned)


def caught(act: Activation, frame: Frame, state: State, catcher: Catcher, f: Failure) -> Next:
    """A Catch matched: the error output, shaped by the catcher, goes to its ``Next``."""
    error_output: JSON = {"Error": f.error, "Cause": f.cause}
    if state.query_language == "JSONata":
        assigned = None
        if isinstance(catcher.assign, JsonataTemplate):
            assigned = _as_dict(jsonata(act, frame, catcher.assign, error_output=error_output))
        output = error_output
        if catcher.output is not None:
            output = jsonata(act, frame, catcher.output, error_output=error_output)
        return Next(output, catcher.next, assigned)
    assigned = _assign_jsonpath(act, frame, catcher.assign, error_output)
    output = place(catcher.result_path, frame.raw_input, error_output, frame)
    return Next(output, catcher.next, assigned)


def _next(state: State) -> str | None:
    return None if state.end else state.next


def _jsonata_exit(
    act: Activation,
    frame: Frame,
    state: State,
    assign: Assignment | None,
    output_template: JsonataTemplate | None,
    *,
    result: JSON | _Missing = MISSING,
    rule: ChoiceRule | None = None,
) -> Next:
    assigned = None
    if isinstance(assign, JsonataTemplate):
        assigned = _as_dict(jsonata(act, frame, assign, result=result))
    if rule is not None and isinstance(rule.assign, JsonataTemplate):
        assigned = {**(assigned or {}), **_as_dict(jsonata(act, frame, rule.assign, result=result))}
    if output_template is not None:
        output = jsonata(act, frame, output_template, result=result)
    else:
        output = frame.raw_input if isinstance(result, _Missing) else result
    return Next(output, _next(state), assigned)


def _assign_jsonpath(
    act: Activation, frame: Frame, assign: Assignment | None, value: JSON
) -> dict[str, JSON] | None:
    if not isinstance(assign, Template):
        return None
    return _as_dict(act.evaluate(assign, value, frame))


def _as_dict(value: JSON) -> dict[str, JSON]:
    assert isinstance(value, dict)  # Assign is an object (the validator checks it)
    return value


def jsonata_field(act: Activation, frame: Frame, template: JsonataTemplate, expected: str) -> JSON:
    """A single-valued JSONata field (``Seconds``, ``Items``, ``Condition``...) whose value
    must be of JSON type ``expected``; the error names the field as AWS does."""
    states = states_binding(act, frame, template.uses_context)
    return template.evaluate_typed(states, act.variables(frame), expected)
