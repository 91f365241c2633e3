"""The ``ferry`` command line: ``ferry run`` executes a definition, ``ferry validate`` checks one.

Exit codes: 0 success; 1 a failed execution or an invalid definition; 2 bad usage or input.
No command prints a traceback for bad input: every :class:`~ferry.errors.FerryError` becomes a
one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ferry import __version__
from ferry.asl.load import load_file
from ferry.asl.validate import parse_definition_text, validate
from ferry.asl.validate_variables import unresolved_variables
from ferry.cli import config_cmd, db, durable, files
from ferry.engine.context import iso_time
from ferry.errors import ConfigError, DefinitionError, FerryError, InputError
from ferry.jsontypes import JSON
from ferry.runner.local import ExecutionResult, run
from ferry.store import open_store


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ferry`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except DefinitionError as exc:
        for diagnostic in exc.diagnostics:
            print(f"{args.definition}: {diagnostic}", file=sys.stderr)
        return exc.exit_code
    except FerryError as exc:
        print(f"ferry: {exc}", file=sys.stderr)
        return exc.exit_code
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ferry", description="Run Amazon States Language workflows locally, as AWS does."
    )
    parser.add_argument("--version", action="version", version=f"ferry {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run_cmd = commands.add_parser("run", help="execute a state machine definition")
    run_cmd.add_argument("definition", type=Path, help="ASL definition (JSON or YAML)")
    run_cmd.add_argument("--input", default="{}", help="input JSON, or @FILE to read it")
    run_cmd.add_argument("--functions", type=Path, help="directory of Lambda handlers")
    run_cmd.add_argument("--name", help="execution name (default: a UUID)")
    run_cmd.add_argument("--json", action="store_true", help="print status/output/error/cause")
    run_cmd.add_argument("--history", action="store_true", help="print the execution history")
    run_cmd.add_argument("--store", help="run durably in this store (sqlite:///ferry.db, ...)")
    run_cmd.add_argument("--lease-seconds", type=float, default=30.0, help=argparse.SUPPRESS)
    run_cmd.set_defaults(handler=_run)

    validate_cmd = commands.add_parser("validate", help="check definitions as AWS does")
    validate_cmd.add_argument("files", nargs="+", type=Path, help="ASL definition files")
    validate_cmd.add_argument(
        "--strict",
        action="store_true",
        help="also fail on warnings, e.g. a variable no state assigns (AWS accepts those)",
    )
    validate_cmd.set_defaults(handler=_validate, definition="")
    for module in (durable, db, files, config_cmd):
        module.add_commands(commands)
    return parser


def _read_input(text: str) -> JSON:
    source = "--input"
    if text.startswith("@"):
        path = Path(text[1:])
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the input: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def _run(args: argparse.Namespace) -> int:
    data = _read_input(args.input)
    if args.functions is not None and not args.functions.is_dir():
        raise ConfigError(f"--functions {args.functions}: not a directory")
    if args.store is not None:
        return _run_durable(args, data)
    machine = load_file(args.definition)
    result = run(
        machine,
        data,
        functions_dir=args.functions,
        name=args.name,
        state_machine_name=args.definition.stem.split(".")[0],
    )
    _report(result, args)
    return 0 if result.status == "SUCCEEDED" else 1


def _run_durable(args: argparse.Namespace, data: JSON) -> int:
    record = durable.run_durable(args, data)
    store = open_store(args.store)
    try:
        history = store.history.read(record.arn).items if args.history else []
    finally:
        store.close()
    result = ExecutionResult(
        execution_arn=record.arn,
        status=record.status,
        output=None if record.output is None else json.loads(record.output),
        error=record.error,
        cause=record.cause,
        history=history,
    )
    _report(result, args)
    return 0 if result.status == "SUCCEEDED" else 1


def _report(result: ExecutionResult, args: argparse.Namespace) -> None:
    if args.history:
        events = [{**event, "timestamp": iso_time(event["timestamp"])} for event in result.history]
        print(json.dumps(events, indent=2, ensure_ascii=False))
    if args.json:
        summary = {
            "status": result.status,
            "output": result.output,
            "error": result.error,
            "cause": result.cause,
        }
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    elif result.status == "SUCCEEDED":
        if not args.history:
            print(json.dumps(result.output, indent=2, ensure_ascii=False))
    else:
        print(f"{result.status}: {result.error}", file=sys.stderr)
        if result.cause:
            print(result.cause, file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    failed = False
    for path in args.files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            failed = True
            continue
        document, diagnostics = parse_definition_text(text)
        if not diagnostics:
            diagnostics = validate(document)
        # Warnings (AWS accepts the definition) are printed but do not fail validation.
        warnings = [] if diagnostics else unresolved_variables(document)
        for diagnostic in [*diagnostics, *warnings]:
            print(f"{path}: {diagnostic}", file=sys.stderr)
        if diagnostics or (warnings and args.strict):
            failed = True
        else:
            print(f"{path}: valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
