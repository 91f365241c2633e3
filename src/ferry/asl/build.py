"""Build the frozen model from a decoded definition that passed validation.

Every expression is compiled here, once. Fields the JSONPath engine does not use yet (JSONata's
``Arguments``/``Output``, ``Assign``) are refused with :class:`UnsupportedFeatureError` rather than
silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ferry.asl import model
from ferry.errors import FerryError
from ferry.expr import (
    QueryPath,
    ReferencePath,
    Template,
    compile_path,
    compile_reference_path,
    compile_template,
)
from ferry.jsontypes import JSON

_Doc = Mapping[str, Any]


class UnsupportedFeatureError(FerryError):
    """The definition uses a feature this version of Ferry cannot run yet."""


_COMMON = ("Comment", "Next", "End", "InputPath", "OutputPath", "Type")


def build(doc: _Doc) -> model.StateMachine:
    """Build a :class:`~ferry.asl.model.StateMachine` from a validated definition."""
    return _machine(doc, "")


def _machine(doc: _Doc, pointer: str) -> model.StateMachine:
    language = doc.get("QueryLanguage", "JSONPath")
    if language != "JSONPath":
        raise UnsupportedFeatureError(f"{pointer}/QueryLanguage: JSONata is not supported yet")
    states = {
        name: _state(name, body, f"{pointer}/States/{name}") for name, body in doc["States"].items()
    }
    return model.StateMachine(
        start_at=doc["StartAt"],
        states=states,
        comment=doc.get("Comment"),
        timeout_seconds=doc.get("TimeoutSeconds"),
    )


def _path(doc: _Doc, key: str) -> ReferencePath | None:
    """A path field: absent means ``$``, ``null`` means None (discard)."""
    value = doc.get(key, "$")
    return None if value is None else compile_reference_path(value)


def _query(doc: _Doc, key: str) -> QueryPath | None:
    """An InputPath/OutputPath/ItemsPath: a Path (may be indefinite); ``null`` is None."""
    value = doc.get(key, "$")
    return None if value is None else compile_path(value)


def _optional_path(doc: _Doc, key: str) -> ReferencePath | None:
    value = doc.get(key)
    return None if value is None else compile_reference_path(value)


def _template(doc: _Doc, key: str) -> Template | None:
    return compile_template(doc[key]) if key in doc else None


def _base(name: str, doc: _Doc, pointer: str) -> dict[str, Any]:
    for key in ("Assign", "Output", "Arguments", "Items", "Condition"):
        if key in doc:
            raise UnsupportedFeatureError(
                f"{pointer}/{key}: not supported yet (JSONata and variables)"
            )
    if doc.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise UnsupportedFeatureError(f"{pointer}/QueryLanguage: JSONata is not supported yet")
    return {
        "name": name,
        "comment": doc.get("Comment"),
        "next": doc.get("Next"),
        "end": bool(doc.get("End", False)),
        "input_path": _query(doc, "InputPath"),
        "output_path": _query(doc, "OutputPath"),
    }


def _state(name: str, doc: _Doc, pointer: str) -> model.State:
    return _BUILDERS[doc["Type"]](name, doc, pointer)


def _pass(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.PassState(
        **_base(name, doc, pointer),
        parameters=_template(doc, "Parameters"),
        result=doc.get("Result"),
        has_result="Result" in doc,
        result_path=_path(doc, "ResultPath"),
    )


def _retry(doc: _Doc) -> tuple[model.Retrier, ...]:
    return tuple(
        model.Retrier(
            error_equals=tuple(rule["ErrorEquals"]),
            interval_seconds=rule.get("IntervalSeconds", 1),
            max_attempts=rule.get("MaxAttempts", 3),
            backoff_rate=rule.get("BackoffRate", 2.0),
            max_delay_seconds=rule.get("MaxDelaySeconds"),
            jitter_strategy=rule.get("JitterStrategy", "NONE"),
        )
        for rule in doc.get("Retry", ())
    )


def _catch(doc: _Doc) -> tuple[model.Catcher, ...]:
    return tuple(
        model.Catcher(
            error_equals=tuple(rule["ErrorEquals"]),
            next=rule["Next"],
            result_path=_path(rule, "ResultPath"),
        )
        for rule in doc.get("Catch", ())
    )


def _task(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.TaskState(
        **_base(name, doc, pointer),
        resource=doc["Resource"],
        parameters=_template(doc, "Parameters"),
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc),
        timeout_seconds=doc.get("TimeoutSeconds"),
        timeout_seconds_path=_optional_path(doc, "TimeoutSecondsPath"),
        heartbeat_seconds=doc.get("HeartbeatSeconds"),
        heartbeat_seconds_path=_optional_path(doc, "HeartbeatSecondsPath"),
    )


_BOOL_OPERATORS = ("And", "Or", "Not")
_RULE_META = frozenset({"Variable", "Next", "Comment", "Assign"})


def _rule(doc: _Doc, pointer: str) -> model.ChoiceRule:
    for operator in _BOOL_OPERATORS:
        if operator in doc:
            operands = doc[operator] if operator != "Not" else [doc[operator]]
            rules = tuple(_rule(r, f"{pointer}/{operator}") for r in operands)
            return model.BoolRule(operator, rules, doc.get("Next"))  # type: ignore[arg-type]
    if "Condition" in doc:
        raise UnsupportedFeatureError(f"{pointer}/Condition: JSONata is not supported yet")
    operator = next(key for key in doc if key not in _RULE_META)
    value: JSON = doc[operator]
    if operator.endswith("Path"):
        value = compile_reference_path(value)
    return model.Comparison(
        compile_reference_path(doc["Variable"]), operator, value, doc.get("Next")
    )


def _choice(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.ChoiceState(
        **_base(name, doc, pointer),
        choices=tuple(
            _rule(rule, f"{pointer}/Choices/{i}") for i, rule in enumerate(doc["Choices"])
        ),
        default=doc.get("Default"),
    )


def _wait(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.WaitState(
        **_base(name, doc, pointer),
        seconds=doc.get("Seconds"),
        timestamp=doc.get("Timestamp"),
        seconds_path=_optional_path(doc, "SecondsPath"),
        timestamp_path=_optional_path(doc, "TimestampPath"),
    )


def _succeed(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.SucceedState(**_base(name, doc, pointer))


def _error_source(doc: _Doc, key: str) -> ReferencePath | Template | None:
    value = doc.get(key)
    if value is None:
        return None
    if value.startswith("States."):
        return compile_template({f"{key}.$": value})
    return compile_reference_path(value)


def _fail(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.FailState(
        **_base(name, doc, pointer),
        error=doc.get("Error"),
        cause=doc.get("Cause"),
        error_path=_error_source(doc, "ErrorPath"),
        cause_path=_error_source(doc, "CausePath"),
    )


def _parallel(name: str, doc: _Doc, pointer: str) -> model.State:
    return model.ParallelState(
        **_base(name, doc, pointer),
        branches=tuple(
            _machine(branch, f"{pointer}/Branches/{i}") for i, branch in enumerate(doc["Branches"])
        ),
        parameters=_template(doc, "Parameters"),
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc),
    )


def _map(name: str, doc: _Doc, pointer: str) -> model.State:
    processor_key = "ItemProcessor" if "ItemProcessor" in doc else "Iterator"
    processor = doc[processor_key]
    mode = processor.get("ProcessorConfig", {}).get("Mode", "INLINE")
    if (
        mode == "DISTRIBUTED"
        or "ItemReader" in doc
        or "ResultWriter" in doc
        or "ItemBatcher" in doc
    ):
        raise UnsupportedFeatureError(f"{pointer}: Distributed Map is not supported yet")
    selector = "ItemSelector" if "ItemSelector" in doc else "Parameters"
    return model.MapState(
        **_base(name, doc, pointer),
        processor=_machine(processor, f"{pointer}/{processor_key}"),
        items_path=_query(doc, "ItemsPath"),
        item_selector=_template(doc, selector),
        max_concurrency=doc.get("MaxConcurrency", 0),
        max_concurrency_path=_optional_path(doc, "MaxConcurrencyPath"),
        tolerated_failure_count=doc.get("ToleratedFailureCount"),
        tolerated_failure_count_path=_optional_path(doc, "ToleratedFailureCountPath"),
        tolerated_failure_percentage=doc.get("ToleratedFailurePercentage"),
        tolerated_failure_percentage_path=_optional_path(doc, "ToleratedFailurePercentagePath"),
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc),
        label=doc.get("Label"),
        mode=mode,
    )


_BUILDERS: dict[str, Callable[[str, _Doc, str], model.State]] = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}

__all__ = ["UnsupportedFeatureError", "build"]
