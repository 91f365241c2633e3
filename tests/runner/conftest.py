"""Fixtures for the durable runner's tests: a store on each backend, a clock the test moves,
real Lambda handlers in a temporary functions directory, and a probe the handlers report to.

The store fixtures are the store suite's (``tests/store/conftest.py``): every test that takes
``kit`` runs on SQLite and on PostgreSQL (skipped with the reason when the server is down,
a failure under ``CI=true``).

Handlers run in this process (``ferry.runner.local.default_integrations``), and each runner
loads its own copy of a handler module, so handlers do not count in their own globals: they
import a per-test *probe module* (a real entry of ``sys.modules``) and record every call there.
"""

from __future__ import annotations

import json
import sys
import textwrap
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from ferry.jsontypes import JSON, dumps
from ferry.runner.durable import DurableRunner
from ferry.runner.local import default_integrations
from ferry.store import Store, open_store
from ferry.store.records import NewMachine
from store.conftest import pg_schema_url, store_url

__all__ = ["pg_schema_url", "store_url"]

ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"
START = 1_700_000_000.0
# Upper bound on poll rounds while a test waits for something a runner must do; reaching it
# means the runner is stuck, not slow (each round waits at most poll_seconds).
MAX_POLLS = 2_000


class ManualClock:
    """A clock that moves only when the test (or, with ``can_jump``, a runner) moves it.

    Shared by the runners of a test, so "A's lease has expired" is a statement about this
    clock, never a sleep.
    """

    def __init__(self, start: float = START, *, can_jump: bool = True) -> None:
        self.can_jump = can_jump
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current (fake) time."""
        with self._lock:
            return self._now

    def jump_to(self, moment: float) -> None:
        """Move forward to ``moment`` (never back)."""
        with self._lock:
            self._now = max(self._now, moment)

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        with self._lock:
            self._now += seconds


def in_flight(runner: DurableRunner) -> int:
    """How many tasks ``runner`` has handed to its workers and not yet taken the results of."""
    # No public view of a runner's worker threads; tests need to know that a late result has
    # been handed back (or that nothing was invoked) before asserting what it changed.
    return runner._in_flight


@dataclass
class Call:
    """One handler invocation as the handler saw it."""

    function: str
    event: JSON
    request_id: str


@dataclass
class Probe:
    """What handlers report to the test, and what they wait on."""

    calls: list[Call] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, function: str, event: JSON, request_id: str) -> int:
        """Note a call; return how many calls ``function`` has had, this one included."""
        with self.lock:
            self.calls.append(Call(function, event, request_id))
            return sum(1 for c in self.calls if c.function == function)

    def calls_of(self, function: str) -> list[Call]:
        """The calls of one function, in order."""
        with self.lock:
            return [c for c in self.calls if c.function == function]

    def wait_arrived(self, count: int = 1) -> None:
        """Block until ``count`` handlers have signalled ``arrived`` (bounded)."""
        for _ in range(count):
            assert self.arrived.acquire(timeout=30), "a handler never arrived"


@dataclass
class DurableKit:
    """One test's world: a store URL, functions, a clock, a probe and the runners made."""

    store_url: str
    functions: Path
    clock: ManualClock
    probe: Probe
    probe_module: str
    store: Store
    runners: list[DurableRunner] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)

    def function(self, name: str, body: str) -> str:
        """Write handler ``name`` (``body`` sees the probe as ``probe``); return its ARN."""
        code = f"import {self.probe_module} as _module\nprobe = _module.PROBE\n"
        code += textwrap.dedent(body)
        target = self.functions / name / "handler.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
        return FUNCTION + name

    def machine(self, definition: JSON, name: str = "Demo") -> str:
        """Create a STANDARD state machine; return its ARN."""
        arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"
        machine = NewMachine(arn=arn, name=name, definition=dumps(definition))
        self.store.machines.create(machine, self.clock.now())
        return arn

    def runner(self, owner: str, *, lease_seconds: float = 30.0) -> DurableRunner:
        """A runner with its own connection to the store, as a separate process would have."""
        store = open_store(self.store_url)
        self.stores.append(store)
        integrations = default_integrations(self.functions)
        runner = DurableRunner(
            store,
            integrations,
            clock=self.clock,
            owner=owner,
            lease_seconds=lease_seconds,
            poll_seconds=0.01,
        )
        self.runners.append(runner)
        return runner

    def history(self, arn: str) -> list[dict[str, JSON]]:
        """The execution's history as the store holds it."""
        return self.store.history.read(arn, max_results=1000).items

    def event_types(self, arn: str) -> list[str]:
        """The types of the execution's events, in order."""
        return [str(e["type"]) for e in self.history(arn)]

    def poll_until(self, runner: DurableRunner, done: Callable[[], bool]) -> None:
        """Poll ``runner`` until ``done()`` holds (bounded by MAX_POLLS rounds)."""
        for _ in range(MAX_POLLS):
            if done():
                return
            runner.poll()
        raise AssertionError("the runner never got there")

    def output(self, arn: str) -> JSON:
        """The execution's output as stored."""
        record = self.store.executions.describe(arn)
        assert record is not None
        assert record.output is not None
        decoded: JSON = json.loads(record.output)
        return decoded


@pytest.fixture
def clock() -> ManualClock:
    """The test's clock; runners may jump it to the next timer when nothing runs."""
    return ManualClock()


@pytest.fixture
def kit(store_url: str, tmp_path: Path, clock: ManualClock) -> Iterator[DurableKit]:
    """The durable world of one test, torn down with every runner and handler released."""
    probe_module = f"ferry_durable_probe_{uuid.uuid4().hex[:12]}"
    module = ModuleType(probe_module)
    probe = Probe()
    module.PROBE = probe  # type: ignore[attr-defined]
    sys.modules[probe_module] = module
    functions = tmp_path / "functions"
    functions.mkdir()
    store = open_store(store_url)
    world = DurableKit(store_url, functions, clock, probe, probe_module, store)
    try:
        yield world
    finally:
        probe.release.set()  # blocked handlers of abandoned runners may end now
        for runner in world.runners:
            runner.close()
        for opened in [*world.stores, store]:
            opened.close()
        del sys.modules[probe_module]
