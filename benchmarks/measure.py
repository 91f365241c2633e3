"""Measure one workload on one engine in a fresh subprocess and turn its output into figures.

Python engines run in ``worker.py``; aws-local-stepfunctions runs in ``peer_als.mjs``. Both read
the same job file and print one JSON object: per-repetition seconds, the first problem seen (wrong
status or output), the states entered when the engine's history tells, and peak RSS in KiB.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
EXIT_UNAVAILABLE = 3  # worker.py's code for "engine not importable"

#: Display names, in report order: Ferry first, then the peers it is compared with.
ENGINE_NAMES = {
    "ferry": "Ferry",
    "moto": "moto",
    "als": "aws-local-stepfunctions",
}


@dataclass(frozen=True)
class Measurement:
    """Figures for one engine on one workload, or the reason there are none.

    Attributes:
        workload: Workload name.
        engine: Engine key (``ferry``, ``moto``, ``als``).
        transitions: States entered per repetition (the same for every engine).
        durations: Seconds per timed repetition; empty when not measured.
        peak_rss_kb: Resident-set high-water mark of the engine's process, KiB.
        problem: First wrong status/output seen, if any: the figures then measure a wrong run.
        entered: States entered per repetition as counted from the engine's own history.
        not_measured: Why there are no figures (engine unavailable, crash, timeout).
    """

    workload: str
    engine: str
    transitions: int
    durations: list[float] = field(default_factory=list)
    peak_rss_kb: int | None = None
    problem: str | None = None
    entered: int | None = None
    not_measured: str | None = None

    @property
    def measured(self) -> bool:
        """True when there are timings to report."""
        return self.not_measured is None and bool(self.durations)

    @property
    def median_rate(self) -> float:
        """Median over repetitions of transitions per second."""
        return statistics.median(self.transitions / max(s, 1e-9) for s in self.durations)

    @property
    def median_seconds(self) -> float:
        """Median seconds per repetition."""
        return statistics.median(self.durations)


def command_for(engine: str, job_file: Path, repeat: int, warmup: int) -> list[str] | None:
    """Return the subprocess command that measures ``engine``, or None if it has no runner."""
    if engine in ("ferry", "moto"):
        worker = str(BENCH_DIR / "worker.py")
        options = [f"--repeat={repeat}", f"--warmup={warmup}"]
        return [sys.executable, worker, engine, str(job_file), *options]
    if engine == "als":
        node = shutil.which("node")
        script = str(BENCH_DIR / "peer_als.mjs")
        return None if node is None else [node, script, str(job_file), str(repeat), str(warmup)]
    return None


def measure(
    engine: str, job: dict[str, object], job_file: Path, *, repeat: int, warmup: int, timeout: float
) -> Measurement:
    """Run one engine-and-workload pair in a fresh subprocess bounded by ``timeout`` seconds."""
    name, transitions = str(job["workload"]), int(str(job["transitions"]))
    base = Measurement(workload=name, engine=engine, transitions=transitions)
    command = command_for(engine, job_file, repeat, warmup)
    if command is None:
        return _without(base, f"no runner for {engine}")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=BENCH_DIR
        )
    except subprocess.TimeoutExpired:
        return _without(base, f"timed out after {timeout:g} s")
    if done.returncode == EXIT_UNAVAILABLE:
        return _without(base, _last_line(done.stderr))
    if done.returncode != 0:
        return _without(base, f"crashed (exit {done.returncode}): {_last_line(done.stderr)}")
    return _with_figures(base, done.stdout)


def _with_figures(base: Measurement, stdout: str) -> Measurement:
    lines = stdout.strip().splitlines()
    if not lines:
        return _without(base, "printed no figures")
    figures = json.loads(lines[-1])
    return Measurement(
        workload=base.workload,
        engine=base.engine,
        transitions=base.transitions,
        durations=[float(s) for s in figures["durations"]],
        peak_rss_kb=figures.get("peak_rss_kb"),
        problem=figures.get("problem"),
        entered=figures.get("entered"),
    )


def _without(base: Measurement, reason: str) -> Measurement:
    return Measurement(
        workload=base.workload,
        engine=base.engine,
        transitions=base.transitions,
        not_measured=reason,
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"
