"""``ferry.runner.local.run``: what it refuses before an execution starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ferry.errors import DefinitionError, InputError
from ferry.runner.local import run

PASS_MACHINE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_input_over_256_kib_is_refused() -> None:
    # AWS quotas: "Maximum input or output size for a task, state, or execution: 256 KiB";
    # StartExecution refuses a larger input with InvalidExecutionInput.
    with pytest.raises(InputError, match="256 KiB"):
        run(PASS_MACHINE, {"blob": "x" * (256 * 1024)})


def test_input_just_under_the_limit_runs() -> None:
    blob = "x" * (256 * 1024 - len('{"blob":""}'))
    result = run(PASS_MACHINE, {"blob": blob})
    assert result.status == "SUCCEEDED"
    assert result.output == {"blob": blob}


def test_invalid_definition_is_refused_with_diagnostics() -> None:
    with pytest.raises(DefinitionError) as info:
        run({"StartAt": "Missing", "States": {}}, {})
    assert info.value.diagnostics


def test_jsonata_definitions_run() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $states.input.n + 1 %}", "End": True}},
    }
    result = run(definition, {"n": 41})
    assert (result.status, result.output) == ("SUCCEEDED", 42)


def test_handlers_get_the_attempts_idempotency_key(tmp_path: Path) -> None:
    # Issue 3's contract: execution ARN + state name + entered-event id + retry count.
    (tmp_path / "key.py").write_text(
        "def handler(event, context):\n    return context.idempotency_key\n"
    )
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:key",
                "End": True,
            }
        },
    }
    result = run(definition, {}, functions_dir=tmp_path, name="k1")
    assert result.status == "SUCCEEDED"
    assert result.output == f"{result.execution_arn}/Work/2/0"
