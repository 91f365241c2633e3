"""Small builders for store records, so tests say only what matters to them."""

from __future__ import annotations

from ferry.jsontypes import JSON
from ferry.store.records import NewExecution, NewMachine

ACCOUNT = "arn:aws:states:us-east-1:123456789012"


def machine_arn(name: str = "Demo") -> str:
    """The ARN AWS gives a state machine called ``name``."""
    return f"{ACCOUNT}:stateMachine:{name}"


def new_machine(name: str = "Demo", definition: str = '{"StartAt":"A"}') -> NewMachine:
    """A STANDARD machine called ``name``."""
    return NewMachine(
        arn=machine_arn(name),
        name=name,
        definition=definition,
        role_arn="arn:aws:iam::123456789012:role/demo",
        tags={"team": "ferry"},
    )


def new_execution(
    name: str = "run-1", input_text: str = "{}", start: float = 1000.0, machine: str = "Demo"
) -> NewExecution:
    """A new execution of ``machine`` with an initial state blob."""
    return NewExecution(
        arn=f"{ACCOUNT}:execution:{machine}:{name}",
        machine_arn=machine_arn(machine),
        name=name,
        input=input_text,
        state='{"v":0}',
        start_date=start,
    )


def event(event_id: int, event_type: str = "PassStateEntered", at: float = 1000.0) -> JSON:
    """An AWS-shaped history event."""
    return {
        "timestamp": at,
        "type": event_type,
        "id": event_id,
        "previousEventId": event_id - 1,
        "stateEnteredEventDetails": {"name": f"S{event_id}", "input": "{}"},
    }
