"""Where a Map Run's children run: in memory, or as durable executions of the store.

Both backends take a child with :meth:`launch` and hand back finished children (as
:class:`~ferry.store.map_runs.ChildRecord`) from :meth:`finished`, which waits a little when
none is ready. Neither keeps a finished child: the Map Run passes each on (to its result, its
ResultWriter, its store) and forgets it, so memory stays flat over any number of items.

* :class:`MemoryChildren` runs each child with a :class:`~ferry.runner.local.LocalRunner` on a
  worker thread, with the parent's clock and integrations — EXPRESS children everywhere, and
  every child of an in-memory run (``ferry run``, the conformance suite).
* :class:`DurableChildren` starts STANDARD children as executions of the durable runner: each
  has its own history, shows in DescribeExecution and ListExecutions(mapRunArn), and survives
  a crash like any execution; the runtime learns of their end from the store.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from ferry.asl.model import StateMachine
from ferry.integrations.base import Integration
from ferry.jsontypes import JSON, dumps
from ferry.runner.clock import Clock
from ferry.store.errors import StoreError
from ferry.store.map_runs import ChildRecord
from ferry.store.records import NewExecution

if TYPE_CHECKING:
    from ferry.runner.durable import DurableRunner

MAX_THREADS = 64
"""Worker threads of in-memory children; more children than this wait for a thread."""
FIRST_POLL_SECONDS = 0.002
MAX_POLL_SECONDS = 0.05


class Children(Protocol):
    """A place where children run."""

    def launch(self, child: ChildRecord, data: JSON) -> None:
        """Start ``child`` (status RUNNING) on input ``data``; never blocks on the child."""
        ...

    def adopt(self, child: ChildRecord) -> None:
        """Follow a child started before a crash (it runs, or runs again, as it must)."""
        ...

    def finished(self, timeout: float) -> list[ChildRecord]:
        """Children that ended since the last call, waiting up to ``timeout`` for one."""
        ...

    def abort(self, running: Sequence[ChildRecord]) -> None:
        """Stop the children still running (the Map Run failed or was aborted)."""
        ...

    def cancelled(self) -> bool:
        """Whether the run must stop: its runner is closing or its parent has closed."""
        ...


class MemoryChildren:
    """Children run in this process by local runners, on at most ``MAX_THREADS`` threads."""

    def __init__(
        self,
        machine: StateMachine,
        integrations: Sequence[Integration],
        clock: Clock,
        workers: int,
    ) -> None:
        self.machine = machine
        self.integrations = integrations
        self.clock = clock
        self._pool = ThreadPoolExecutor(max(1, min(workers, MAX_THREADS)), "ferry-map-child")
        self._done: queue.SimpleQueue[ChildRecord] = queue.SimpleQueue()
        self._stopped = threading.Event()

    def launch(self, child: ChildRecord, data: JSON) -> None:
        """Queue ``child`` for a worker thread."""
        self._pool.submit(self._run, child, data)

    def adopt(self, child: ChildRecord) -> None:
        """An in-memory child died with its process: run it again on its recorded input."""
        self.launch(child, json.loads(child.input))

    def _run(self, child: ChildRecord, data: JSON) -> None:
        if self._stopped.is_set():
            return
        from ferry.runner.local import LocalRunner, execution_info  # noqa: PLC0415 - a cycle

        machine_arn, _, name = child.execution_arn.rpartition(":")
        machine_name = machine_arn.split(":", 6)[-1]
        start = self.clock.now()
        info = execution_info(machine_name, name, data, start, machine_arn=machine_arn)
        info = replace(info, arn=child.execution_arn)
        try:
            state = LocalRunner(self.machine, self.integrations, self.clock).run(info)
            output = dumps(state.output) if state.status == "SUCCEEDED" else None
            ended = replace(
                child, status=state.status, output=output, error=state.error, cause=state.cause
            )
        except Exception as exc:
            ended = replace(child, status="FAILED", error="States.Runtime", cause=repr(exc))
        self._done.put(replace(ended, start_date=start, stop_date=self.clock.now()))

    def finished(self, timeout: float) -> list[ChildRecord]:
        """Drain the children that ended, waiting up to ``timeout`` for the first."""
        try:
            found = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                found.append(self._done.get_nowait())
            except queue.Empty:
                return found

    def abort(self, running: Sequence[ChildRecord]) -> None:
        """Drop queued children; a running local child cannot be interrupted (its end is
        ignored)."""
        del running
        self.close()

    def cancelled(self) -> bool:
        """An in-memory run is never cancelled from outside."""
        return False

    def close(self) -> None:
        """Stop taking children and let the worker threads go."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


class DurableChildren:
    """STANDARD children as executions of the durable runner."""

    def __init__(self, runner: DurableRunner, map_run_arn: str, parent_arn: str) -> None:
        self.runner = runner
        self.map_run_arn = map_run_arn
        self.parent_arn = parent_arn
        self._pause = FIRST_POLL_SECONDS

    def launch(self, child: ChildRecord, data: JSON) -> None:
        """Create the child execution and run its first step (idempotent by its name)."""
        machine_arn, _, name = child.execution_arn.rpartition(":")
        machine_arn = machine_arn.replace(":execution:", ":stateMachine:", 1)
        self.runner.start_child(
            NewExecution(
                arn=child.execution_arn,
                machine_arn=machine_arn,
                name=name,
                input=dumps(data),
                state="",
                start_date=child.start_date,
                revision_id=self.map_run_arn,
            )
        )

    def adopt(self, child: ChildRecord) -> None:
        """Make sure the child exists (a crash may have come between recording and starting
        it); the runner takes over its execution like any other."""
        self.launch(child, json.loads(child.input))

    def finished(self, timeout: float) -> list[ChildRecord]:
        """Children whose execution closed, polling the store with a growing pause."""
        found = self.runner.store.map_runs.closed_children(self.map_run_arn)
        if found:
            self._pause = FIRST_POLL_SECONDS
            return found
        self.runner.closing.wait(min(self._pause, timeout))
        self._pause = min(self._pause * 2, MAX_POLL_SECONDS)
        return []

    def abort(self, running: Sequence[ChildRecord]) -> None:
        """StopExecution on every running child (they close ABORTED)."""
        for child in running:
            # A child that closed meanwhile (or was never created) has nothing left to stop.
            with contextlib.suppress(StoreError):
                self.runner.stop(child.execution_arn, "States.Runtime", "The Map Run was aborted")

    def cancelled(self) -> bool:
        """True when the runner closes or the parent execution is no longer running."""
        if self.runner.closing.is_set():
            return True
        parent = self.runner.store.executions.describe(self.parent_arn)
        return parent is not None and parent.status != "RUNNING"
