"""Finding, importing and concurrently invoking local Lambda functions.

Init failures carry the Python runtime's error types and messages (awslambdaric:
``Runtime.ImportModuleError`` "Unable to import module ...", ``Runtime.HandlerNotFound``
"Handler ... missing on module ...", ``Runtime.UserCodeSyntaxError``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ferry.integrations.base import TaskFailure, TaskOutcome, TaskSuccess
from ferry.integrations.lambda_ import LambdaIntegration, LocalFunctions
from support.lambda_staging import lambda_request

FUNCTIONS = Path(__file__).parent / "functions"
ARN = "arn:aws:lambda:us-east-1:111111111111:function:"


def _call(lam: LambdaIntegration, name: str, payload: object = None) -> TaskOutcome:
    return lam.invoke(lambda_request(ARN + name, payload))


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _error_body(outcome: TaskOutcome) -> dict[str, object]:
    assert isinstance(outcome, TaskFailure), outcome
    body = json.loads(outcome.cause or "")
    assert isinstance(body, dict)
    assert body["errorType"] == outcome.error
    return body


@pytest.fixture
def lam() -> LambdaIntegration:
    return LambdaIntegration(LocalFunctions(FUNCTIONS))


def test_lambda_function_module_with_lambda_handler(lam: LambdaIntegration) -> None:
    assert _call(lam, "console_style") == TaskSuccess("console")


def test_package_init_as_entry(lam: LambdaIntegration) -> None:
    assert _call(lam, "package_style") == TaskSuccess("package")


def test_module_is_loaded_once_and_keeps_its_state(lam: LambdaIntegration) -> None:
    assert _call(lam, "counter") == TaskSuccess(1)
    assert _call(lam, "counter") == TaskSuccess(2)


def test_names_outside_lambdas_rule_are_not_found(lam: LambdaIntegration) -> None:
    functions = LocalFunctions(FUNCTIONS)
    assert functions.exists("echo")
    assert not functions.exists("../functions/echo")
    assert not functions.exists("x" * 65)


def test_invocations_run_concurrently(lam: LambdaIntegration) -> None:
    outcomes: list[TaskOutcome] = []

    def run(value: int) -> None:
        outcomes.append(_call(lam, "rendezvous", value))

    threads = [threading.Thread(target=run, args=(value,)) for value in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each handler waits at a two-party barrier: both succeed only if they overlapped.
    assert sorted(o.result for o in outcomes if isinstance(o, TaskSuccess)) == [1, 2]


def test_same_sibling_module_name_in_two_functions_does_not_collide(tmp_path: Path) -> None:
    for name in ("first", "second"):
        _write(tmp_path, f"{name}/helpers.py", f"WHO = {name!r}\n")
        _write(
            tmp_path,
            f"{name}/handler.py",
            "from . import helpers\n\n\ndef handler(event, context):\n    return helpers.WHO\n",
        )
    lam = LambdaIntegration.from_directory(tmp_path)
    assert _call(lam, "first") == TaskSuccess("first")
    assert _call(lam, "second") == TaskSuccess("second")


def test_import_error(tmp_path: Path) -> None:
    _write(tmp_path, "needs_lib/handler.py", "import no_such_library_xyz\n")
    body = _error_body(_call(LambdaIntegration.from_directory(tmp_path), "needs_lib"))
    assert body == {
        "errorMessage": "Unable to import module 'handler': No module named 'no_such_library_xyz'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_missing_handler(tmp_path: Path) -> None:
    _write(tmp_path, "no_entry.py", "def main(event, context):\n    return 1\n")
    body = _error_body(_call(LambdaIntegration.from_directory(tmp_path), "no_entry"))
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'handler' missing on module 'no_entry'"


def test_syntax_error(tmp_path: Path) -> None:
    _write(tmp_path, "broken/handler.py", "def handler(event, context)\n    return 1\n")
    body = _error_body(_call(LambdaIntegration.from_directory(tmp_path), "broken"))
    assert body["errorType"] == "Runtime.UserCodeSyntaxError"
    assert str(body["errorMessage"]).startswith("Syntax error in module 'handler': ")
    assert body["stackTrace"] == [
        '  File "/var/task/handler.py" Line 1\n    def handler(event, context)\n'
    ]


def test_exception_at_import_is_reported_with_its_own_type(tmp_path: Path) -> None:
    _write(tmp_path, "boom/handler.py", "raise KeyError('CONFIG_TABLE')\n")
    body = _error_body(_call(LambdaIntegration.from_directory(tmp_path), "boom"))
    assert body["errorType"] == "KeyError"
    assert body["errorMessage"] == "'CONFIG_TABLE'"
    assert body["stackTrace"] == [
        "  File \"/var/task/handler.py\", line 1, in <module>\n    raise KeyError('CONFIG_TABLE')\n"
    ]


def test_failed_init_is_retried_on_the_next_invocation(tmp_path: Path) -> None:
    _write(tmp_path, "late/handler.py", "import not_yet_there_xyz\n")
    lam = LambdaIntegration.from_directory(tmp_path)
    assert isinstance(_call(lam, "late"), TaskFailure)
    _write(tmp_path, "late/handler.py", "def handler(event, context):\n    return 'ok'\n")
    assert _call(lam, "late") == TaskSuccess("ok")
