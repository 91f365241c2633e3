"""Two ``ferry server`` processes on one store: when the owner of a parked execution is killed,
the other takes it over once the lease expires, and finishes it.

AWS Standard workflows survive the loss of any worker; Ferry's equivalent is the lease contract
in ``ferry.runner.durable``: a dead owner's leases expire and another process adopts its
executions, with timers kept as due times.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ferry.jsontypes import JSON
from ferry.runner.durable import DurableRunner
from ferry.runner.local import ACCOUNT, REGION
from ferry.store import Store, open_store
from ferry.store.records import NewMachine

from . import harness
from .test_crash_recovery import assert_no_holes

WAIT_SECONDS = 3
DEFINITION: JSON = {
    "StartAt": "Park",
    "States": {
        "Park": {"Type": "Wait", "Seconds": WAIT_SECONDS, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": {"finished": True}, "ResultPath": "$.done", "End": True},
    },
}
MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:takeover"
#: Only to stop waiting; nothing asserts how long anything took.
DEADLINE_SECONDS = 30.0


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each backend (PostgreSQL skipped when unreachable, unless CI=true)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ferry.db'}"
    schema_url: str = request.getfixturevalue("pg_schema_url")
    return schema_url


@pytest.fixture
def servers() -> Iterator[Callable[[str], tuple[subprocess.Popen[str], str]]]:
    """Start ``ferry server`` subprocesses; each is killed at the end if still running."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str) -> tuple[subprocess.Popen[str], str]:
        command = [*harness.ferry_command(), "server", "--store", url, "--lease-seconds", "1"]
        command += ["--port", "0"]  # two servers at once: let each pick a free port
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stderr is not None
        banner = process.stderr.readline()  # "ferry server: store URL, owner OWNER"
        assert "owner " in banner, banner
        return process, banner.rsplit("owner ", 1)[1].strip()

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_second_server_takes_over_a_killed_servers_wait(
    url: str, servers: Callable[[str], tuple[subprocess.Popen[str], str]]
) -> None:
    """A owns the parked Wait; SIGKILL A; B adopts it and the execution succeeds once."""
    store = open_store(url)
    try:
        server_a, owner_a = servers(url)
        arn = start_execution(store)
        wait_until(lambda: holder(store, arn) == owner_a, "server A to take the execution")

        server_b, owner_b = servers(url)
        server_a.kill()
        assert server_a.wait() == -signal.SIGKILL
        wait_until(lambda: status(store, arn) != "RUNNING", "the execution to end")

        record = store.executions.describe(arn)
        assert record is not None
        assert record.status == "SUCCEEDED"
        assert record.output is not None
        assert json.loads(record.output) == {"order": 7, "done": {"finished": True}}
        assert server_b.poll() is None  # B is alive, so it, not A, finished the execution
        assert owner_b != owner_a
        events = read_history(store, arn)
    finally:
        store.close()
    assert_no_holes(events)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    # The timer is a due time, kept across the takeover: the Wait never ends early.
    entered, exited = events[1]["timestamp"], events[2]["timestamp"]
    assert exited - entered >= WAIT_SECONDS
    server_b.send_signal(signal.SIGTERM)
    assert server_b.wait(timeout=DEADLINE_SECONDS) == 0


def start_execution(store: Store) -> str:
    """Create the machine and start the execution here, then hand it to the servers."""
    store.machines.create(
        NewMachine(arn=MACHINE_ARN, name="takeover", definition=json.dumps(DEFINITION)),
        time.time(),
    )
    runner = DurableRunner(store, lease_seconds=1)
    try:
        record = runner.start(MACHINE_ARN, {"order": 7}, name="parked")
    finally:
        runner.close()  # releases the lease: a server acquires the execution
    return record.arn


def holder(store: Store, arn: str) -> str | None:
    """The owner holding the execution's lease, if any."""
    held = store.leases.holder(arn)
    return None if held is None else held[0]


def status(store: Store, arn: str) -> str:
    """The execution's status now."""
    record = store.executions.describe(arn)
    assert record is not None
    return record.status


def read_history(store: Store, arn: str) -> list[dict[str, JSON]]:
    """The whole history (short enough for one page)."""
    page = store.history.read(arn)
    assert page.next_token is None
    return page.items


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail (not hang) after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)
