"""The Map Run runtime in memory: children, ItemSelector, batching, concurrency, tolerance.

Expected values come from the developer guide: "Using Map state in Distributed mode"
(https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html),
"ItemSelector (Map)" (input-output-itemselector.html), "ItemBatcher (Map)"
(input-output-itembatcher.html) and "Tolerated failure threshold for Distributed Map state"
(maprun-fail-threshold.html).
"""

from __future__ import annotations

from ferry.asl.load import load_definition
from ferry.distributed.maprun import THRESHOLD_CAUSE, MapRunIntegration
from ferry.distributed.spec import parse_spec
from ferry.integrations.base import TaskFailure, TaskSuccess
from ferry.runner.clock import VirtualClock
from ferry.runner.local import LocalRunner

from .maprun_kit import (
    PASS_PROCESSOR,
    PREFIX,
    PROBE_PROCESSOR,
    Probe,
    request,
    run_in_memory,
    spec,
)


def test_children_outputs_come_back_in_item_order() -> None:
    outcome = run_in_memory(spec(items=[{"n": 1}, {"n": 2}, {"n": 3}], maxConcurrency=2))
    assert outcome == TaskSuccess([{"n": 1}, {"n": 2}, {"n": 3}])


def test_child_names_and_arns_are_shaped_as_aws_shapes_them() -> None:
    # Map Run arn:...:mapRun:MACHINE/LABEL:ID; children run as MACHINE/LABEL (docs,
    # concepts-examine-map-run.html), EXPRESS children under ":express:".
    parsed = parse_spec(spec(executionType="STANDARD"))
    assert parsed.child_machine_arn == f"{PREFIX}:stateMachine:parent/Fan"
    assert parsed.child_arn(3).startswith(f"{PREFIX}:execution:parent/Fan:")
    assert parsed.child_arn(3) == parsed.child_arn(3) != parsed.child_arn(4)
    assert parse_spec(spec()).child_arn(0).startswith(f"{PREFIX}:express:parent/Fan:")


def test_children_see_their_own_execution_context() -> None:
    processor = {
        "StartAt": "Who",
        "States": {
            "Who": {
                "Type": "Pass",
                "Parameters": {"machine.$": "$$.StateMachine.Id", "id.$": "$$.Execution.Id"},
                "End": True,
            }
        },
    }
    outcome = run_in_memory(spec(processor, items=[0]))
    assert isinstance(outcome, TaskSuccess)
    assert outcome.result[0]["machine"] == f"{PREFIX}:stateMachine:parent/Fan"
    assert outcome.result[0]["id"] == parse_spec(spec()).child_arn(0)


