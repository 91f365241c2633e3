"""Index a state machine's nested programs (Parallel branches, Map processors) by key.

Frames refer to programs by these keys so that execution state stays plain data. The root is
``""``; branch ``i`` of Parallel state ``P`` in program ``K`` is ``K/P#i``; the processor of Map
state ``M`` is ``K/M#``.
"""

from __future__ import annotations

from ferry.asl.model import MapState, ParallelState, StateMachine


def branch_key(parent: str, state: str, index: int) -> str:
    """The key of a Parallel branch."""
    return f"{parent}/{state}#{index}"


def processor_key(parent: str, state: str) -> str:
    """The key of a Map processor."""
    return f"{parent}/{state}#"


def index(machine: StateMachine, key: str = "") -> dict[str, StateMachine]:
    """Map every program key under ``machine`` (itself included) to its program."""
    found = {key: machine}
    for name, state in machine.states.items():
        if isinstance(state, ParallelState):
            for i, branch in enumerate(state.branches):
                found.update(index(branch, branch_key(key, name, i)))
        elif isinstance(state, MapState):
            found.update(index(state.processor, processor_key(key, name)))
    return found
