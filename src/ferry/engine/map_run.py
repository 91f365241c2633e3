"""The reducer's side of a Distributed Map: evaluate the state's fields, then hand the Map Run
to the runner as one task and wait for its result.

A Map state whose ``ProcessorConfig.Mode`` is ``DISTRIBUTED`` runs its items as child workflow
executions that belong to a *Map Run* (docs: "Using Map state in Distributed mode", "Examining
Map Runs"). Reading items (ItemReader), batching them (ItemBatcher), starting children at most
MaxConcurrency at a time, counting tolerated failures and writing results (ResultWriter) is I/O
and belongs to the runner: the state schedules ``RunTask(resource=MAP_RUN_RESOURCE, payload=spec)``
and the runner's Map Run integration answers with the state's result or its failure. History
gets ``MapRunStarted`` (with the Map Run's ARN) and ``MapRunSucceeded`` / ``MapRunFailed``.
The task's idempotency key is stable for the attempt, so a runner restarted after a crash
continues the same Map Run instead of starting another.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ferry.asl.model import DistributedConfig, MapState
from ferry.engine import flow
from ferry.engine.dataflow import runtime_error
from ferry.engine.execution import Frame
from ferry.engine.history import error_details
from ferry.engine.outcome import Failed, Outcome
from ferry.errors import Failure
from ferry.expr import compile_reference_path, compile_template
from ferry.expr.jsonata import is_expression
from ferry.expr.jsonata_template import compile_jsonata_template
from ferry.integrations.base import TaskOutcome, TaskSuccess
from ferry.jsontypes import JSON, dumps

if TYPE_CHECKING:
    from ferry.engine.interpreter import Activation

MAP_RUN_RESOURCE = "ferry:mapRun"
"""The task resource a Distributed Map's Map Run is scheduled under (not an AWS ARN)."""

_NAMESPACE = uuid.UUID("2b0c1f4e-8d7a-4c61-9a55-3f1e6d2c7b90")


def start(
    act: Activation,
    frame: Frame,
    state: MapState,
    data: JSON,
    *,
    items: list[JSON] | None,
    limit: int,
    tolerance: tuple[int | None, float | None],
) -> Outcome:
    """Schedule the Map Run of ``state`` (``items`` is None when an ItemReader supplies them;
    ``tolerance`` is ToleratedFailureCount and ToleratedFailurePercentage, evaluated)."""
    config = state.distributed
    assert config is not None
    count, percentage = tolerance
    arn = map_run_arn(act, frame, state)
    spec: dict[str, JSON] = {
        "mapRunArn": arn,
        "executionArn": act.state.info.arn,
        "stateMachineArn": act.state.info.state_machine_arn,
        "stateName": frame.state,
        "enteredEventId": frame.entered_event_id,
        "label": state.label,
        "queryLanguage": state.query_language,
        "processor": config.processor_definition,
        "executionType": config.execution_type,
        "items": items,
        "itemReader": _reader(act, frame, state, config, data),
        "itemSelector": None if state.item_selector is None else state.item_selector.source,
        "selectorInput": data,
        "context": act.context(frame),
        "variables": dict(act.variables(frame)),
        "itemBatcher": _batcher(act, frame, state, config, data),
        "resultWriter": _writer(act, frame, state, config, data),
        "maxConcurrency": limit,
        "toleratedFailureCount": count,
        "toleratedFailurePercentage": percentage,
    }
    act.history.emit(frame, "MapStateStarted", {"length": 0 if items is None else len(items)})
    act.history.emit(frame, "MapRunStarted", {"mapRunArn": arn})
    return act.run_task(
        frame,
        task_id=act.new_task_id(),
        resource=MAP_RUN_RESOURCE,
        payload=spec,
        context=spec["context"],
        timeout=None,
        heartbeat=None,
    )


def on_result(act: Activation, frame: Frame, state: MapState, outcome: TaskOutcome) -> Outcome:
    """The Map Run ended: its result goes through ResultSelector/ResultPath/Output as usual."""
    if not isinstance(outcome, TaskSuccess):
        act.history.emit(frame, "MapRunFailed", error_details(outcome.error, outcome.cause))
        return Failed(Failure(outcome.error, outcome.cause))
    act.history.emit(frame, "MapRunSucceeded", None)
    act.history.emit(frame, "MapStateSucceeded", None, update=False)
    result = outcome.result
    if state.result_selector is not None:
        result = act.evaluate(state.result_selector, result, frame)
    return act.finish_result(frame, state, result)


