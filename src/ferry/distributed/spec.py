"""The Map Run SPEC (the ``ferry:mapRun`` task's payload) and the names AWS gives a run's parts.

Names (developer guide, "Examining Map Runs", https://docs.aws.amazon.com/step-functions/latest/
dg/concepts-examine-map-run.html): a Map Run is
``arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID``; its child workflows run as the state
machine ``arn:aws:states:REGION:ACCOUNT:stateMachine:MACHINE/LABEL`` and their executions are
``...:execution:MACHINE/LABEL:NAME`` (EXPRESS children ``...:express:...``). Ferry derives each
child's NAME from the Map Run ARN and the item's index, so a run resumed after a crash finds
the children it already started.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ferry.jsontypes import JSON

RESOURCE = "ferry:mapRun"
DEFAULT_MAX_CONCURRENCY = 10_000
"""AWS: without MaxConcurrency a Distributed Map runs up to 10,000 children at once
(developer guide, "Using Map state in Distributed mode")."""

_NAMESPACE = uuid.UUID("0b7f3c52-94a4-4f0e-a3c4-6d3f8f2d5a17")


class SpecError(Exception):
    """The payload is not a Map Run SPEC; the message names the field and what was expected."""


@dataclass(frozen=True, slots=True)
class MapRunSpec:
    """The SPEC's fields (see the Distributed Map contract); JSON values left as given."""

    map_run_arn: str
    execution_arn: str
    state_machine_arn: str
    state_name: str
    query_language: str
    processor: JSON
    execution_type: str
    items: list[JSON] | None
    item_reader: dict[str, JSON] | None
    item_selector: JSON
    selector_input: JSON
    context: JSON
    variables: JSON
    item_batcher: dict[str, JSON] | None
    result_writer: dict[str, JSON] | None
    max_concurrency: int
    tolerated_failure_count: int | None
    tolerated_failure_percentage: float | None
    entered_event_id: int | None = None

    def state_cause(self, message: str) -> str:
        """``message`` with AWS's prefix naming the Map state and the event id it was entered
        at, as the state's own errors carry it (the prefix is left out when the SPEC does not
        give the event id)."""
        if self.entered_event_id is None:
            return message
        return (
            f"An error occurred while executing the state '{self.state_name}' "
            f"(entered at the event id #{self.entered_event_id}). {message}"
        )

    @property
    def child_machine_arn(self) -> str:
        """``arn:...:stateMachine:MACHINE/LABEL``: the Map Run ARN without its id."""
        head, rest = self.map_run_arn.split(":mapRun:", 1)
        return f"{head}:stateMachine:{rest.rsplit(':', 1)[0]}"

    @property
    def region(self) -> str:
        """The region of the Map Run's ARN."""
        return self.map_run_arn.split(":")[3]

    def child_name(self, index: int) -> str:
        """The name of child ``index`` (a UUID, stable for the run and the index)."""
        return str(uuid.uuid5(_NAMESPACE, f"{self.map_run_arn}#{index}"))

    def child_arn(self, index: int) -> str:
        """The execution ARN of child ``index``."""
        kind = "express" if self.execution_type == "EXPRESS" else "execution"
        prefix = self.child_machine_arn.replace(":stateMachine:", f":{kind}:", 1)
        return f"{prefix}:{self.child_name(index)}"


def parse_spec(payload: JSON) -> MapRunSpec:
    """The SPEC in ``payload``.

    Raises:
        SpecError: A field is missing or of the wrong type (named in the message).
    """
    if not isinstance(payload, dict):
        raise SpecError("the ferry:mapRun payload must be an object (the Map Run SPEC)")
    arn = _text(payload, "mapRunArn")
    if ":mapRun:" not in arn or arn.count(":") < 7:
        raise SpecError(f"/mapRunArn: expected a Map Run ARN, got {arn!r}")
    kind = _text(payload, "executionType")
    if kind not in ("STANDARD", "EXPRESS"):
        raise SpecError(f"/executionType: expected 'STANDARD' or 'EXPRESS', got {kind!r}")
    return MapRunSpec(
        map_run_arn=arn,
        execution_arn=_text(payload, "executionArn"),
        state_machine_arn=_text(payload, "stateMachineArn"),
        state_name=_text(payload, "stateName"),
        query_language=payload.get("queryLanguage") or "JSONPath",
        processor=_typed(payload, "processor", dict, required=True),
        execution_type=kind,
        items=_typed(payload, "items", list),
        item_reader=_typed(payload, "itemReader", dict),
        item_selector=payload.get("itemSelector"),
        selector_input=payload.get("selectorInput"),
        context=payload.get("context") or {},
        variables=payload.get("variables") or {},
        item_batcher=_typed(payload, "itemBatcher", dict),
        result_writer=_typed(payload, "resultWriter", dict),
        max_concurrency=_count(payload, "maxConcurrency") or 0,
        tolerated_failure_count=_count(payload, "toleratedFailureCount"),
        tolerated_failure_percentage=_percentage(payload),
        entered_event_id=_count(payload, "enteredEventId"),
    )


def _text(payload: dict[str, JSON], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(f"/{key}: expected a non-empty string, got {value!r}")
    return value


def _typed(payload: dict[str, JSON], key: str, kind: type, *, required: bool = False) -> JSON:
    value = payload.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        expected = "an object" if kind is dict else "an array"
        raise SpecError(f"/{key}: expected {expected}, got {type(value).__name__}")
    return value


def _count(payload: dict[str, JSON], key: str) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(f"/{key}: expected a non-negative integer, got {value!r}")
    return value


def _percentage(payload: dict[str, JSON]) -> float | None:
    value = payload.get("toleratedFailurePercentage")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise SpecError(f"/toleratedFailurePercentage: expected 0 to 100, got {value!r}")
    return float(value)
