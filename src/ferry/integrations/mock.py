"""Mocked integrations, compatible with Step Functions Local's ``MockConfigFile``.

The file's shape (docs: step-functions/latest/dg/sfn-local-mock-cfg-file.html)::

    {"StateMachines": {"Machine": {"TestCases": {"HappyPath": {"LambdaState": "Ok"}}}},
     "MockedResponses": {"Ok": {"0": {"Return": {"StatusCode": 200}},
                                "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}

An execution started as ``stateMachineArn#HappyPath`` runs that test case: the Nth invocation
(0-based, counting retries) of a state the case names answers with the mocked response whose key
covers N — ``Return`` is the task's result, ``Throw`` fails it with ``Error``/``Cause`` — and the
real integration is never called. States the case does not name call their real integration, as
in Step Functions Local. An invocation past the last key fails with ``States.Runtime``.

Counting is by attempt: a task re-run after a crash keeps its idempotency key and so its index.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ferry.engine.execution import RunTask
from ferry.errors import ConfigError, InputError
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskSuccess
from ferry.jsontypes import JSON

_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
_RESPONSE_KINDS = ("Return", "Throw")


@dataclass(frozen=True, slots=True)
class MockedResponse:
    """One named response: outcomes by invocation index (inclusive ranges)."""

    name: str
    ranges: tuple[tuple[int, int, TaskOutcome], ...]

    def at(self, index: int) -> TaskOutcome | None:
        """The outcome for the ``index``-th invocation (0-based), None past the last key."""
        for first, last, outcome in self.ranges:
            if first <= index <= last:
                return outcome
        return None


@dataclass(frozen=True, slots=True)
class MockConfig:
    """A validated mock file: test cases by machine name, and the responses they name."""

    test_cases: Mapping[str, Mapping[str, Mapping[str, str]]]  # machine -> case -> state -> name
    responses: Mapping[str, MockedResponse]

    def case(self, machine_name: str, case_name: str) -> Mapping[str, str] | None:
        """The state -> response-name table of a test case, None if the file lacks it."""
        return self.test_cases.get(machine_name, {}).get(case_name)


def load_mock_config(path: Path) -> MockConfig:
    """Read and validate a MockConfigFile.

    Raises:
        ConfigError: The file is unreadable, not JSON, or breaks the format; the message names
            the JSON Pointer of the offending value.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--mock-config {path}: {exc.strerror}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"--mock-config {path}: not valid JSON ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno})"
        ) from None
    try:
        return parse_mock_config(doc)
    except ConfigError as exc:
        raise ConfigError(f"--mock-config {path}: {exc}") from None


def parse_mock_config(doc: JSON) -> MockConfig:
    """Validate a decoded MockConfigFile.

    Raises:
        ConfigError: What is wrong and where, as a JSON Pointer (``/MockedResponses/Ok/0``).
    """
    top = _object(doc, "")
    responses = {
        name: _response(name, value, f"/MockedResponses/{_escape(name)}")
        for name, value in _object(top.get("MockedResponses", {}), "/MockedResponses").items()
    }
    machines = _object(top.get("StateMachines", {}), "/StateMachines")
    test_cases = {
        name: _test_cases(value, f"/StateMachines/{_escape(name)}", responses)
        for name, value in machines.items()
    }
    return MockConfig(test_cases, responses)


def _test_cases(
    value: JSON, pointer: str, responses: Mapping[str, MockedResponse]
) -> dict[str, dict[str, str]]:
    cases = _object(_object(value, pointer).get("TestCases", {}), f"{pointer}/TestCases")
    table: dict[str, dict[str, str]] = {}
    for case_name, states in cases.items():
        case_pointer = f"{pointer}/TestCases/{_escape(case_name)}"
        table[case_name] = {}
        for state, response in _object(states, case_pointer).items():
            where = f"{case_pointer}/{_escape(state)}"
            if not isinstance(response, str):
                raise ConfigError(f"{where}: expected the name of a mocked response (a string)")
            if response not in responses:
                raise ConfigError(f"{where}: no mocked response named '{response}'")
            table[case_name][state] = response
    return table


