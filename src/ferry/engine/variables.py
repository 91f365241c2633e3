"""Workflow variables (``Assign``): where they live and who sees them.

Each frame keeps what its own states assigned. A Parallel branch or Map iteration reads the
variables of the frames around it, and what it assigns stays inside it: "variables assigned in
a branch or iteration are not visible outside it" (docs: "Passing data between states with
variables", variable scope). Assignments of one state are evaluated against the values as they
were when the state ran, then applied together once the state's output is known, so the state's
own OutputPath/Output still reads the old values (recorded on AWS: ../shared/conformance
``test_state_assign_evaluation_order``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ferry.engine.execution import ExecutionState, Frame
from ferry.engine.variables_limits import check_assign_sizes, check_execution_size
from ferry.jsontypes import JSON

NO_VARIABLES: Mapping[str, JSON] = {}


def visible(state: ExecutionState, frame: Frame) -> Mapping[str, JSON]:
    """The variables ``frame`` can read: its own over its parents' (inner names shadow)."""
    scopes: list[dict[str, JSON]] = []
    current: Frame | None = frame
    while current is not None:
        if current.variables:
            scopes.append(current.variables)
        current = None if current.parent is None else state.frames.get(current.parent)
    if not scopes:
        return NO_VARIABLES
    if len(scopes) == 1:
        return scopes[0]
    merged: dict[str, JSON] = {}
    for scope in reversed(scopes):
        merged.update(scope)
    return merged


def assign(frame: Frame, values: Mapping[str, JSON]) -> None:
    """Record a state's assignments in its frame (a new dict: snapshots may share the old)."""
    frame.variables = {**(frame.variables or {}), **values}


def over_limit(state: ExecutionState, frame: Frame, values: Mapping[str, JSON]) -> str | None:
    """Why applying ``values`` would break AWS's variable size limits, or None: 256 KiB per
    variable and per Assign, 10 MiB for the variables in scope afterwards."""
    cause = check_assign_sizes(values)
    if cause is None:
        cause = check_execution_size({**visible(state, frame), **values})
    return cause
