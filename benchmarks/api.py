"""API benchmarks: StartExecution calls per second and start-to-SUCCEEDED latency, via boto3.

``python benchmarks/api.py [--quick] [--repeat N] [--seconds S] [--runs N]`` starts
``ferry server`` in a subprocess (a SQLite store in a temporary directory, ``--port 0``), then,
from ONE boto3 client in this process:

- **throughput**: StartExecution calls, one after another, on a one-state Pass machine for
  ``--seconds`` per repetition; the figure is the median over ``--repeat`` repetitions of
  calls ÷ seconds.
- **latency**: ``--runs`` executions of workloads.py's 10-state machine (Pass, Choice, Wait 0,
  Parallel, Succeed), each timed from just before StartExecution until DescribeExecution (polled
  back to back, no sleep) reports SUCCEEDED; median and p95. The server's own view
  (``stopDate - startDate``) is reported beside it.

It prints one JSON object on its last line. ``measure_all`` runs it in a subprocess and
``api_section`` renders the "API" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workloads import small_machine

JSON = Any
ROLE = "arn:aws:iam::123456789012:role/ferry-bench"
TARGET_STARTS_PER_SECOND = 300
TARGET_LATENCY_MS = 50
STARTUP_SECONDS = 60.0
PASS_MACHINE = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}
_URL = re.compile(r"ferry server: (http://\S+?),")


@contextmanager
def ferry_server(scratch: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``ferry server`` on a free port over a new SQLite store; yield its URL and process."""
    command = [
        sys.executable,
        "-c",
        "import sys; from ferry.cli.main import main; sys.exit(main())",
        "server",
        "--port=0",
        f"--store=sqlite:///{scratch / 'ferry.db'}",
    ]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        yield _wait_for_url(proc), proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_url(proc: subprocess.Popen[str]) -> str:
    """The URL the server prints on stderr once its socket is bound."""
    assert proc.stderr is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError(f"ferry server exited with {proc.wait()} before listening")
        found = _URL.search(line)
        if found:
            return found.group(1)
    raise RuntimeError("ferry server printed no URL")


def client(url: str) -> Any:
    """One boto3 Step Functions client for ``url`` (no retries: every call counts once)."""
    import boto3  # noqa: PLC0415 - only the measuring process needs it
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _ready(sfn: Any) -> None:
    """Wait until uvicorn answers (the URL is printed just before it serves)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            sfn.list_state_machines()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def throughput(sfn: Any, seconds: float, repeat: int) -> dict[str, JSON]:
    """StartExecution calls per second, back to back, on a one-state Pass machine."""
    arn = sfn.create_state_machine(
        name="bench-pass", definition=json.dumps(PASS_MACHINE), roleArn=ROLE
    )["stateMachineArn"]
    rates = []
    for _ in range(repeat):
        calls = 0
        began = time.perf_counter()
        while (elapsed := time.perf_counter() - began) < seconds:
            sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')
            calls += 1
        rates.append(calls / elapsed)
    return {"rates": rates, "median_rate": statistics.median(rates), "seconds": seconds}


def latency(sfn: Any, runs: int) -> dict[str, JSON]:
    """Start-to-SUCCEEDED times (ms) of the 10-state machine, seen by the client and the server."""
    workload = small_machine(runs=1)
    arn = sfn.create_state_machine(
        name="bench-small", definition=json.dumps(workload.definition), roleArn=ROLE
    )["stateMachineArn"]
    client_ms, server_ms, polls = [], [], []
    data = json.dumps(workload.input)
    for _ in range(runs):
        began = time.perf_counter()
        execution = sfn.start_execution(stateMachineArn=arn, input=data)["executionArn"]
        count = 0
        while True:
            count += 1
            described = sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
        client_ms.append((time.perf_counter() - began) * 1000)
        polls.append(count)
        if described["status"] != "SUCCEEDED":
            raise RuntimeError(f"{execution} ended {described['status']}")
        if json.loads(described["output"]) != workload.expected_output:
            raise RuntimeError(f"{execution} gave an unexpected output")
        span = described["stopDate"] - described["startDate"]
        server_ms.append(span.total_seconds() * 1000)
    return {
        "runs": runs,
        "median_ms": statistics.median(client_ms),
        "p95_ms": _p95(client_ms),
        "server_median_ms": statistics.median(server_ms),
        "server_p95_ms": _p95(server_ms),
        "median_polls": statistics.median(polls),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(seconds: float, repeat: int, runs: int) -> dict[str, JSON]:
    """Both figures from one server."""
    with (
        tempfile.TemporaryDirectory(prefix="ferry-api-bench-") as tmp,
        ferry_server(Path(tmp)) as (url, _),
    ):
        sfn = client(url)
        _ready(sfn)
        figures = {"latency": latency(sfn, runs)}
        figures["throughput"] = throughput(sfn, seconds, repeat)
    return figures


def measure_all(*, quick: bool, repeat: int, timeout: float) -> dict[str, JSON]:
    """The API figures from a fresh subprocess; a failure becomes ``not_measured``."""
    command = [sys.executable, str(Path(__file__).resolve()), f"--repeat={repeat}"]
    print("measuring the API through boto3 ...", flush=True)
    try:
        done = subprocess.run(
            command + ["--quick"] * quick,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    except subprocess.TimeoutExpired:
        return {"not_measured": f"no result within {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"not_measured": f"exit {done.returncode}: {tail}"}
    return dict(json.loads(lines[-1]))


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def api_section(figures: dict[str, JSON]) -> str:
    """The "API" section of BENCHMARKS.md."""
    head = (
        "## API\n\n`ferry server` (SQLite store, one process: uvicorn plus the durable runner) "
        "driven by one boto3 client over loopback, from another process. Targets from issue 4: "
        f"at least {TARGET_STARTS_PER_SECOND} StartExecution calls per second sustained; a "
        f"10-state execution observed SUCCEEDED within {TARGET_LATENCY_MS} ms of its start.\n"
    )
    if "not_measured" in figures:
        return f"{head}\nNot measured: {figures['not_measured']}\n"
    t, lat = figures["throughput"], figures["latency"]
    rates = ", ".join(f"{r:,.0f}" for r in t["rates"])
    return f"""{head}
