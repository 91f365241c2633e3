"""``ferry server`` and the commands that reach a durable store: ``ferry run --store``,
``ferry stop``, ``ferry task success|failure|heartbeat``."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from ferry.api import ApiServer, ApiSettings
from ferry.api.context import DEFAULT_ACCOUNT, DEFAULT_REGION
from ferry.asl.load import load_file
from ferry.distributed.maprun import MapRunIntegration
from ferry.errors import ConfigError, InputError
from ferry.integrations.mock import MockedTasks, load_mock_config
from ferry.jsontypes import JSON
from ferry.runner.durable import DurableRunner
from ferry.runner.local import ACCOUNT, REGION, default_integrations
from ferry.runner.nested import NestedExecutions
from ferry.store import DEFAULT_URL, Store, open_store, redact
from ferry.store.errors import StateMachineAlreadyExistsError
from ferry.store.records import ExecutionRecord, NewMachine


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the durable commands on the ``ferry`` parser."""
    server = commands.add_parser(
        "server", help="serve the Step Functions API and run executions from a durable store"
    )
    _store_options(server)
    server.add_argument("--functions", type=Path, help="directory of Lambda handlers")
    server.add_argument("--host", default="127.0.0.1", help="address to listen on")
    server.add_argument("--port", type=int, default=8083, help="port to listen on")
    server.add_argument(
        "--mock-config",
        type=Path,
        help="Step Functions Local MockConfigFile: start executions as 'stateMachineArn#TestCase'",
    )
    server.add_argument(
        "--region",
        default=os.environ.get("FERRY_REGION", DEFAULT_REGION),
        help=f"region in ARNs (env FERRY_REGION, default {DEFAULT_REGION})",
    )
    server.add_argument(
        "--account",
        default=os.environ.get("FERRY_ACCOUNT", DEFAULT_ACCOUNT),
        help=f"account id in ARNs (env FERRY_ACCOUNT, default {DEFAULT_ACCOUNT})",
    )
    server.set_defaults(handler=serve)

    stop = commands.add_parser("stop", help="abort a running execution (StopExecution)")
    _store_options(stop)
    stop.add_argument("execution_arn")
    stop.add_argument("--error")
    stop.add_argument("--cause")
    stop.set_defaults(handler=_stop)

    task = commands.add_parser("task", help="answer a callback task by its token")
    _store_options(task)
    task.add_argument("outcome", choices=["success", "failure", "heartbeat"])
    task.add_argument("token")
    task.add_argument("--output", default="{}", help="JSON output for success")
    task.add_argument("--error")
    task.add_argument("--cause")
    task.set_defaults(handler=_task)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=DEFAULT_URL, help=f"store URL (default {DEFAULT_URL})")
    parser.add_argument("--lease-seconds", type=float, default=30.0, help=argparse.SUPPRESS)


def _functions(path: Path | None) -> Path | None:
    if path is not None and not path.is_dir():
        raise ConfigError(f"--functions {path}: not a directory")
    return path


def _runner(args: argparse.Namespace) -> DurableRunner:
    functions = _functions(getattr(args, "functions", None))
    mock_path: Path | None = getattr(args, "mock_config", None)
    mocks = None if mock_path is None else MockedTasks(load_mock_config(mock_path))
    store = open_store(args.store)
    runner = DurableRunner(
        store, default_integrations(functions), lease_seconds=args.lease_seconds, mocks=mocks
    )
    # Nested executions (states:startExecution) run through this same runner.
    runner.integrations.insert(0, NestedExecutions(runner))
    runner.integrations.insert(0, MapRunIntegration(runner.integrations, runner=runner))
    return runner


def serve(args: argparse.Namespace) -> int:
    """``ferry server``: the Step Functions API on ``--host:--port`` (uvicorn, this thread)
    and the runner's loop on another thread, which first recovers what a dead process left
    running. SIGTERM or SIGINT stops both cleanly (exit 0)."""
    runner = _runner(args)
    settings = ApiSettings(region=args.region, account=args.account)
    server = ApiServer(runner, settings, host=args.host, port=args.port)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        server.request_exit()

    # uvicorn handles these signals while it serves, then re-raises them to the handlers
    # it found: ours, which only ask for the exit already under way.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.bind()
    except ConfigError:
        runner.close()
        raise
    print(
        f"ferry server: {server.url}, store {redact(args.store)}, owner {runner.owner}",
        file=sys.stderr,
    )
    server.serve_forever()
    return 0


def run_durable(args: argparse.Namespace, data: JSON) -> ExecutionRecord:
    """``ferry run --store``: start (or resume, after a crash) an execution and finish it."""
    runner = _runner(args)
    try:
        machine_arn = _ensure_machine(runner.store, args.definition)
        record = runner.start(machine_arn, data, name=args.name)
        return runner.run_until_closed(record.arn)
    finally:
        runner.close()


def _ensure_machine(store: Store, path: Path) -> str:
    load_file(path)  # validate first: an invalid definition never reaches the store
    name = path.stem.split(".")[0]
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
    definition = path.read_text(encoding="utf-8")
    now = time.time()
    try:
        store.machines.create(NewMachine(arn=arn, name=name, definition=definition), now)
    except StateMachineAlreadyExistsError:
        store.machines.update(arn, now, definition=definition)
    return arn


def _stop(args: argparse.Namespace) -> int:
    runner = _runner(args)
    try:
        runner.stop(args.execution_arn, args.error, args.cause)
    finally:
        runner.close()
    return 0


def _task(args: argparse.Namespace) -> int:
    runner = _runner(args)
    try:
        if args.outcome == "success":
            runner.send_task_success(args.token, _json_option(args.output))
        elif args.outcome == "failure":
            runner.send_task_failure(args.token, args.error, args.cause)
        else:
            runner.send_task_heartbeat(args.token)
    finally:
        runner.close()
    return 0


def _json_option(text: str) -> JSON:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--output: not valid JSON ({exc.msg} at column {exc.colno})") from None
