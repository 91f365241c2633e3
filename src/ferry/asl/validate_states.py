"""Per-state rules that involve more than one field: Next xor End, required fields, the
"exactly one of" and "at most one of" groups, HeartbeatSeconds < TimeoutSeconds, and the
nested state machines of Parallel and Map (returned to the caller, which validates them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ferry.asl.diagnostics import pointer
from ferry.asl.schema_fields import BRANCH_FIELDS, PROCESSOR_FIELDS, STATE_TYPES
from ferry.asl.validate_base import Checker, is_integer
from ferry.asl.validate_choice import check_choices
from ferry.asl.validate_fields import check_fields, check_fields_subset
from ferry.asl.validate_retry import check_catch, check_retry
from ferry.jsontypes import JSON

# arn:partition:service:region:account:resource — region and account may be empty, as in
# "arn:aws:states:::lambda:invoke" (docs: connect-to-resource.html).
_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-zA-Z0-9-]+:[a-z0-9-]*:\d*:.+$")
_FLOWING = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})
_EXCLUSIVE = (
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ("Parameters", "ItemSelector"),
    ("Iterator", "ItemProcessor"),
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
)


@dataclass(frozen=True, slots=True)
class _State:
    """The state being checked, where it is, and whether it uses JSONata."""

    doc: dict[str, JSON]
    loc: str
    jsonata: bool


@dataclass(frozen=True, slots=True)
class SubMachine:
    """A Parallel branch or Map processor to validate as a state machine of its own."""

    doc: dict[str, JSON]
    location: str
    allowed: frozenset[str]


def check_state(c: Checker, state: JSON, loc: str, jsonata: bool) -> list[SubMachine]:
    """Check one state; return the nested state machines it holds."""
    if not c.obj(loc, "A state", state):
        return []
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        where = pointer(loc, "Type") if "Type" in state else loc
        what = f"got {kind!r}" if "Type" in state else "it is missing"
        c.schema(where, f"'Type' must be one of {', '.join(STATE_TYPES)}; {what}")
        return []
    check_fields(c, state, loc, kind, jsonata)
    _flow(c, state, loc, kind)
    _exclusive(c, state, loc)
    return _BY_TYPE[kind](c, _State(state, loc, jsonata))


def _flow(c: Checker, state: dict[str, JSON], loc: str, kind: str) -> None:
    if kind not in _FLOWING:
        return
    has_next, ends = "Next" in state, state.get("End") is True
    if has_next and ends:
        c.schema(loc, f"A {kind} state may not have both 'Next' and 'End': true")
    elif not has_next and not ends:
        c.schema(loc, f"A {kind} state needs 'Next' (the following state) or 'End': true")


def _exclusive(c: Checker, state: dict[str, JSON], loc: str) -> None:
    for first, second in _EXCLUSIVE:
        if first in state and second in state:
            c.schema(loc, f"'{first}' and '{second}' may not both be set; keep one")


def _require(c: Checker, state: dict[str, JSON], loc: str, name: str, why: str) -> bool:
    if name in state:
        return True
    c.schema(loc, f"Field '{name}' is required in a {state['Type']} state ({why})")
    return False


def _errors(c: Checker, state: dict[str, JSON], loc: str, jsonata: bool) -> None:
    if "Retry" in state:
        check_retry(c, pointer(loc, "Retry"), state["Retry"], jsonata)
    if "Catch" in state:
        check_catch(c, pointer(loc, "Catch"), state["Catch"], jsonata)


def _task(c: Checker, s: _State) -> list[SubMachine]:
    state, loc = s.doc, s.loc
    if _require(c, state, loc, "Resource", "the ARN of the work to run"):
        resource = state["Resource"]
        if isinstance(resource, str) and not _ARN.match(resource):
            c.schema(
                pointer(loc, "Resource"),
                f"The resource {resource!r} is not a valid ARN "
                "(expected arn:partition:service:region:account:resource)",
            )
    timeout, heartbeat = state.get("TimeoutSeconds", 0), state.get("HeartbeatSeconds", 0)
    if is_integer(timeout) and is_integer(heartbeat) and 0 < timeout <= heartbeat:
        c.schema(
            pointer(loc, "HeartbeatSeconds"),
            f"'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds' ({timeout})",
        )
    _errors(c, state, loc, s.jsonata)
    return []


def _wait(c: Checker, s: _State) -> list[SubMachine]:
    state, loc = s.doc, s.loc
    timing = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state]
    if len(timing) != 1:
        found = ", ".join(timing) if timing else "none"
        c.schema(
            loc,
            "A Wait state needs exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or "
            f"'TimestampPath'; found: {found}",
        )
    return []


def _choice(c: Checker, s: _State) -> list[SubMachine]:
    state, loc = s.doc, s.loc
    if _require(c, state, loc, "Choices", "the rules to evaluate"):
        check_choices(c, pointer(loc, "Choices"), state["Choices"], s.jsonata)
    return []


def _nothing(_c: Checker, _s: _State) -> list[SubMachine]:
    return []


def _parallel(c: Checker, s: _State) -> list[SubMachine]:
    state, loc = s.doc, s.loc
    _errors(c, state, loc, s.jsonata)
    if not _require(c, state, loc, "Branches", "the state machines to run in parallel"):
        return []
    at = pointer(loc, "Branches")
    branches = state["Branches"]
    if not c.array(at, "Branches", branches, nonempty=True):
        return []
    found = []
    for index, branch in enumerate(branches):
        if c.obj(pointer(at, index), "A branch", branch):
            found.append(SubMachine(branch, pointer(at, index), BRANCH_FIELDS))
    return found


def _map(c: Checker, s: _State) -> list[SubMachine]:
    state, loc = s.doc, s.loc
    _errors(c, state, loc, s.jsonata)
    if "ItemsPath" in state and "Items" in state:
        c.schema(loc, "'ItemsPath' and 'Items' may not both be set; keep one")
    name = "Iterator" if "Iterator" in state else "ItemProcessor"
    if not _require(c, state, loc, name, "the state machine run for each item"):
        return []
    at = pointer(loc, name)
    processor = state[name]
    if not c.obj(at, name, processor):
        return []
    if "ProcessorConfig" in processor:
        _processor_config(c, pointer(at, "ProcessorConfig"), processor["ProcessorConfig"])
    return [SubMachine(processor, at, PROCESSOR_FIELDS)]


def _processor_config(c: Checker, loc: str, config: JSON) -> None:
    if not c.obj(loc, "ProcessorConfig", config):
        return
    check_fields_subset(
        c, config, loc, "ProcessorConfig", frozenset({"Mode", "ExecutionType"}), jsonata=False
    )
    mode = config.get("Mode", "INLINE")
    if mode not in ("INLINE", "DISTRIBUTED"):
        c.schema(pointer(loc, "Mode"), f"'Mode' must be 'INLINE' or 'DISTRIBUTED', got {mode!r}")
    execution = config.get("ExecutionType")
    if "ExecutionType" in config and execution not in ("STANDARD", "EXPRESS"):
        c.schema(
            pointer(loc, "ExecutionType"),
            f"'ExecutionType' must be 'STANDARD' or 'EXPRESS', got {execution!r}",
        )
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        c.schema(loc, "A DISTRIBUTED Map needs 'ExecutionType': 'STANDARD' or 'EXPRESS'")


_BY_TYPE = {
    "Task": _task,
    "Wait": _wait,
    "Choice": _choice,
    "Pass": _nothing,
    "Succeed": _nothing,
    "Fail": _nothing,
    "Parallel": _parallel,
    "Map": _map,
}
