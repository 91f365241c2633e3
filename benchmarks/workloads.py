"""The three benchmark workloads, generated once and handed as the same JSON to every engine.

Each workload knows, analytically, how many states an execution enters ("transitions") and what
output AWS Step Functions would produce, so every engine's run can be checked before its rate is
trusted. State-entry counting follows the execution history AWS records: every state entered emits
one ``*StateEntered`` event, including the states inside Map iterations and Parallel branches
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-executions.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = Any

FULL_PASS_CHAIN = 1_000
FULL_MAP_ITEMS = 1_000
FULL_RUNS = 200
QUICK_SIZE = 10

#: Per-item states in workload (b): Load, Stamp, Copy, Route, then Even or Odd.
MAP_STATES_PER_ITEM = 5
#: States entered by one run of workload (c), counted exactly (see ``small_machine``).
SMALL_MACHINE_STATES = 10


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: a definition, its input, and what a correct run looks like.

    Attributes:
        name: Short identifier used on the command line and in the report.
        title: One-line description for the report.
        definition: The ASL definition, as parsed JSON.
        input: The execution input.
        executions: How many executions, one after another, make one repetition.
        transitions: States entered over all ``executions`` of one repetition.
        expected_output: The output every execution must end with.
    """

    name: str
    title: str
    definition: dict[str, JSON]
    input: JSON
    executions: int
    transitions: int
    expected_output: JSON

    def to_job(self) -> dict[str, JSON]:
        """Return the JSON document handed to every engine worker."""
        return {
            "workload": self.name,
            "definition": self.definition,
            "input": self.input,
            "executions": self.executions,
            "transitions": self.transitions,
            "expected_output": self.expected_output,
        }


def pass_chain(length: int = FULL_PASS_CHAIN) -> Workload:
    """Workload (a): one execution through ``length`` Pass states.

    Each Pass builds a payload from a ``.$`` reference and a literal (Parameters) and stores it at
    ``$.step`` (ResultPath), so the next state sees the original input plus the latest step.
    """
    states: dict[str, JSON] = {}
    for index in range(length):
        state: dict[str, JSON] = {
            "Type": "Pass",
            "Parameters": {"value.$": "$.value", "index": index},
            "ResultPath": "$.step",
        }
        if index + 1 < length:
            state["Next"] = _pass_name(index + 1)
        else:
            state["End"] = True
        states[_pass_name(index)] = state
    payload = {"value": "ferry"}
    return Workload(
        name="pass_chain",
        title=f"1 execution, chain of {length} Pass states (Parameters + ResultPath)",
        definition={"StartAt": _pass_name(0), "States": states},
        input=payload,
        executions=1,
        transitions=length,
        expected_output={**payload, "step": {"value": "ferry", "index": length - 1}},
    )


def _pass_name(index: int) -> str:
    return f"Step{index:04d}"


def map_choice(items: int = FULL_MAP_ITEMS) -> Workload:
    """Workload (b): an inline Map over ``items`` items; each iteration runs 3 Pass and a Choice.

    The Choice sends even items to a Pass and odd items to a Succeed, so every iteration enters
    exactly five states; the Map state itself is the one more.
    """
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Load",
        "States": {
            "Load": {
                "Type": "Pass",
                "Parameters": {"id.$": "$.id", "parity.$": "$.parity"},
                "Next": "Stamp",
            },
            "Stamp": {"Type": "Pass", "Result": "stamped", "ResultPath": "$.stamp", "Next": "Copy"},
            "Copy": {
                "Type": "Pass",
                "Parameters": {"of.$": "$.id"},
                "ResultPath": "$.copy",
                "Next": "Route",
            },
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.parity", "StringEquals": "even", "Next": "Even"}],
                "Default": "Odd",
            },
            "Even": {"Type": "Pass", "Result": "even", "ResultPath": "$.route", "End": True},
            "Odd": {"Type": "Succeed"},
        },
    }
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "End": True}
        },
    }
    elements = [{"id": i, "parity": "even" if i % 2 == 0 else "odd"} for i in range(items)]
    return Workload(
        name="map_choice",
        title=f"1 execution, inline Map over {items} items (3 Pass + Choice per item)",
        definition=definition,
        input={"items": elements},
        executions=1,
        transitions=1 + MAP_STATES_PER_ITEM * items,
        expected_output=[_map_item_output(element) for element in elements],
    )


def _map_item_output(element: dict[str, JSON]) -> dict[str, JSON]:
    output: dict[str, JSON] = {**element, "stamp": "stamped", "copy": {"of": element["id"]}}
    if element["parity"] == "even":
        output["route"] = "even"
    return output


def small_machine(runs: int = FULL_RUNS) -> Workload:
    """Workload (c): ``runs`` executions, one after another, of a 10-state machine.

    The ten states (counting the two branch states) are all entered on every run: Init, Route
    (Choice, takes the ``Prepare`` branch), Prepare, Pause (Wait 0 s), Fan (Parallel), Left and
    Right (one per branch), Merge, Record, Done (Succeed). So the count is exact, not estimated.
    """
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": {
                "Type": "Pass",
                "Result": {"ready": True},
                "ResultPath": "$.init",
                "Next": "Route",
            },
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.init.ready", "BooleanEquals": True, "Next": "Prepare"}],
                "Default": "Pause",
            },
            "Prepare": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Fan"},
            "Fan": {
                "Type": "Parallel",
                "Branches": [_branch("Left"), _branch("Right")],
                "Next": "Merge",
            },
            "Merge": {
                "Type": "Pass",
                # An indefinite path: moto 5.2.5 wraps definite ones like $[0].side in a list.
                "Parameters": {"sides.$": "$[*].side", "total.$": "States.ArrayLength($)"},
                "Next": "Record",
            },
            "Record": {"Type": "Pass", "Result": "done", "ResultPath": "$.status", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    return Workload(
        name="small_machine",
        title=f"{runs} executions, one after another, of a 10-state machine",
        definition=definition,
        input={"n": 7},
        executions=runs,
        transitions=SMALL_MACHINE_STATES * runs,
        expected_output={"sides": ["Left", "Right"], "total": 2, "status": "done"},
    )


def _branch(side: str) -> dict[str, JSON]:
    return {
        "StartAt": side,
        "States": {side: {"Type": "Pass", "Parameters": {"side": side, "n.$": "$.n"}, "End": True}},
    }


def all_workloads(*, quick: bool = False) -> list[Workload]:
    """Return the three workloads, at full size or, with ``quick``, at smoke-test size."""
    if quick:
        return [pass_chain(QUICK_SIZE), map_choice(QUICK_SIZE), small_machine(QUICK_SIZE)]
    return [pass_chain(), map_choice(), small_machine()]
