"""Durable benchmarks: committed transitions per second, and the memory of parked executions.

Usage (``run.py`` calls these in fresh subprocesses, one per figure, so RSS is that figure's):

- ``python benchmarks/durable.py rate BACKEND WORKLOAD --repeat N --warmup W [--quick]`` runs a
  runtime workload (``workloads.py``) through ``DurableRunner`` in one process: per repetition a
  fresh store, the machine created, then ``start`` + ``run_until_closed`` for each execution.
  Every step is one committed transaction, so the rate counts committed transitions.
- ``python benchmarks/durable.py parked KIND --count N`` starts N executions through one
  ``DurableRunner`` on SQLite that park at a ``Wait`` of 3600 s (KIND ``wait``) or at a callback
  task's token (KIND ``token``), then reports the process's RSS and ``VmHWM``.

Each prints one JSON object on its last line. ``durable_section`` runs them all and renders the
"Durable" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workloads import Workload, all_workloads

JSON = Any
HERE = Path(__file__).resolve().parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:bench"
PARKED_COUNT = 10_000
QUICK_PARKED_COUNT = 200
TARGET_RATE = 5_000
TARGET_PARKED_MIB = 200
EXIT_UNAVAILABLE = 3
RATE_HEADER = (
    "| Backend | Workload | Transitions | History events | Commits | Median time (s) "
    "| Median transitions/s | Commits/s | Peak RSS (MiB) |\n"
    "|---|---|---:|---:|---:|---:|---:|---:|---:|"
)
PARKED_HEADER = (
    "| Parked at | Executions | Still RUNNING | RSS after parking (MiB) "
    "| RSS before starting (MiB) | Peak RSS (MiB) | Time to start and park (s) |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)
CALLBACK_HANDLER = "def handler(event, context):\n    return {}\n"


class Unavailable(Exception):  # noqa: N818 - reads as "backend unavailable"
    """The backend cannot be measured here (e.g. no PostgreSQL server)."""


@contextmanager
def fresh_store_url(backend: str, scratch: Path) -> Iterator[str]:
    """Yield the URL of an empty store: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{scratch / f'{uuid.uuid4().hex}.db'}"
        return
    import psycopg  # noqa: PLC0415 - only the PostgreSQL figures need it

    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at 127.0.0.1:5432 unreachable ({str(exc).strip()})"
        raise Unavailable(reason) from None
    schema = f"ferry_bench_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def create_machine(store: Any, definition: JSON) -> None:
    """Create the benchmark machine in ``store`` (untimed)."""
    from ferry.store.records import NewMachine  # noqa: PLC0415

    machine = NewMachine(arn=MACHINE_ARN, name="bench", definition=json.dumps(definition))
    store.machines.create(machine, time.time())


# -- committed transitions per second --------------------------------------------------------
def rate(backend: str, workload: Workload, repeat: int, warmup: int) -> dict[str, JSON]:
    """Median committed transitions/s of ``workload`` run durably on ``backend``."""
    seconds: list[float] = []
    events = commits = 0
    with tempfile.TemporaryDirectory(prefix="ferry-durable-") as tmp:
        for index in range(warmup + repeat):
            elapsed, events, commits = _repetition(backend, workload, Path(tmp))
            if index >= warmup:
                seconds.append(elapsed)
    median = statistics.median(seconds)
    return {
        "backend": backend,
        "workload": workload.name,
        "transitions": workload.transitions,
        "events": events,
        "commits": commits,
        "seconds": seconds,
        "median_seconds": median,
        "rate": workload.transitions / median,
        "events_rate": events / median,
        "commits_rate": commits / median,
        "peak_rss_kb": peak_rss_kb(),
    }


def _repetition(backend: str, workload: Workload, scratch: Path) -> tuple[float, int, int]:
    """One timed repetition in a fresh store; returns (seconds, history events, commits)."""
    from ferry.runner.durable import DurableRunner  # noqa: PLC0415
    from ferry.store import open_store  # noqa: PLC0415

    with fresh_store_url(backend, scratch) as url:
        store = open_store(url)
        runner = DurableRunner(store)
        commits = _count_commits(store)
        try:
            create_machine(store, workload.definition)
            started = time.perf_counter()
            records = [
                runner.run_until_closed(runner.start(MACHINE_ARN, workload.input, f"r{i}").arn)
                for i in range(workload.executions)
            ]
            elapsed = time.perf_counter() - started
            for record in records:
                _check(record, workload)
            events = sum(store.history.last_event_id(r.arn) for r in records)
        finally:
            runner.close()
            store.close()
    return elapsed, events, commits[0]


def _count_commits(store: Any) -> list[int]:
    """Count ``commit_step`` transactions (one per reducer step) in the returned cell."""
    executions = store.executions
    commit_step = executions.commit_step
    cell = [0]

    def counted(arn: str, commit: Any) -> None:
        cell[0] += 1
        commit_step(arn, commit)

    executions.commit_step = counted
    return cell