def map_run_arn(act: Activation, frame: Frame, state: MapState) -> str:
    """``arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<id>``; the id is
    derived from the attempt, so the same attempt names the same Map Run after a restart.
    Without a ``Label`` the label is a UUID too (developer guide, "Viewing a Distributed Map
    Run execution": ``stateMachine:<stateMachineName>/<MapRunLabel or UUID>``)."""
    info = act.state.info
    parts = [*info.arn.split(":"), "", "", "", ""]
    partition, region, account = parts[1], parts[3], parts[4]
    seed = f"{info.arn}/{frame.id}/{frame.entered_event_id}/{frame.retry_count}"
    run_id = uuid.uuid5(_NAMESPACE, seed)
    # The generated label identifies the Map state, so it is the same for every run of it.
    label = state.label or str(uuid.uuid5(_NAMESPACE, f"{info.state_machine_arn}/{frame.state}"))
    return (
        f"arn:{partition or 'aws'}:states:{region}:{account}:mapRun:"
        f"{info.state_machine_name}/{label}:{run_id}"
    )


def _reader(
    act: Activation, frame: Frame, state: MapState, config: DistributedConfig, data: JSON
) -> JSON:
    reader = config.item_reader
    if reader is None:
        return None
    reader_config = dict(reader.get("ReaderConfig") or {})
    for name in ("MaxItems",):
        value = _number(act, frame, reader_config, name, data)
        reader_config.pop(f"{name}Path", None)
        if value is not None:
            reader_config[name] = value
    return {
        "Resource": reader.get("Resource"),
        "ReaderConfig": reader_config,
        "Parameters": _arguments(act, frame, state, reader, data),
    }


def _batcher(
    act: Activation, frame: Frame, state: MapState, config: DistributedConfig, data: JSON
) -> JSON:
    batcher = config.item_batcher
    if batcher is None:
        return None
    batch_input = batcher.get("BatchInput")
    if batch_input is not None:
        batch_input = _template_value(act, frame, state, batch_input, field="BatchInput", data=data)
    return {
        "MaxItemsPerBatch": _number(act, frame, batcher, "MaxItemsPerBatch", data),
        "MaxInputBytesPerBatch": _number(act, frame, batcher, "MaxInputBytesPerBatch", data),
        "BatchInput": batch_input,
    }


def _writer(
    act: Activation, frame: Frame, state: MapState, config: DistributedConfig, data: JSON
) -> JSON:
    writer = config.result_writer
    if writer is None:
        return None
    return {
        "Resource": writer.get("Resource"),
        "Parameters": _arguments(act, frame, state, writer, data),
        "WriterConfig": writer.get("WriterConfig"),
    }


def _arguments(
    act: Activation, frame: Frame, state: MapState, holder: dict[str, JSON], data: JSON
) -> JSON:
    """``Parameters`` (JSONPath) or ``Arguments`` (JSONata) of an ItemReader/ResultWriter."""
    key = "Arguments" if state.query_language == "JSONata" else "Parameters"
    value = holder.get(key)
    if value is None:
        return None
    return _template_value(act, frame, state, value, field=key, data=data)


def _template_value(
    act: Activation, frame: Frame, state: MapState, value: JSON, *, field: str, data: JSON
) -> JSON:
    if state.query_language == "JSONata":
        return flow.jsonata(act, frame, compile_jsonata_template(value, field))
    return act.evaluate(compile_template(value), data, frame)


def _number(
    act: Activation, frame: Frame, holder: dict[str, JSON], name: str, data: JSON
) -> int | None:
    """An integer field given as a literal, a JSONata expression or a ``<name>Path``."""
    value = holder.get(name)
    path = holder.get(f"{name}Path")
    if is_expression(value):
        value = flow.jsonata_field(act, frame, compile_jsonata_template(value, name), "number")
    elif isinstance(path, str):
        reference = compile_reference_path(path)
        value = reference.get(act.root_value(reference, data, frame))
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise runtime_error(frame, f"The {name} field references an invalid value: {dumps(value)}")
    return value
