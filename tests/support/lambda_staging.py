"""Lay out a conformance case's Lambda functions the way Ferry's functions directory expects.

A corpus case names its functions in ``lambda_functions``: ARN → ``{name, source, handler}``.
The file name at the end of ``source`` is one of ``<corpus>/functions/*.py``; ``handler`` is
AWS's ``module.function`` string (``handler.handler`` throughout the corpus). Each function is
copied to ``DIR/NAME/<module>.py``, so its code root is ``DIR/NAME`` — the ``/var/task`` that
AWS's stack traces show (``/var/task/handler.py``).

The corpus's copies document each handler function with a docstring that the sources AWS ran
did not have (the recorded stack traces say ``line 2`` for the ``raise`` that follows the
``def`` line). Staging drops function docstrings so line numbers in stack traces are AWS's;
nothing else in a source changes.

Also :func:`lambda_request`, a :class:`TaskRequest` as the engine builds one, for tests.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ferry.integrations.base import TaskRequest
from ferry.jsontypes import JSON

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE_FUNCTIONS = REPO_ROOT.parent / "shared" / "conformance" / "functions"
EXECUTION_ARN = "arn:aws:states:us-east-1:111111111111:execution:machine:run-1"

# Layouts Ferry's LocalFunctions finds: the module file and the handler attribute.
_MODULES = ("handler", "lambda_function")
_ATTRIBUTES = ("handler", "lambda_handler")


def stage_conformance_functions(
    case: Mapping[str, Any], tmp_dir: Path, source_dir: Path = CONFORMANCE_FUNCTIONS
) -> Path:
    """Copy ``case``'s Lambda functions into ``tmp_dir``; return it as the functions directory.

    Raises:
        ValueError: A function's handler string is not a layout Ferry loads.
        FileNotFoundError: A function's source is missing from ``source_dir``.
    """
    for spec in (case.get("lambda_functions") or {}).values():
        module, _, attribute = str(spec["handler"]).rpartition(".")
        if module not in _MODULES or attribute not in _ATTRIBUTES:
            raise ValueError(f"unsupported handler {spec['handler']!r} for {spec['name']}")
        source = source_dir / PurePosixPath(spec["source"]).name
        target = tmp_dir / str(spec["name"]) / f"{module}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(without_function_docstrings(source.read_text(encoding="utf-8")))
    return tmp_dir


def without_function_docstrings(text: str) -> str:
    """``text`` with the docstring lines of its functions removed (module and class docstrings
    stay)."""
    lines = text.splitlines(keepends=True)
    dropped: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or len(node.body) < 2:
            continue
        first = node.body[0]
        if isinstance(first, ast.Expr) and _is_string(first.value):
            end = first.end_lineno or first.lineno
            dropped.update(range(first.lineno - 1, end))
    return "".join(line for number, line in enumerate(lines) if number not in dropped)


def lambda_request(
    resource: str,
    payload: JSON,
    *,
    timeout_seconds: float | None = None,
    key: str = "run-1/Task/2/0",
) -> TaskRequest:
    """A Task attempt as the engine hands it to an integration."""
    context = {
        "Execution": {"Id": EXECUTION_ARN, "Name": "run-1"},
        "State": {"Name": "Task", "RetryCount": 0},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:machine"},
    }
    return TaskRequest(resource, payload, context, timeout_seconds, key)


def _is_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