def _check(record: Any, workload: Workload) -> None:  # a wrong run's rate means nothing
    if record.status != "SUCCEEDED" or json.loads(record.output) != workload.expected_output:
        raise RuntimeError(f"{workload.name}: wrong result {record.status} {record.output!r}")


def parked_definition(kind: str) -> JSON:
    """A machine that parks at once: a Wait of an hour, or a callback task awaiting its token."""
    if kind == "wait":
        park: JSON = {"Type": "Wait", "Seconds": 3600, "End": True}
    else:
        park = {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "park", "Payload": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    return {"StartAt": "Park", "States": {"Park": park}}


def parked(kind: str, count: int) -> dict[str, JSON]:
    """RSS of this process once ``count`` executions are parked (on SQLite, one runner)."""
    from ferry.runner.durable import DurableRunner  # noqa: PLC0415
    from ferry.runner.local import default_integrations  # noqa: PLC0415
    from ferry.store import open_store  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="ferry-parked-") as tmp:
        functions = Path(tmp) / "functions"
        functions.mkdir()
        (functions / "park.py").write_text(CALLBACK_HANDLER)
        store = open_store(f"sqlite:///{Path(tmp) / 'parked.db'}")
        runner = DurableRunner(store, default_integrations(functions), lease_seconds=3600)
        try:
            create_machine(store, parked_definition(kind))
            before_kb = rss_kb()
            started = time.perf_counter()
            arns = [runner.start(MACHINE_ARN, {"n": i}, f"p{i}").arn for i in range(count)]
            if kind == "token":
                _until_submitted(runner, store, arns)
            elapsed = time.perf_counter() - started
            figures = {"rss_kb": rss_kb(), "peak_rss_kb": peak_rss_kb()}
            running = sum(1 for arn in arns if store.executions.describe(arn).status == "RUNNING")
        finally:
            runner.close()
            store.close()
    return {
        "kind": kind,
        "count": count,
        "running": running,
        "before_rss_kb": before_kb,
        "start_seconds": elapsed,
        **figures,
    }


def _until_submitted(runner: Any, store: Any, arns: list[str]) -> None:
    """Poll until every callback task's handler has returned and TaskSubmitted is committed."""
    waiting = set(arns)
    deadline = time.monotonic() + 600
    while waiting and time.monotonic() < deadline:
        check_at = time.monotonic() + 1.0
        while time.monotonic() < check_at:  # reading 10,000 histories costs; do it each second
            runner.poll()
        waiting = {arn for arn in waiting if _last_type(store, arn) != "TaskSubmitted"}
    if waiting:
        raise RuntimeError(f"{len(waiting)} callback tasks never reached TaskSubmitted")


def _last_type(store: Any, arn: str) -> str:
    return str(store.history.read(arn, reverse=True, max_results=1).items[0]["type"])


def rss_kb() -> int:
    """This process's resident set now, in KiB (``VmRSS``)."""
    return _status_kb("VmRSS:")


def peak_rss_kb() -> int:
    """This process's resident-set high-water mark, in KiB (``VmHWM``)."""
    return _status_kb("VmHWM:")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


# -- running the figures in subprocesses and rendering them ---------------------------------------
def measure_all(*, quick: bool, repeat: int, warmup: int, timeout: float) -> list[dict[str, JSON]]:
    """Every durable figure, each from its own subprocess; failures become ``not_measured``."""
    results = []
    for backend in BACKENDS:
        for workload in all_workloads(quick=quick):
            args = ["rate", backend, workload.name, f"--repeat={repeat}", f"--warmup={warmup}"]
            print(f"measuring durable {workload.name} on {backend} ...", flush=True)
            figure = _subprocess(args + ["--quick"] * quick, timeout)
            results.append({"backend": backend, "workload": workload.name, **figure})
    count = QUICK_PARKED_COUNT if quick else PARKED_COUNT
    for kind in ("wait", "token"):
        print(f"measuring {count} executions parked at a {kind} ...", flush=True)
        figure = _subprocess(["parked", kind, f"--count={count}"], timeout)
        results.append({"kind": kind, "count": count, **figure})
    return results


def _subprocess(args: list[str], timeout: float) -> dict[str, JSON]:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"not_measured": f"no result within {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode == EXIT_UNAVAILABLE:
        return {"not_measured": done.stderr.strip().splitlines()[-1]}
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"not_measured": f"exit {done.returncode}: {tail}"}
    return dict(json.loads(lines[-1]))


