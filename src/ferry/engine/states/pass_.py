"""Pass: "passes its input to its output, without performing work"; ``Result`` or
``Parameters`` may inject data, placed by ResultPath (ASL spec: Pass State)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import PassState
from ferry.engine.execution import Frame
from ferry.engine.outcome import Outcome

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: PassState) -> Outcome:
    """Compute the Pass state's output."""
    if state.query_language == "JSONata":  # Output (default: the input) and Assign
        return act.finish(frame, state, frame.raw_input)
    if state.has_result:
        result = state.result
    else:
        result = act.effective_input(frame, state)
        if state.parameters is not None:
            result = act.evaluate(state.parameters, result, frame)
    return act.finish_result(frame, state, result)
