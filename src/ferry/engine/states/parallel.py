"""Parallel: runs every branch on the (Parameters-shaped) input at once; its result is the array
of the branches' outputs in branch order. One failing branch fails the state and stops the
others (ASL spec: Parallel State)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import ParallelState
from ferry.engine import fanout, flow
from ferry.engine.execution import Frame
from ferry.engine.outcome import Outcome
from ferry.engine.programs import branch_key
from ferry.jsontypes import JSON

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: ParallelState) -> Outcome:
    """Start every branch."""
    data = act.effective_input(frame, state)
    if state.arguments is not None:
        data = flow.jsonata(act, frame, state.arguments)
    elif state.parameters is not None:
        data = act.evaluate(state.parameters, data, frame)
    act.history.emit(frame, "ParallelStateStarted", None)
    count = len(state.branches)
    programs = [branch_key(frame.program, frame.state, i) for i in range(count)]
    return fanout.start(act, frame, [data] * count, programs, limit=0)


def on_children(
    act: Activation, frame: Frame, state: ParallelState, results: list[JSON]
) -> Outcome:
    """All branches succeeded: shape the array of their outputs."""
    result: JSON = results
    if state.result_selector is not None:
        result = act.evaluate(state.result_selector, result, frame)
    return act.finish_result(frame, state, result)