| Figure | Median | p95 | Target | Verdict |
|---|---:|---:|---:|---|
| StartExecution calls/s ({len(t["rates"])} runs of {t["seconds"]:g} s: {rates}) \
| {t["median_rate"]:,.0f} | | ≥ {TARGET_STARTS_PER_SECOND} \
| {_verdict(t["median_rate"] >= TARGET_STARTS_PER_SECOND)} |
| Start → DescribeExecution SUCCEEDED, client (ms, {lat["runs"]} runs) \
| {lat["median_ms"]:.1f} | {lat["p95_ms"]:.1f} | ≤ {TARGET_LATENCY_MS} \
| {_verdict(lat["p95_ms"] <= TARGET_LATENCY_MS)} |
| startDate → stopDate, server (ms) | {lat["server_median_ms"]:.1f} \
| {lat["server_p95_ms"]:.1f} | | |

- **Throughput**: StartExecution on a one-state Pass machine, one call after another from one
  client, for the stated seconds per repetition; each execution also runs to its end in the
  server meanwhile (its steps are committed to the same SQLite file).
- **Latency**: `start_execution` then `describe_execution` back to back (median
  {lat["median_polls"]:g} DescribeExecution calls per execution) until SUCCEEDED, timed with
  `time.perf_counter` in the client; each output is checked. The server's `stopDate - startDate`
  shows how much of it is the execution itself rather than HTTP round trips.
"""


def terminal_lines(figures: dict[str, JSON]) -> str:
    """A short plain-text summary for the console."""
    if "not_measured" in figures:
        return f"api: not measured: {figures['not_measured']}"
    t, lat = figures["throughput"], figures["latency"]
    return (
        f"api: StartExecution {t['median_rate']:,.0f}/s; start→SUCCEEDED median "
        f"{lat['median_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms "
        f"(server {lat['server_median_ms']:.1f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures as JSON (last line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s, 1 repetition, 10 runs")
    parser.add_argument("--repeat", type=int, default=3, help="throughput repetitions")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per repetition")
    parser.add_argument("--runs", type=int, default=50, help="latency executions")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.seconds, args.runs = 1, 1.0, 10
    figures = measure(args.seconds, max(1, args.repeat), max(1, args.runs))
    print(terminal_lines(figures), file=sys.stderr)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
