"""The Map Run runtime: the ``ferry:mapRun`` integration that runs a Distributed Map's children.

The reducer hands a Distributed Map to this integration as one task (see the Distributed Map
contract and :mod:`ferry.distributed.spec`). A run:

1. records itself (a durable run in ``store.map_runs``; re-invoked after a crash, it finds its
   record and every child it started — none is started twice, finished ones keep their result);
2. reads items lazily (the SPEC's ``items`` or its ItemReader), through ItemSelector and
   ItemBatcher, starting a child only when fewer than MaxConcurrency run (UpdateMapRun may
   change it while the run goes on);
3. passes each finished child on at once — to the ResultWriter, or to the result array — so
   nothing of 100,000 items is held when a ResultWriter is set;
4. fails with ``States.ExceedToleratedFailureThreshold`` once more items failed than
   ToleratedFailureCount/Percentage allow (none when neither is set), aborting the children
   still running (developer guide, "Tolerated failure threshold for Distributed Map state",
   https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html: "the
   percentage of failed items [is] the total number of failed or timed out items divided by
   the total number of items").

Without a ResultWriter the result is the array of the children's outputs in item order; a
tolerated failed child's entry is ``{"Error", "Cause"}``. With one, it is the writer's
``{"MapRunArn", "ResultWriterDetails"}``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ferry.asl.load import load_definition
from ferry.asl.model import StateMachine
from ferry.distributed.children import Children, DurableChildren, MemoryChildren
from ferry.distributed.ledger import Ledger, MemoryLedger, Settings, StoreLedger, Tally
from ferry.distributed.selector import SelectorError, compile_selector
from ferry.distributed.spec import RESOURCE, MapRunSpec, SpecError, parse_spec
from ferry.engine.context import iso_time
from ferry.errors import FerryError, StatesError
from ferry.integrations.base import Integration, TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON, dumps
from ferry.runner.clock import Clock, SystemClock
from ferry.store.map_runs import ChildRecord, MapRunStatus

if TYPE_CHECKING:
    from ferry.runner.durable import DurableRunner

THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
WAIT_SECONDS = 0.05
_TERMINAL_FAILURES = ("FAILED", "TIMED_OUT", "ABORTED")

S3Factory = Callable[[str], Any]
"""Returns a boto3 S3 client for a region."""


class _RunFailed(Exception):  # noqa: N818 - carries a TaskFailure, not an error of its own
    def __init__(self, error: str, cause: str, status: MapRunStatus = "FAILED") -> None:
        super().__init__(cause)
        self.failure = TaskFailure(error, cause)
        self.status = status


@dataclass
class MapRun:
    """One Map Run, driven to its end by :meth:`run` (on the calling thread)."""

    spec: MapRunSpec
    children: Children
    ledger: Ledger
    clock: Clock
    s3: S3Factory
    tally: Tally = field(default_factory=Tally)
    running: dict[int, ChildRecord] = field(default_factory=dict)
    outputs: dict[int, JSON] = field(default_factory=dict)
    writer: Any = None
    exhausted: bool = False
    resumed: bool = False

    def run(self) -> TaskOutcome:
        """Run every child; the Map Run's outcome. Never raises."""
        self.resumed = self.ledger.begin(self.spec, self.clock.now())
        settings = Settings(
            self.spec.max_concurrency,
            self.spec.tolerated_failure_count,
            self.spec.tolerated_failure_percentage,
        )
        try:
            if self.spec.result_writer is not None:
                self.writer = _open_writer(self.spec, self.s3)
            self._loop(settings, self._inputs())
            result = self._result()
        except _RunFailed as failed:
            self._stop(failed.status)
            return failed.failure
        self._end("SUCCEEDED")
        return TaskSuccess(result)

    def _loop(self, settings: Settings, inputs: Iterator[tuple[int, int, JSON]]) -> None:
        while True:
            settings = self.ledger.settings(settings)
            while not self.exhausted and len(self.running) < settings.limit:
                self._next(inputs)
            if self.exhausted and not self.running:
                self._check(settings)
                return
            for child in self.children.finished(WAIT_SECONDS):
                if self.running.pop(child.index, None) is not None:
                    self._finish(child)
            self._check(settings)
            self.ledger.progress(self.tally)
            if self.children.cancelled():
                raise _RunFailed(StatesError.RUNTIME, "The Map Run was aborted", "ABORTED")

    def _next(self, inputs: Iterator[tuple[int, int, JSON]]) -> None:
        try:
            index, size, data = next(inputs)
        except StopIteration:
            self.exhausted = True
            return
        except SelectorError as exc:  # the Map state's own error, as an inline Map reports it
            raise _RunFailed(exc.error, self.spec.state_cause(exc.cause)) from None
        except Exception as exc:  # reader and batcher errors carry AWS's (error, cause)
            raise _RunFailed(*_error_of(exc)) from None
        self.tally.read(size)
        known = self.ledger.known(index) if self.resumed else None
        if known is not None and known.status != "RUNNING":
            self.tally.start(known)
            self._finish(known, recorded=True)
            return
        child = known or ChildRecord(
            index, self.spec.child_arn(index), size, "RUNNING", dumps(data), None, None, None,
            self.clock.now(), None,
        )  # fmt: skip
        self.tally.start(child)
        self.running[index] = child
        if known is not None:
            self.children.adopt(known)
        else:
            self.ledger.started(child)
            self.children.launch(child, data)

    def _inputs(self) -> Iterator[tuple[int, int, JSON]]:
        """``(child index, items in it, child input)``, read lazily."""
        spec = self.spec
        selector = compile_selector(
            spec.item_selector, spec.query_language, spec.selector_input, spec.context,
            spec.variables,
        )  # fmt: skip
        selected = (selector.select(i, item) for i, item in enumerate(self._items()))
        if spec.item_batcher is None:
            for index, data in enumerate(selected):
                yield index, 1, data
            return
        from ferry.distributed.batcher import batches  # noqa: PLC0415 - only when batching

        batcher = spec.item_batcher
        for index, batch in enumerate(
            batches(
                selected,
                max_items=batcher.get("MaxItemsPerBatch"),
                max_bytes=batcher.get("MaxInputBytesPerBatch"),
                batch_input=batcher.get("BatchInput"),
            )
        ):
            yield index, len(batch["Items"]), batch

    def _items(self) -> Iterator[JSON]:
        if self.spec.item_reader is None:
            yield from self.spec.items or []
            return
        from ferry.distributed.reader import read_items  # noqa: PLC0415 - only with a reader

        yield from read_items(self.spec.item_reader, self.s3(self.spec.region))

    def _finish(self, child: ChildRecord, *, recorded: bool = False) -> None:
        if not recorded:
            self.ledger.finished(child)
        if self.writer is not None:
            try:
                self.writer.add(child.index, _writer_entry(child))
            except Exception as exc:  # the writer's own errors carry AWS's (error, cause)
                raise _RunFailed(*_error_of(exc)) from None
        elif child.status == "SUCCEEDED":
            self.outputs[child.index] = None if child.output is None else json.loads(child.output)
        else:
            self.outputs[child.index] = {"Error": child.error, "Cause": child.cause}
        # AWS counts every handled result as written, with or without a ResultWriter
        # (its recorded DescribeMapRun of a run without one shows resultsWritten == succeeded).
        self.tally.finish(child, written=True)

    def _check(self, settings: Settings) -> None:
        """Fail the run once its failed items exceed what the settings tolerate."""
        failed = self.tally.failed_items
        if not failed:
            return
        count, percentage = settings.tolerated_failure_count, settings.tolerated_failure_percentage
        exceeded = count is None and percentage is None
        if count is not None and failed > count:
            exceeded = True
        total = self.tally.items["total"]
        if percentage is not None and self.exhausted and failed * 100 > percentage * total:
            exceeded = True
        if exceeded:
            raise _RunFailed(StatesError.EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_CAUSE)

    def _result(self) -> JSON:
        if self.writer is not None:
            return _close_writer(self.writer)
        return [self.outputs[index] for index in sorted(self.outputs)]

    def _stop(self, status: MapRunStatus) -> None:
        """Abort the children still running and record the run's end."""
        running = list(self.running.values())
        self.children.abort(running)
        for child in running:
            self.tally.finish(_aborted(child, self.clock.now()), written=False)
        self.running.clear()
        if self.writer is not None:
            with contextlib.suppress(_RunFailed):  # AWS writes what finished, even on failure
                _close_writer(self.writer)
        self._end(status)

    def _end(self, status: MapRunStatus) -> None:
        if isinstance(self.children, MemoryChildren):
            self.children.close()
        self.tally.items["pending"] = self.tally.executions["pending"] = 0
        self.ledger.close(status, self.tally, self.clock.now())


