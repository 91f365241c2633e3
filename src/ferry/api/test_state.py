"""TestState: run the definition of ONE state and report what it did.

AWS (API reference, "TestState"): the answer carries ``status`` SUCCEEDED, FAILED, RETRIABLE
(the error matches a Retrier: AWS reports it instead of retrying) or CAUGHT_ERROR (a Catcher
took it), with ``output``, ``error``/``cause`` and ``nextState``; ``inspectionLevel`` DEBUG
adds ``inspectionData`` (input, afterInputPath, afterParameters, result, afterResultSelector,
afterResultPath). ``mock`` (``result`` or ``errorOutput``) stands in for a Task's call.

Ferry runs the state with its own engine inside a small machine: the state under test (its
Retry removed), and a ``Succeed`` stub for every state it can go to. Where the run entered a
stub is ``nextState``; that stub's input is the tested state's output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ferry.api.context import ApiContext
from ferry.api.errors import ApiError
from ferry.api.executions import execution_input
from ferry.api.machines import MAX_DEFINITION, check_definition
from ferry.api.params import JSONObject, Params
from ferry.errors import DefinitionError, StatesError
from ferry.expr import ExprError
from ferry.expr.paths import compile_path, compile_reference_path
from ferry.expr.template import compile_template
from ferry.integrations.base import Integration, TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON, dumps
from ferry.runner.clock import VirtualClock
from ferry.runner.local import ExecutionResult, run

LEVELS = ("INFO", "DEBUG", "TRACE")
DEFAULT_STATE = "TestState"
_UNSUPPORTED = ("Map", "Parallel")


@dataclass(frozen=True, slots=True)
class _Mocked:
    """An integration that answers every Task with one fixed outcome (TestState's ``mock``)."""

    outcome: TaskOutcome

    def handles(self, resource: str) -> bool:
        del resource
        return True

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        del request
        return self.outcome


def _state_definition(params: Params) -> JSONObject:
    text = params.required("definition", max_len=MAX_DEFINITION)
    try:
        state = json.loads(text)
    except ValueError:
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("Type"), str):
        raise ApiError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
            "The state definition must be a JSON object with a Type at /'",
        )
    if state["Type"] in _UNSUPPORTED:
        raise ApiError("ValidationException", f"TestState does not support {state['Type']} states")
    return state


def _targets(state: JSONObject) -> set[str]:
    """Every state name ``state`` can transition to."""
    names = {state.get("Next"), state.get("Default")}
    for key in ("Choices", "Catch"):
        items = state.get(key)
        if isinstance(items, list):
            names.update(item.get("Next") for item in items if isinstance(item, dict))
    return {n for n in names if isinstance(n, str)}


def _machine(name: str, state: JSONObject) -> JSONObject:
    tested = {k: v for k, v in state.items() if k != "Retry"}
    states: JSONObject = {t: {"Type": "Succeed"} for t in _targets(state) if t != name}
    states[name] = tested
    return {"StartAt": name, "States": states}


def _mock_integration(params: Params) -> Integration | None:
    mock = params.raw("mock")
    if mock is None:
        return None
    if not isinstance(mock, dict):
        raise ApiError("SerializationException", "Unexpected value type for 'mock'")
    if isinstance(mock.get("result"), str):
        try:
            return _Mocked(TaskSuccess(json.loads(str(mock["result"]))))
        except ValueError:
            raise ApiError("ValidationException", "Mock result must be valid JSON") from None
    error = mock.get("errorOutput")
    if isinstance(error, dict):
        err, cause = error.get("error"), error.get("cause")
        return _Mocked(TaskFailure(str(err) if err is not None else None, _text(cause)))
    raise ApiError("ValidationException", "A mock must have either a result or an errorOutput")


def _text(value: JSON) -> str | None:
    return None if value is None else str(value)


def _details(event: dict[str, JSON]) -> JSONObject:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _entered(result: ExecutionResult, names: set[str]) -> tuple[str, JSON] | None:
    for event in result.history:
        details = _details(event)
        if str(event.get("type", "")).endswith("StateEntered") and details.get("name") in names:
            return str(details["name"]), json.loads(str(details.get("input", "null")))
    return None


def _failure(result: ExecutionResult) -> tuple[str | None, str | None] | None:
    for event in result.history:
        kind = str(event.get("type", ""))
        if kind.endswith(("Failed", "TimedOut")) and not kind.startswith("Execution"):
            details = _details(event)
            return _text(details.get("error")), _text(details.get("cause"))
    return None


def _retriable(state: JSONObject, error: str | None) -> bool:
    retry = state.get("Retry")
    if not isinstance(retry, list) or error is None:
        return False
    for retrier in retry:
        if not isinstance(retrier, dict) or retrier.get("MaxAttempts", 3) == 0:
            continue
        names = retrier.get("ErrorEquals")
        if isinstance(names, list) and (
            error in names or (StatesError.ALL in names and error != StatesError.RUNTIME)
        ):
            return True
    return False