def durable_section(results: list[dict[str, JSON]]) -> str:
    """The "Durable" section of BENCHMARKS.md."""
    rows = [_rate_row(r) for r in results if "workload" in r]
    parked_rows = [_parked_row(r) for r in results if "kind" in r]
    return f"""## Durable

Ferry's durable runner (`ferry.runner.durable.DurableRunner`), in one process, where every step
(state, history events, timers, tokens) is one committed transaction before the next runs.
Targets from issue 3: at least {TARGET_RATE:,} committed transitions per second on SQLite; 10,000
executions parked at a Wait or a task token in under {TARGET_PARKED_MIB} MB.

{_verdicts(results)}

{RATE_HEADER}
{chr(10).join(rows)}

{PARKED_HEADER}
{chr(10).join(parked_rows)}

- **Rate**: per repetition a fresh store (a new SQLite file in WAL mode; a new PostgreSQL schema
  on 127.0.0.1:5432), the machine created untimed, then `start` + `run_until_closed` for each
  execution of the workload, timed with `time.perf_counter`; every result is checked against the
  workload's expected output. Transitions are counted as in the runtime table above (states
  entered); history events are what the store holds at the end. Median over the timed
  repetitions, in a fresh process per backend-and-workload pair. **Commits** counts
  `commit_step` transactions: the reducer runs Pass, Choice, a Wait of 0 s and inline Map/Parallel
  iterations without a command to wait for within one step, so these three workloads commit once
  per execution, and their transitions/s measure the reducer plus one transaction of a large
  state. Commits/s is the per-transaction figure (for `small_machine`, each commit also creates
  the execution).
- **Parked**: one process starts the executions through one `DurableRunner` on SQLite (a Wait of
  3600 s, or a `lambda:invoke.waitForTaskToken` task whose handler returns at once, counted
  parked when its `TaskSubmitted` event is committed), then reads `VmRSS` and `VmHWM` from
  `/proc/self/status`. "Before starting" is the process with Ferry imported and the store open.
"""


def _verdicts(results: list[dict[str, JSON]]) -> str:
    rates = [r["rate"] for r in results if r.get("backend") == "sqlite" and "rate" in r]
    parked_mib = [r["rss_kb"] / 1024 for r in results if "rss_kb" in r]
    lines = []
    if rates:
        met = "met" if min(rates) >= TARGET_RATE else "**missed**"
        lines.append(f"- SQLite rate target: {met} (lowest workload: {min(rates):,.0f}/s).")
    if parked_mib:
        met = "met" if max(parked_mib) < TARGET_PARKED_MIB else "**missed**"
        lines.append(f"- Parked-memory target: {met} (highest RSS: {max(parked_mib):.1f} MiB).")
    return "\n".join(lines) or "- Nothing was measured."


def _rate_row(r: dict[str, JSON]) -> str:
    head = f"| {r['backend']} | {r['workload']} |"
    if "not_measured" in r:
        return f"{head} | | | | not measured: {r['not_measured']} | | |"
    return (
        f"{head} {r['transitions']} | {r['events']} | {r['commits']} | "
        f"{r['median_seconds']:.3f} | {r['rate']:,.0f} | {r['commits_rate']:,.0f} | "
        f"{_mib(r['peak_rss_kb'])} |"
    )


def _parked_row(r: dict[str, JSON]) -> str:
    head = f"| {'a Wait (3600 s)' if r['kind'] == 'wait' else 'a task token'} | {r['count']:,} |"
    if "not_measured" in r:
        return f"{head} | not measured: {r['not_measured']} | | | |"
    return (
        f"{head} {r['running']:,} | {_mib(r['rss_kb'])} | {_mib(r['before_rss_kb'])} | "
        f"{_mib(r['peak_rss_kb'])} | {r['start_seconds']:.1f} |"
    )


def terminal_lines(results: list[dict[str, JSON]]) -> str:
    """A compact plain-text listing of the durable figures for the console."""
    lines = []
    for r in results:
        label = (
            f"durable {r['backend']:<10} {r['workload']:<14}"
            if "workload" in r
            else f"parked at {r['kind']:<6} x{r['count']:<7}"
        )
        if "not_measured" in r:
            lines.append(f"{label} not measured: {r['not_measured']}")
        elif "workload" in r:
            lines.append(f"{label} {r['rate']:>10,.0f} tr/s {r['commits_rate']:>8,.0f} commits/s")
        else:
            lines.append(f"{label} {_mib(r['rss_kb'])} MiB RSS")
    return "\n".join(lines)


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main(argv: list[str] | None = None) -> int:
    """Worker entry point: measure one figure and print it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rate_cmd = commands.add_parser("rate")
    rate_cmd.add_argument("backend", choices=BACKENDS)
    rate_cmd.add_argument("workload")
    rate_cmd.add_argument("--repeat", type=int, default=5)
    rate_cmd.add_argument("--warmup", type=int, default=1)
    rate_cmd.add_argument("--quick", action="store_true")
    parked_cmd = commands.add_parser("parked")
    parked_cmd.add_argument("kind", choices=("wait", "token"))
    parked_cmd.add_argument("--count", type=int, default=PARKED_COUNT)
    args = parser.parse_args(argv)
    try:
        if args.command == "rate":
            workloads = {w.name: w for w in all_workloads(quick=args.quick)}
            figure = rate(args.backend, workloads[args.workload], args.repeat, args.warmup)
        else:
            figure = parked(args.kind, args.count)
    except Unavailable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(json.dumps(figure))
    return 0


if __name__ == "__main__":
    sys.exit(main())
