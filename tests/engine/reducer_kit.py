"""Helpers for driving :class:`~ferry.engine.interpreter.Interpreter` by hand in tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ferry.asl.load import load_definition
from ferry.engine.execution import Command, ExecutionInfo, ExecutionState, Step
from ferry.engine.interpreter import Interpreter
from ferry.jsontypes import JSON

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"
ARN = "arn:aws:states:us-east-1:123456789012:execution:machine:run-1"
T0 = 100.0
C = TypeVar("C")


def machine(states: dict[str, JSON], **top: JSON) -> Interpreter:
    """An interpreter for a definition whose first state is its StartAt."""
    return Interpreter(load_definition({"StartAt": next(iter(states)), "States": states, **top}))


def task(**fields: JSON) -> dict[str, JSON]:
    """A Lambda Task state; ``End: true`` unless ``Next`` is given."""
    ending: dict[str, JSON] = {} if "Next" in fields else {"End": True}
    return {"Type": "Task", "Resource": LAMBDA, **ending, **fields}


def start(interp: Interpreter, data: JSON = None) -> tuple[ExecutionState, Step]:
    """Start execution ``ARN`` at time ``T0`` with ``data`` (default ``{"n": 1}``)."""
    info = ExecutionInfo(
        arn=ARN,
        name="run-1",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:machine",
        state_machine_name="machine",
        role_arn="arn:aws:iam::123456789012:role/test",
        start_time=T0,
        input={"n": 1} if data is None else data,
    )
    return interp.start(info, T0)


def status(state: ExecutionState) -> str:
    """The execution status, typed as plain ``str``."""
    # Read through a call so mypy does not keep a narrowed Literal across interpreter calls.
    return state.status


def types(step: Step) -> list[str]:
    """The event types a step emitted, in order."""
    return [str(event["type"]) for event in step.events]


def only(commands: Sequence[Command], kind: type[C]) -> C:
    """The one command of type ``kind`` (asserts there is exactly one)."""
    found = [c for c in commands if isinstance(c, kind)]
    assert len(found) == 1, commands
    return found[0]


def of(commands: Sequence[Command], kind: type[C]) -> list[C]:
    """The commands of type ``kind``, in order."""
    return [c for c in commands if isinstance(c, kind)]


def details(step: Step, event_type: str) -> dict[str, JSON]:
    """The ``...EventDetails`` of the step's first event of ``event_type``."""
    event = next(e for e in step.events if e["type"] == event_type)
    found = [value for key, value in event.items() if key.endswith("EventDetails")]
    assert len(found) == 1, event
    assert isinstance(found[0], dict), event
    return found[0]


def empty(step: Step) -> bool:
    """Whether a step produced nothing at all (an ignored event)."""
    return not step.events and not step.commands