def _response(name: str, value: JSON, pointer: str) -> MockedResponse:
    ranges: list[tuple[int, int, TaskOutcome]] = []
    for key, item in _object(value, pointer).items():
        where = f"{pointer}/{_escape(key)}"
        match = _RANGE.match(key)
        if match is None:
            raise ConfigError(f"{where}: expected an invocation index such as '0' or a range '1-2'")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise ConfigError(f"{where}: the range ends before it starts")
        for other_first, other_last, _ in ranges:
            if first <= other_last and other_first <= last:
                raise ConfigError(f"{where}: overlaps another invocation range")
        ranges.append((first, last, _outcome(item, where)))
    if not ranges:
        raise ConfigError(f"{pointer}: expected at least one invocation ('0': {{...}})")
    return MockedResponse(name, tuple(sorted(ranges, key=lambda r: r[0])))


def _outcome(value: JSON, pointer: str) -> TaskOutcome:
    item = _object(value, pointer)
    kinds = [kind for kind in _RESPONSE_KINDS if kind in item]
    extra = sorted(set(item) - set(_RESPONSE_KINDS))
    if extra:
        where = f"{pointer}/{_escape(extra[0])}"
        raise ConfigError(f"{where}: unknown field (expected Return or Throw)")
    if len(kinds) != 1:
        raise ConfigError(f"{pointer}: expected exactly one of Return or Throw")
    if kinds[0] == "Return":
        return TaskSuccess(item["Return"])
    throw = _object(item["Throw"], f"{pointer}/Throw")
    for key in throw:
        if key not in ("Error", "Cause"):
            raise ConfigError(f"{pointer}/Throw/{_escape(key)}: unknown field (Error, Cause)")
    error, cause = throw.get("Error"), throw.get("Cause")
    if not isinstance(error, str):
        raise ConfigError(f"{pointer}/Throw/Error: expected a string")
    if cause is not None and not isinstance(cause, str):
        raise ConfigError(f"{pointer}/Throw/Cause: expected a string")
    return TaskFailure(error, cause)


def _object(value: JSON, pointer: str) -> dict[str, JSON]:
    if not isinstance(value, dict):
        raise ConfigError(f"{pointer or '/'}: expected an object")
    return value


def _escape(key: str) -> str:
    """A key as a JSON Pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def split_test_case(machine_arn: str) -> tuple[str, str | None]:
    """``arn#Case`` -> (``arn``, ``Case``); an ARN without ``#`` has no test case."""
    arn, sep, case = machine_arn.partition("#")
    return arn, (case if sep else None)


@dataclass(slots=True)
class _Run:
    """One execution running a test case, and the attempts each mocked state has seen."""

    machine_name: str
    case_name: str
    states: Mapping[str, str]
    attempts: dict[str, list[str]] = field(default_factory=dict)


class MockedTasks:
    """The mocks of the executions started under a test case; safe across threads."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self._runs: dict[str, _Run] = {}
        self._lock = threading.Lock()

    def bind(self, execution_arn: str, machine_name: str, case_name: str) -> None:
        """Run execution ``execution_arn`` under test case ``case_name``.

        Raises:
            InputError: The mock file has no such test case for this state machine.
        """
        states = self.config.case(machine_name, case_name)
        if states is None:
            raise InputError(
                f"the mock config has no test case '{case_name}' for state machine '{machine_name}'"
            )
        with self._lock:
            self._runs[execution_arn] = _Run(machine_name, case_name, states)

    def case_of(self, execution_arn: str) -> str | None:
        """The test case execution ``execution_arn`` runs, if any."""
        with self._lock:
            run = self._runs.get(execution_arn)
        return None if run is None else run.case_name

    def outcome(self, execution_arn: str, command: RunTask) -> TaskOutcome | None:
        """The mocked outcome of this task attempt; None when the state is not mocked."""
        state = _state_name(command.context)
        with self._lock:
            run = self._runs.get(execution_arn)
            if run is None or state is None or state not in run.states:
                return None
            seen = run.attempts.setdefault(state, [])
            if command.idempotency_key not in seen:
                seen.append(command.idempotency_key)
            index = seen.index(command.idempotency_key)
            response = self.config.responses[run.states[state]]
        found = response.at(index)
        if found is None:
            return TaskFailure(
                "States.Runtime",
                f"mocked response '{response.name}' of test case '{run.case_name}' has no "
                f"entry for invocation {index} of state '{state}'",
            )
        return found


def _state_name(context: JSON) -> str | None:
    state = context.get("State") if isinstance(context, dict) else None
    name = state.get("Name") if isinstance(state, dict) else None
    return name if isinstance(name, str) else None
