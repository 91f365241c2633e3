"""Run one workload on one Python engine (Ferry or moto) in a fresh process; print JSON figures.

Usage: ``python benchmarks/worker.py ENGINE JOB_FILE --repeat N --warmup W``. The job file is the
JSON written by ``run.py`` from ``workloads.Workload.to_job``; the Node peer reads the same file.
A fresh process per engine-and-workload pair makes the peak RSS (``VmHWM``) that engine's alone.

Exit codes: 0 figures printed, 3 engine not installed/importable, 1 anything else.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

JSON = Any
EXIT_UNAVAILABLE = 3
#: moto runs executions on a background thread; how long to sleep between describe_execution polls.
MOTO_POLL_SECONDS = 0.001
MOTO_TIMEOUT_SECONDS = 600.0

# One execution: input -> (status, output, seconds spent, states entered or None if unknown).
Execute = Callable[[JSON], tuple[str, JSON, float, int | None]]


class EngineUnavailableError(Exception):
    """The engine cannot run here (not installed, not written yet)."""


@contextmanager
def ferry_engine(definition: dict[str, JSON]) -> Iterator[Execute]:
    """Yield an executor that runs the definition with ``ferry.runner.local.run``."""
    try:
        # Imported late: the harness must still measure the peers while Ferry's runner is missing.
        from ferry.runner.local import run  # noqa: PLC0415
    except ImportError as exc:
        raise EngineUnavailableError(f"not available yet ({exc})") from exc
    machine = _ferry_machine(definition)

    def execute(payload: JSON) -> tuple[str, JSON, float, int | None]:
        start = time.perf_counter()
        result = run(machine, payload)
        elapsed = time.perf_counter() - start
        entered = sum(1 for event in result.history if str(event["type"]).endswith("StateEntered"))
        return str(result.status), _parsed(result.output), elapsed, entered

    yield execute


def _ferry_machine(definition: dict[str, JSON]) -> JSON:
    """Validate the definition once, untimed, as the peers do; run() also accepts the raw dict."""
    try:
        from ferry.asl.load import load_definition  # noqa: PLC0415 - see ferry_engine
    except ImportError:
        return definition
    return load_definition(definition)


@contextmanager
def moto_engine(definition: dict[str, JSON]) -> Iterator[Execute]:
    """Yield an executor backed by moto's in-process Step Functions interpreter."""
    # Dummy credentials keep botocore from looking for real ones; moto never leaves the process.
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        # Imported late: only the moto worker pays for loading boto3 and moto.
        import boto3  # noqa: PLC0415
        from moto import mock_aws  # noqa: PLC0415
    except ImportError as exc:
        raise EngineUnavailableError(f"moto not installed ({exc})") from exc
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="bench",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/bench",
        )["stateMachineArn"]
        names = (f"run-{n}" for n in itertools.count())
        yield lambda payload: _moto_execute(client, arn, next(names), payload)


def _moto_execute(
    client: Any, arn: str, name: str, payload: JSON
) -> tuple[str, JSON, float, int | None]:
    start = time.perf_counter()
    # moto 5.2.5 names every unnamed execution "None", so the second one would clash: name them.
    started = client.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))
    execution_arn = started["executionArn"]
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            break
        if time.perf_counter() - start > MOTO_TIMEOUT_SECONDS:
            return "TIMED_OUT", None, time.perf_counter() - start, None
        time.sleep(MOTO_POLL_SECONDS)
    elapsed = time.perf_counter() - start
    return described["status"], _parsed(described.get("output")), elapsed, None


def _parsed(output: JSON) -> JSON:
    # Our expected outputs are never bare strings, so a string here is serialised JSON.
    if isinstance(output, str):
        return json.loads(output)
    return output


ENGINES = {"ferry": ferry_engine, "moto": moto_engine}


def measure(engine: str, job: dict[str, JSON], repeat: int, warmup: int) -> dict[str, JSON]:
    """Run ``warmup`` uncounted and ``repeat`` timed repetitions of the job; return the figures."""
    with ENGINES[engine](job["definition"]) as execute:
        for _ in range(warmup):
            _repetition(execute, job)
        timed = [_repetition(execute, job) for _ in range(repeat)]
    problems = [problem for _, problem, _ in timed if problem]
    entered = timed[0][2]
    return {
        "durations": [seconds for seconds, _, _ in timed],
        "problem": problems[0] if problems else None,
        "entered": entered,
        "peak_rss_kb": peak_rss_kb(),
    }


def _repetition(execute: Execute, job: dict[str, JSON]) -> tuple[float, str | None, int | None]:
    """One repetition: ``executions`` runs one after another; total seconds, first problem."""
    total = 0.0
    problem: str | None = None
    entered: int | None = 0
    for _ in range(job["executions"]):
        status, output, seconds, count = execute(job["input"])
        total += seconds
        entered = None if entered is None or count is None else entered + count
        if problem is None:
            problem = _check(status, output, job["expected_output"])
    return total, problem, entered


def _check(status: str, output: JSON, expected: JSON) -> str | None:
    if status != "SUCCEEDED":
        return f"status {status}"
    if output != expected:
        return "output differs from the expected output"
    return None


def peak_rss_kb() -> int:
    """Return this process's resident-set high-water mark in KiB (``VmHWM``)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    # Linux reports ru_maxrss in KiB; this fallback only matters off Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, measure, print one JSON object on stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("job", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)
    job = json.loads(args.job.read_text())
    try:
        figures = measure(args.engine, job, args.repeat, args.warmup)
    except EngineUnavailableError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
