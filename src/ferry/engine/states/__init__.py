"""One module per state type; ``HANDLERS`` dispatches a state's attempt by its model class."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ferry.asl import model
from ferry.engine.states import choice, fail, map_, parallel, pass_, succeed, task, wait

if TYPE_CHECKING:
    from ferry.engine.outcome import Outcome

ON_CHILDREN: dict[type[model.State], Callable[[Any, Any, Any, list[Any]], Outcome]] = {
    model.ParallelState: parallel.on_children,
    model.MapState: map_.on_children,
}
"""What a Parallel or Map state does once all its children have succeeded."""

HANDLERS: dict[type[model.State], Callable[[Any, Any, Any], Outcome]] = {
    model.PassState: pass_.attempt,
    model.TaskState: task.attempt,
    model.ChoiceState: choice.attempt,
    model.WaitState: wait.attempt,
    model.SucceedState: succeed.attempt,
    model.FailState: fail.attempt,
    model.ParallelState: parallel.attempt,
    model.MapState: map_.attempt,
}
