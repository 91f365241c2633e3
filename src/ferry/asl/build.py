"""Build the frozen model from a decoded definition that passed validation.

Every expression is compiled here, once: JSONPath paths and templates in JSONPath states,
``{% %}`` JSONata templates in JSONata states. A state's query language is its own
``QueryLanguage`` or else the top-level one (Parallel branches and Map processors included).
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
from ferry.expr.jsonata import is_expression
from ferry.expr.jsonata_template import JsonataTemplate, compile_jsonata_template
from ferry.jsontypes import JSON

_Doc = Mapping[str, Any]


class UnsupportedFeatureError(FerryError):
    """The definition uses a feature this version of Ferry cannot run yet."""


def build(doc: _Doc) -> model.StateMachine:
    """Build a :class:`~ferry.asl.model.StateMachine` from a validated definition."""
    return _machine(doc, "", doc.get("QueryLanguage", "JSONPath"))


def _machine(doc: _Doc, pointer: str, language: model.QueryLanguage) -> model.StateMachine:
    """A state machine, branch or processor; ``language`` is the top level's."""
    states = {
        name: _state(name, body, f"{pointer}/States/{name}", language)
        for name, body in doc["States"].items()
    }
    return model.StateMachine(
        start_at=doc["StartAt"],
        states=states,
        comment=doc.get("Comment"),
        timeout_seconds=doc.get("TimeoutSeconds"),
        query_language=language,
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


def _jsonata(doc: _Doc, key: str) -> JsonataTemplate | None:
    """A JSONata field: literal JSON with ``{% %}`` expressions anywhere inside."""
    return compile_jsonata_template(doc[key], key) if key in doc else None


def _jsonata_expr(doc: _Doc, key: str) -> JsonataTemplate | None:
    """A field that takes a literal or one expression: only the expression is compiled."""
    value = doc.get(key)
    return compile_jsonata_template(value, key) if is_expression(value) else None


def _literal(doc: _Doc, key: str) -> Any:
    """A field's literal value (None when absent or an expression)."""
    value = doc.get(key)
    return None if is_expression(value) else value


def _assign(doc: _Doc, jsonata: bool) -> model.Assignment | None:
    if "Assign" not in doc:
        return None
    return _jsonata(doc, "Assign") if jsonata else compile_template(doc["Assign"])


def _language(doc: _Doc, default: model.QueryLanguage) -> model.QueryLanguage:
    language: model.QueryLanguage = doc.get("QueryLanguage", default)
    return language


def _base(name: str, doc: _Doc, language: model.QueryLanguage) -> dict[str, Any]:
    jsonata = language == "JSONata"
    return {
        "name": name,
        "comment": doc.get("Comment"),
        "next": doc.get("Next"),
        "end": bool(doc.get("End", False)),
        "input_path": _query(doc, "InputPath"),
        "output_path": _query(doc, "OutputPath"),
        "query_language": language,
        "assign": _assign(doc, jsonata),
        "output": _jsonata(doc, "Output") if jsonata else None,
    }


def _state(name: str, doc: _Doc, pointer: str, language: model.QueryLanguage) -> model.State:
    return _BUILDERS[doc["Type"]](name, doc, pointer, language)


def _pass(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    language = _language(doc, language)
    return model.PassState(
        **_base(name, doc, language),
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


def _catch(doc: _Doc, jsonata: bool) -> tuple[model.Catcher, ...]:
    return tuple(
        model.Catcher(
            error_equals=tuple(rule["ErrorEquals"]),
            next=rule["Next"],
            result_path=_path(rule, "ResultPath"),
            assign=_assign(rule, jsonata),
            output=_jsonata(rule, "Output") if jsonata else None,
        )
        for rule in doc.get("Catch", ())
    )


def _task(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    language = _language(doc, language)
    jsonata = language == "JSONata"
    return model.TaskState(
        **_base(name, doc, language),
        resource=doc["Resource"],
        parameters=_template(doc, "Parameters"),
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc, jsonata),
        timeout_seconds=_literal(doc, "TimeoutSeconds"),
        timeout_seconds_path=_optional_path(doc, "TimeoutSecondsPath"),
        heartbeat_seconds=_literal(doc, "HeartbeatSeconds"),
        heartbeat_seconds_path=_optional_path(doc, "HeartbeatSecondsPath"),
        arguments=_jsonata(doc, "Arguments") if jsonata else None,
        timeout_seconds_expr=_jsonata_expr(doc, "TimeoutSeconds"),
        heartbeat_seconds_expr=_jsonata_expr(doc, "HeartbeatSeconds"),
    )


_BOOL_OPERATORS = ("And", "Or", "Not")
_RULE_META = frozenset({"Variable", "Next", "Comment", "Assign", "Output"})


def _rule(doc: _Doc, jsonata: bool) -> model.ChoiceRule:
    assign = _assign(doc, jsonata)
    if jsonata:
        return model.ConditionRule(
            condition=compile_jsonata_template(doc["Condition"], "Condition"),
            next=doc.get("Next"),
            assign=assign,
            output=_jsonata(doc, "Output"),
        )
    for operator in _BOOL_OPERATORS:
        if operator in doc:
            operands = doc[operator] if operator != "Not" else [doc[operator]]
            rules = tuple(_rule(r, jsonata) for r in operands)
            return model.BoolRule(operator, rules, doc.get("Next"), assign)  # type: ignore[arg-type]
    operator = next(key for key in doc if key not in _RULE_META)
    value: JSON = doc[operator]
    if operator.endswith("Path"):
        value = compile_reference_path(value)
    return model.Comparison(
        compile_reference_path(doc["Variable"]), operator, value, doc.get("Next"), assign
    )


def _choice(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    language = _language(doc, language)
    jsonata = language == "JSONata"
    return model.ChoiceState(
        **_base(name, doc, language),
        choices=tuple(_rule(rule, jsonata) for rule in doc["Choices"]),
        default=doc.get("Default"),
    )


def _wait(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    language = _language(doc, language)
    return model.WaitState(
        **_base(name, doc, language),
        seconds=_literal(doc, "Seconds"),
        timestamp=_literal(doc, "Timestamp"),
        seconds_path=_optional_path(doc, "SecondsPath"),
        timestamp_path=_optional_path(doc, "TimestampPath"),
        seconds_expr=_jsonata_expr(doc, "Seconds"),
        timestamp_expr=_jsonata_expr(doc, "Timestamp"),
    )


def _succeed(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    return model.SucceedState(**_base(name, doc, _language(doc, language)))


def _error_source(doc: _Doc, key: str) -> ReferencePath | Template | None:
    value = doc.get(key)
    if value is None:
        return None
    if value.startswith("States."):
        return compile_template({f"{key}.$": value})
    return compile_reference_path(value)


def _fail(name: str, doc: _Doc, _pointer: str, language: model.QueryLanguage) -> model.State:
    language = _language(doc, language)
    return model.FailState(
        **_base(name, doc, language),
        error=_literal(doc, "Error"),
        cause=_literal(doc, "Cause"),
        error_path=_error_source(doc, "ErrorPath"),
        cause_path=_error_source(doc, "CausePath"),
        error_expr=_jsonata_expr(doc, "Error"),
        cause_expr=_jsonata_expr(doc, "Cause"),
    )


def _parallel(name: str, doc: _Doc, pointer: str, language: model.QueryLanguage) -> model.State:
    top = language
    language = _language(doc, language)
    jsonata = language == "JSONata"
    return model.ParallelState(
        **_base(name, doc, language),
        branches=tuple(
            _machine(branch, f"{pointer}/Branches/{i}", top)
            for i, branch in enumerate(doc["Branches"])
        ),
        parameters=_template(doc, "Parameters"),
        arguments=_jsonata(doc, "Arguments") if jsonata else None,
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc, jsonata),
    )


def _map(name: str, doc: _Doc, pointer: str, language: model.QueryLanguage) -> model.State:
    top = language
    language = _language(doc, language)
    jsonata = language == "JSONata"
    processor_key = "ItemProcessor" if "ItemProcessor" in doc else "Iterator"
    processor = doc[processor_key]
    mode = processor.get("ProcessorConfig", {}).get("Mode", "INLINE")
    selector = "ItemSelector" if "ItemSelector" in doc else "Parameters"
    item_selector: Template | JsonataTemplate | None = (
        _jsonata(doc, selector) if jsonata else _template(doc, selector)
    )
    return model.MapState(
        **_base(name, doc, language),
        processor=_machine(processor, f"{pointer}/{processor_key}", top),
        items_path=_query(doc, "ItemsPath"),
        items=_jsonata(doc, "Items") if jsonata else None,
        item_selector=item_selector,
        max_concurrency=_literal(doc, "MaxConcurrency") or 0,
        max_concurrency_path=_optional_path(doc, "MaxConcurrencyPath"),
        tolerated_failure_count=_literal(doc, "ToleratedFailureCount"),
        tolerated_failure_count_path=_optional_path(doc, "ToleratedFailureCountPath"),
        tolerated_failure_percentage=_literal(doc, "ToleratedFailurePercentage"),
        tolerated_failure_percentage_path=_optional_path(doc, "ToleratedFailurePercentagePath"),
        result_selector=_template(doc, "ResultSelector"),
        result_path=_path(doc, "ResultPath"),
        retry=_retry(doc),
        catch=_catch(doc, jsonata),
        label=doc.get("Label"),
        mode=mode,
        max_concurrency_expr=_jsonata_expr(doc, "MaxConcurrency"),
        tolerated_failure_count_expr=_jsonata_expr(doc, "ToleratedFailureCount"),
        tolerated_failure_percentage_expr=_jsonata_expr(doc, "ToleratedFailurePercentage"),
        distributed=_distributed(doc, processor, top) if mode == "DISTRIBUTED" else None,
    )


def _distributed(doc: _Doc, processor: _Doc, top: model.QueryLanguage) -> model.DistributedConfig:
    children = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
    children.setdefault("QueryLanguage", top)
    config = processor.get("ProcessorConfig", {})
    return model.DistributedConfig(
        execution_type=config.get("ExecutionType", "STANDARD"),
        processor_definition=children,
        item_reader=doc.get("ItemReader"),
        item_batcher=doc.get("ItemBatcher"),
        result_writer=doc.get("ResultWriter"),
    )


_BUILDERS: dict[str, Callable[[str, _Doc, str, model.QueryLanguage], model.State]] = {
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