class MapRunIntegration:
    """The ``ferry:mapRun`` integration.

    Args:
        integrations: What the children's tasks reach (the parent runner's list; it may hold
            this integration too, for nested Distributed Maps).
        clock: The parent runner's clock (children of an in-memory run share it).
        runner: The durable runner: its store records the run, and STANDARD children run as
            its executions. None for an in-memory run.
        s3: A boto3 S3 client for a region (ItemReader, ResultWriter); by default one from
            a :class:`~ferry.integrations.aws_clients.ClientPool` (``AWS_ENDPOINT_URL*``).
    """

    def __init__(
        self,
        integrations: Sequence[Integration],
        *,
        clock: Clock | None = None,
        runner: DurableRunner | None = None,
        s3: S3Factory | None = None,
    ) -> None:
        self.integrations = integrations
        self.runner = runner
        self.clock = clock or (runner.clock if runner is not None else SystemClock())
        self._s3 = s3
        self._pool: Any = None

    def handles(self, resource: str) -> bool:
        """Only ``ferry:mapRun``, the reducer's task for a Distributed Map."""
        return resource == RESOURCE

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Run (or resume) the Map Run the payload describes. Never raises."""
        try:
            spec = parse_spec(request.payload)
            machine = load_definition(spec.processor)
        except (SpecError, FerryError) as exc:
            return TaskFailure(StatesError.RUNTIME, f"ferry:mapRun: {exc}")
        return MapRun(spec, self._children(spec, machine), self._ledger(spec), self.clock,
                      self.s3).run()  # fmt: skip

    def _children(self, spec: MapRunSpec, machine: StateMachine) -> Children:
        if self.runner is not None and spec.execution_type == "STANDARD":
            return DurableChildren(self.runner, spec.map_run_arn, spec.execution_arn)
        limit = spec.max_concurrency or 10_000
        return MemoryChildren(machine, self.integrations, self.clock, limit)

    def _ledger(self, spec: MapRunSpec) -> Ledger:
        if self.runner is None:
            return MemoryLedger()
        return StoreLedger(self.runner.store, spec.map_run_arn)

    def s3(self, region: str) -> Any:
        """A boto3 S3 client for ``region``."""
        if self._s3 is not None:
            return self._s3(region)
        if self._pool is None:
            from ferry.integrations.aws_clients import ClientPool  # noqa: PLC0415 - boto3 lazily

            self._pool = ClientPool()
        return self._pool.client("s3", region)


def _error_of(exc: Exception) -> tuple[str, str]:
    error, cause = getattr(exc, "error", None), getattr(exc, "cause", None)
    if isinstance(error, str) and isinstance(cause, str):
        return error, cause
    return StatesError.RUNTIME, f"{type(exc).__name__}: {exc}"


def _aborted(child: ChildRecord, now: float) -> ChildRecord:
    return ChildRecord(
        child.index, child.execution_arn, child.items, "ABORTED", child.input, None, None, None,
        child.start_date, now,
    )  # fmt: skip


def _writer_entry(child: ChildRecord) -> dict[str, JSON]:
    """A child as AWS's result files hold it (developer guide, "ResultWriter")."""
    machine_arn, _, name = child.execution_arn.rpartition(":")
    kind = machine_arn.split(":")[5]
    entry: dict[str, JSON] = {
        "ExecutionArn": child.execution_arn,
        "Input": child.input,
        "InputDetails": {"Included": True},
        "Name": name,
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "StartDate": iso_time(child.start_date),
        "StateMachineArn": machine_arn.replace(f":{kind}:", ":stateMachine:", 1),
        "Status": child.status,
        "StopDate": iso_time(child.stop_date or child.start_date),
    }
    if child.status == "SUCCEEDED":
        entry["Output"] = child.output
        entry["OutputDetails"] = {"Included": True}
    else:
        entry["Error"] = child.error
        entry["Cause"] = child.cause
    return entry


def _open_writer(spec: MapRunSpec, s3: S3Factory) -> Any:
    from ferry.distributed.writer import ResultWriter  # noqa: PLC0415 - only with a writer

    assert spec.result_writer is not None
    try:
        return ResultWriter(spec.result_writer, s3(spec.region), spec.map_run_arn)
    except Exception as exc:  # the writer's own errors carry AWS's (error, cause)
        raise _RunFailed(*_error_of(exc)) from None


def _close_writer(writer: Any) -> JSON:
    try:
        return writer.close()
    except Exception as exc:  # the writer's own errors carry AWS's (error, cause)
        raise _RunFailed(*_error_of(exc)) from None
