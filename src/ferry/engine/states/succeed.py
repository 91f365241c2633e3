"""Succeed: ends its program successfully; InputPath and OutputPath apply
(ASL spec: Succeed State)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ferry.asl.model import SucceedState
from ferry.engine.execution import Frame
from ferry.engine.outcome import Next, Outcome

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation


def attempt(act: Activation, frame: Frame, state: SucceedState) -> Outcome:
    """Output the (filtered) input and end."""
    output = act.finish(frame, state, act.effective_input(frame, state)).output
    return Next(output, None)