def _answer(name: str, state: JSONObject, result: ExecutionResult) -> JSONObject:
    stubs = _targets(state) - {name}
    entered = _entered(result, stubs)
    failure = _failure(result)
    if result.status == "SUCCEEDED" and entered is not None:
        body: JSONObject = {"output": dumps(entered[1]), "nextState": entered[0]}
        if failure is not None:
            body.update(status="CAUGHT_ERROR", error=failure[0], cause=failure[1])
        else:
            body["status"] = "SUCCEEDED"
        return {k: v for k, v in body.items() if v is not None}
    if result.status == "SUCCEEDED":
        return {"output": dumps(result.output), "status": "SUCCEEDED"}
    status = "RETRIABLE" if _retriable(state, result.error) else "FAILED"
    failed: JSONObject = {"status": status, "error": result.error, "cause": result.cause}
    return {k: v for k, v in failed.items() if v is not None}


def _task_events(result: ExecutionResult) -> tuple[JSON, JSON]:
    """The parameters a Task was called with and its result, as the history recorded them."""
    sent: JSON = None
    got: JSON = None
    for event in result.history:
        kind, details = str(event.get("type", "")), _details(event)
        if kind.endswith("Scheduled"):
            sent = details.get("parameters", details.get("input"))
        elif kind.endswith("Succeeded") and not kind.startswith("Execution"):
            got = details.get("output")
    return (
        None if sent is None else json.loads(str(sent)),
        None if got is None else json.loads(str(got)),
    )


def _inspection(state: JSONObject, data: JSON, result: ExecutionResult) -> JSONObject:
    """The JSONPath pipeline step by step (docs: "Processing input and output")."""
    view: JSONObject = {"input": dumps(data)}
    if state.get("QueryLanguage") == "JSONata":
        return view
    try:
        path = state.get("InputPath", "$")
        effective = {} if path is None else compile_path(str(path)).find(data)
        view["afterInputPath"] = dumps(effective)
        if state["Type"] == "Task":
            parameters, outcome = _task_events(result)
        else:
            parameters = _evaluate(state.get("Parameters"), effective)
            outcome = state.get("Result", parameters)
        view["afterParameters"] = dumps(parameters)
        if outcome is None and state["Type"] == "Task":
            return view
        view["result"] = dumps(outcome)
        selected = _evaluate(state.get("ResultSelector"), outcome)
        view["afterResultSelector"] = dumps(selected)
        result_path = state.get("ResultPath", "$")
        placed = data if result_path is None else _place(str(result_path), data, selected)
        view["afterResultPath"] = dumps(placed)
    except (ExprError, ValueError, TypeError):
        pass  # the run itself reported the failure; show the steps that worked
    return view


def _evaluate(template: JSON, data: JSON) -> JSON:
    return data if template is None else compile_template(template).evaluate(data, {})


def _place(path: str, data: JSON, value: JSON) -> JSON:
    return value if path == "$" else compile_reference_path(path).put(data, value)


def test_state(context: ApiContext, params: Params) -> JSONObject:
    """TestState: run one state with the engine (Task states really call, unless mocked)."""
    state = _state_definition(params)
    params.string("roleArn", min_len=1, max_len=256)
    level = params.enum("inspectionLevel", LEVELS) or "INFO"
    name = params.string("stateName", min_len=1, max_len=80) or DEFAULT_STATE
    data = execution_input(params)
    variables = _variables(params)
    mocked = _mock_integration(params)
    machine = _machine(name, state)
    check_definition(dumps(machine))
    integrations = [mocked] if mocked is not None else context.runner.integrations
    try:
        result = run(
            machine, data, clock=VirtualClock(), integrations=integrations, variables=variables
        )
    except DefinitionError as exc:
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{exc}'") from None
    body = _answer(name, state, result)
    if level != "INFO":
        body["inspectionData"] = _inspection(state, data, result)
        after = {**variables, **_assigned(name, result)}
        if after:  # "the set of workflow variables after execution of the state"
            body["inspectionData"]["variables"] = dumps(after)
    return body


def _variables(params: Params) -> dict[str, JSON]:
    """TestState's ``variables``: a JSON object of workflow variables set before the state."""
    text = params.string("variables", max_len=MAX_DEFINITION)
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ApiError(
            "ValidationException", "Invalid variables: expected a JSON object of variable names"
        )
    return value


def _assigned(name: str, result: ExecutionResult) -> dict[str, JSON]:
    """What the tested state assigned (its StateExited event's ``assignedVariables``)."""
    for event in result.history:
        details = _details(event)
        if str(event.get("type", "")).endswith("StateExited") and details.get("name") == name:
            assigned = details.get("assignedVariables") or {}
            assert isinstance(assigned, dict)
            return {key: json.loads(str(text)) for key, text in assigned.items()}
    return {}


ACTIONS = {"TestState": test_state}
