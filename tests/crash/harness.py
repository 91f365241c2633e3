"""Run the crash-test machine in real ``ferry`` subprocesses and read back what happened.

The machine (``machine.asl.json``) uses every durable mechanism: a Lambda Task with Retry, a
Parallel whose branches are a Task and a Wait (1 s) followed by a Pass, a Map over three items
whose Task retries, and a callback task (``lambda:invoke.waitForTaskToken``). The test answers
the callback from outside the ``ferry`` process, the way a real worker would, by watching the
token file the handler writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ferry.jsontypes import JSON
from ferry.runner.durable import KILL_AFTER_EVENT, DurableRunner, TaskTimedOutError
from ferry.runner.local import ACCOUNT, REGION
from ferry.store import open_store
from ferry.store.records import ExecutionRecord

from .functions import journal

HERE = Path(__file__).resolve().parent
MACHINE = HERE / "machine.asl.json"
FUNCTIONS = HERE / "functions"
NAME = "crash-run"
INPUT: JSON = {"items": ["a", "b", "c"]}
CALLBACK_OUTPUT: JSON = {"approved": True}
LEASE_SECONDS = "0.5"
#: Only to stop waiting for a hung subprocess; no assertion depends on time.
DEADLINE_SECONDS = 120.0


def execution_arn(name: str = NAME) -> str:
    """The ARN ``ferry run`` gives the execution ``name`` of the machine file."""
    machine = MACHINE.name.split(".")[0]
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}"


@dataclass(frozen=True)
class Run:
    """How one ``ferry run`` subprocess ended."""

    returncode: int
    stdout: str
    stderr: str


def ferry_run(store_url: str, work: Path, kill_after: int | None = None) -> Run:
    """Run (or resume) the execution in a ``ferry run`` subprocess, answering its callback."""
    env = {**os.environ, journal.DIR_VARIABLE: str(work)}
    env.pop(KILL_AFTER_EVENT, None)
    if kill_after is not None:
        env[KILL_AFTER_EVENT] = str(kill_after)
    command = [
        *ferry_command(),
        "run",
        str(MACHINE),
        "--input",
        json.dumps(INPUT),
        "--store",
        store_url,
        "--name",
        NAME,
        "--functions",
        str(FUNCTIONS),
        "--lease-seconds",
        LEASE_SECONDS,
        "--json",
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    answered: set[str] = set()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while process.poll() is None:
        answer_callbacks(store_url, work, answered)
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.02)
    stdout, stderr = process.communicate()
    return Run(process.returncode, stdout, stderr)


def ferry_command() -> list[str]:
    """The ``ferry`` console script of this virtualenv, run by this interpreter."""
    return [sys.executable, "-m", "ferry.cli.main"]


def answer_callbacks(store_url: str, work: Path, answered: set[str]) -> None:
    """SendTaskSuccess for every token the callback handler published and nobody answered."""
    tokens_file = work / journal.TOKENS_NAME
    if not tokens_file.exists():
        return
    lines = tokens_file.read_text().splitlines()
    # A line still being written has no newline yet; only whole lines are tokens.
    fresh = [t for t in lines if t and t not in answered]
    if not fresh:
        return
    store = open_store(store_url)
    runner = DurableRunner(store)
    try:
        for token in fresh:
            answered.add(token)
            # A re-run of the handler may republish a token that was already answered.
            with contextlib.suppress(TaskTimedOutError):
                runner.send_task_success(token, CALLBACK_OUTPUT)
    finally:
        runner.close()
        store.close()


def invocations(work: Path) -> Counter[tuple[str, str, str]]:
    """How many times each (function, item, aws_request_id) was invoked."""
    log = work / journal.LOG_NAME
    lines = log.read_text().splitlines() if log.exists() else []
    return Counter(tuple(line.split("\t")) for line in lines)  # type: ignore[misc]


def history(store_url: str, arn: str = "") -> list[dict[str, JSON]]:
    """The execution's whole history, read page by page."""
    store = open_store(store_url)
    events: list[dict[str, JSON]] = []
    token: str | None = None
    try:
        while True:
            page = store.history.read(arn or execution_arn(), max_results=7, next_token=token)
            events.extend(page.items)
            token = page.next_token
            if token is None:
                return events
    finally:
        store.close()


def describe(store_url: str, arn: str = "") -> ExecutionRecord:
    """The execution's record as the store has it now."""
    store = open_store(store_url)
    try:
        record = store.executions.describe(arn or execution_arn())
    finally:
        store.close()
    assert record is not None
    return record


def result(run: Run) -> JSON:
    """The ``--json`` summary a ``ferry run`` printed."""
    return json.loads(run.stdout)