def test_jsonpath_item_selector_sees_the_item_index_value_and_state_input() -> None:
    selector = {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"}
    outcome = run_in_memory(spec(items=["a", "b"], itemSelector=selector, selectorInput={"tag": 7}))
    assert outcome == TaskSuccess(
        [{"value": "a", "index": 0, "tag": 7}, {"value": "b", "index": 1, "tag": 7}]
    )


def test_jsonata_item_selector_sees_states_context_input_and_variables() -> None:
    selector = {
        "v": "{% $states.context.Map.Item.Value * 10 %}",
        "i": "{% $states.context.Map.Item.Index %}",
        "t": "{% $states.input.tag & $suffix %}",
    }
    payload = spec(
        items=[1, 2],
        queryLanguage="JSONata",
        itemSelector=selector,
        selectorInput={"tag": "x"},
        variables={"suffix": "!"},
    )
    assert run_in_memory(payload) == TaskSuccess(
        [{"v": 10, "i": 0, "t": "x!"}, {"v": 20, "i": 1, "t": "x!"}]
    )


def test_a_failing_item_selector_fails_the_run_with_the_path_error() -> None:
    outcome = run_in_memory(spec(items=[{"a": 1}], itemSelector={"b.$": "$$.Map.Item.Value.b"}))
    assert isinstance(outcome, TaskFailure)
    assert outcome.error == "States.Runtime"


def test_batched_children_get_items_and_batch_input() -> None:
    batcher = {"MaxItemsPerBatch": 2, "MaxInputBytesPerBatch": None, "BatchInput": {"k": 1}}
    outcome = run_in_memory(spec(items=[1, 2, 3], itemBatcher=batcher))
    assert outcome == TaskSuccess(
        [{"Items": [1, 2], "BatchInput": {"k": 1}}, {"Items": [3], "BatchInput": {"k": 1}}]
    )


def test_no_more_than_max_concurrency_children_run_at_once() -> None:
    # A barrier of 3 parties: every wave of 3 children meets there, so 3 run together; the
    # peak counter shows no fourth ever started while they ran.
    probe = Probe(parties=3)
    items = [{"n": n} for n in range(9)]
    outcome = run_in_memory(spec(PROBE_PROCESSOR, items=items, maxConcurrency=3), probe)
    assert outcome == TaskSuccess(items)
    assert (probe.peak, probe.broken, len(probe.calls)) == (3, 0, 9)


def test_any_failure_fails_the_run_without_a_tolerance() -> None:
    # maprun-fail-threshold.html: "The default percentage value is zero, which means that the
    # workflow fails if any one of its child workflow executions fails or times out."
    items = [{"n": 1}, {"n": 2, "fail": True}]
    outcome = run_in_memory(spec(PROBE_PROCESSOR, items=items), Probe())
    assert outcome == TaskFailure("States.ExceedToleratedFailureThreshold", THRESHOLD_CAUSE)


def test_a_tolerated_failure_count_lets_the_run_succeed() -> None:
    items = [{"n": 1}, {"n": 2, "fail": True}, {"n": 3}]
    outcome = run_in_memory(
        spec(PROBE_PROCESSOR, items=items, toleratedFailureCount=1, maxConcurrency=1), Probe()
    )
    assert outcome == TaskSuccess([{"n": 1}, {"Error": "Boom", "Cause": "item 2"}, {"n": 3}])


def test_one_failure_more_than_the_count_fails_the_run() -> None:
    items = [{"n": n, "fail": n < 3} for n in range(5)]
    outcome = run_in_memory(spec(PROBE_PROCESSOR, items=items, toleratedFailureCount=2), Probe())
    assert outcome == TaskFailure("States.ExceedToleratedFailureThreshold", THRESHOLD_CAUSE)


def test_the_tolerated_percentage_is_failed_items_over_all_items() -> None:
    # 1 failed of 4 items is 25 %: tolerated at 25, not at 24.
    items = [{"n": n, "fail": n == 0} for n in range(4)]
    at_25 = run_in_memory(
        spec(PROBE_PROCESSOR, items=items, toleratedFailurePercentage=25), Probe()
    )
    at_24 = run_in_memory(
        spec(PROBE_PROCESSOR, items=items, toleratedFailurePercentage=24), Probe()
    )
    assert isinstance(at_25, TaskSuccess)
    assert at_24 == TaskFailure("States.ExceedToleratedFailureThreshold", THRESHOLD_CAUSE)


def test_a_batch_that_fails_counts_all_its_items() -> None:
    # Two items fail together in one batch: a count of 1 is exceeded, 2 is not.
    items = [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    batcher = {"MaxItemsPerBatch": 2, "MaxInputBytesPerBatch": None, "BatchInput": None}
    both = {"items": items, "itemBatcher": batcher, "maxConcurrency": 1}
    one = spec(processor, **both, toleratedFailureCount=1)
    assert isinstance(run_in_memory(one), TaskFailure)
    two_of_four = spec(processor, **both, toleratedFailureCount=4)
    assert run_in_memory(two_of_four) == TaskSuccess(
        [{"Error": "E", "Cause": "c"}, {"Error": "E", "Cause": "c"}]
    )


def test_a_bad_spec_is_a_clear_failure_not_a_traceback() -> None:
    outcome = run_in_memory({**spec(), "mapRunArn": "nope"})
    assert isinstance(outcome, TaskFailure)
    assert outcome.cause is not None
    assert "/mapRunArn" in outcome.cause


def test_local_runners_answer_map_run_tasks_themselves() -> None:
    # ferry run and the conformance suite: the in-memory runner registers the integration,
    # sharing its clock and integrations with the children.
    clock = VirtualClock()
    runner = LocalRunner(load_definition(PASS_PROCESSOR), [], clock)
    found = [i for i in runner.integrations if i.handles("ferry:mapRun")]
    assert len(found) == 1
    # Loaded on first use; once loaded it shares the runner's clock and integrations.
    outcome = found[0].invoke(request(spec()))
    assert isinstance(outcome, TaskSuccess)
    real = found[0]._real  # type: ignore[attr-defined]
    assert isinstance(real, MapRunIntegration)
    assert real.clock is clock
    assert real.integrations is runner.integrations
