"""Render benchmark figures as BENCHMARKS.md (and as a plain table for the terminal)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from measure import ENGINE_NAMES, Measurement
from workloads import Workload

REPO_DIR = Path(__file__).resolve().parent.parent
#: aws-local-stepfunctions 3.0.0's package.json declares ``"engines": {"node": ">=22.0.0"}``.
ALS_MIN_NODE_MAJOR = 22


@dataclass(frozen=True)
class Settings:
    """How the run was made, printed in the report so figures can be reproduced."""

    repeat: int
    warmup: int
    quick: bool
    command: str


def machine_info(node: str | None, peer_versions: dict[str, str]) -> dict[str, str]:
    """Describe the machine and the software measured."""
    return {
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU model": _cpu_model(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Node": node or "not installed",
        # Other work on the machine skews every figure; the load average shows how much there was.
        "Load average (1/5/15 min) at the end": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Ferry": _ferry_version(),
        **peer_versions,
        "Date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ferry_version() -> str:
    try:
        version = metadata.version("ferry")
    except metadata.PackageNotFoundError:
        version = "not installed"
    commit = _git("rev-parse", "--short", "HEAD")
    if not commit:
        return version
    # Figures from a tree that differs from the commit must not pass for the commit's.
    changed = _git("status", "--porcelain", "--", "src")
    dirty = ", plus uncommitted changes in src/" if changed else ""
    return f"{version} (commit {commit}{dirty})"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_DIR, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def render(
    workloads: list[Workload],
    results: list[Measurement],
    info: dict[str, str],
    settings: Settings,
    conformance: str = "",
    durable: str = "",
    api: str = "",
) -> str:
    """Return the whole BENCHMARKS.md text; ``durable`` is ``durable.durable_section``'s and
    ``api`` is ``api.api_section``'s."""
    parts = [
        "# Benchmarks\n",
        "Ferry beside the two Step Functions interpreters people run locally today, measured in "
        f"the same run by `{settings.command}` (`make bench` runs it with the defaults). "
        "Do not edit the figures by hand: rerun the command.\n",
        _machine_section(info),
        _summary_section(workloads, results),
        _detail_section(workloads, results),
        _notes_section(results),
        durable,
        api,
        _method_section(workloads, settings, info.get("Node", "")),
        conformance,
    ]
    return "\n".join(parts)


def _machine_section(info: dict[str, str]) -> str:
    rows = "\n".join(f"| {key} | {value} |" for key, value in info.items())
    return f"## Machine\n\n| | |\n|---|---|\n{rows}\n"


def _summary_section(workloads: list[Workload], results: list[Measurement]) -> str:
    engines = list(ENGINE_NAMES)
    header = "| Workload | " + " | ".join(ENGINE_NAMES[e] for e in engines) + " |"
    rule = "|---|" + "---:|" * len(engines)
    rows = [
        f"| {w.name} | " + " | ".join(_rate_cell(_find(results, w.name, e)) for e in engines) + " |"
        for w in workloads
    ]
    return (
        "## Summary: median transitions per second (higher is better)\n\n"
        + "\n".join([header, rule, *rows])
        + "\n"
    )


def _detail_section(workloads: list[Workload], results: list[Measurement]) -> str:
    lines = [
        "## Details\n",
        "Ratios are Ferry's figure divided by the engine's: a rate ratio above 1 means Ferry is "
        "faster; an RSS ratio below 1 means Ferry uses less memory.\n",
        "| Workload | Engine | Transitions | Median time (s) | Median transitions/s "
        "| Peak RSS (MiB) | Ferry ÷ engine, rate | Ferry ÷ engine, RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in workloads:
        ferry = _find(results, workload.name, "ferry")
        found = (_find(results, workload.name, engine) for engine in ENGINE_NAMES)
        lines.extend(_detail_row(workload, m, ferry) for m in found if m is not None)
    return "\n".join(lines) + "\n"


def _detail_row(workload: Workload, m: Measurement, ferry: Measurement | None) -> str:
    name = ENGINE_NAMES[m.engine]
    if not m.measured:
        return f"| {workload.name} | {name} | {m.transitions} | not measured | | | | |"
    cells = [
        workload.name,
        name,
        str(m.transitions),
        f"{m.median_seconds:.4f}",
        _rate_cell(m),
        _mib(m.peak_rss_kb),
        _ratio(ferry, m, rate=True),
        _ratio(ferry, m, rate=False),
    ]
    return "| " + " | ".join(cells) + " |"


def _ratio(ferry: Measurement | None, peer: Measurement, *, rate: bool) -> str:
    if peer.engine == "ferry" or ferry is None or not ferry.measured:
        return "—"
    if rate:
        return f"{ferry.median_rate / peer.median_rate:.2f}x"
    if ferry.peak_rss_kb and peer.peak_rss_kb:
        return f"{ferry.peak_rss_kb / peer.peak_rss_kb:.2f}x"
    return "—"


def _notes_section(results: list[Measurement]) -> str:
    notes = [_note(m) for m in results]
    kept = [note for note in notes if note]
    body = "\n".join(kept) if kept else "None: every engine ran every workload correctly."
    return f"## Not measured, and problems seen\n\n{body}\n"


def _note(m: Measurement) -> str | None:
    name = ENGINE_NAMES[m.engine]
    if m.not_measured:
        return f"- {name}, {m.workload}: not measured: {m.not_measured}"
    if m.problem:
        return f"- {name}, {m.workload}: figures are for an incorrect run ({m.problem})"
    if m.entered is not None and m.entered != m.transitions:
        return (
            f"- {name}, {m.workload}: its history shows {m.entered} states entered, "
            f"the analytic count is {m.transitions}"
        )
    return None


def _method_section(workloads: list[Workload], settings: Settings, info_node: str) -> str:
    listing = "\n".join(
        f"- **{w.name}** — {w.title}: {w.transitions} transitions per repetition."
        for w in workloads
    )
    quick = " This was a `--quick` smoke run: sizes are tiny, figures mean little." * settings.quick
    return f"""## Method

Workloads (generated by `benchmarks/workloads.py`; every engine gets the same JSON definition and
input, and every run's status and output are checked against the expected output):

{listing}

- **Transitions** are states entered, counted analytically and used for every engine: (a) one per
  Pass state; (b) the Map state plus 5 per item (Load, Stamp, Copy, Route, then Even or Odd);
  (c) exactly 10 per execution (Init, Route, Prepare, Pause, Fan, Left, Right, Merge, Record,
  Done). The counts equal the `*StateEntered` events in moto's execution history for the same
  definitions; when Ferry runs, its history's `*StateEntered` events are counted on every run and
  any mismatch is listed above.
- **Repetitions**: {settings.repeat} timed, after {settings.warmup} untimed warm-up repetition(s),
  in one fresh process per engine-and-workload pair. The figure is the median over repetitions
  of transitions ÷ seconds.{quick}
- **Timing**: Ferry — wall time around `ferry.runner.local.run(machine, input)`, in-process; the
  definition is loaded and validated once (`ferry.asl.load.load_definition`), untimed. moto —
  from `start_execution` until `describe_execution` reports a terminal status (polled every 1 ms;
  the machine is created once, untimed), in-process under `mock_aws`. aws-local-stepfunctions —
  `performance.now()` around `stateMachine.run(input).result` inside Node; the `StateMachine` is
  constructed (and validated) once, untimed. For workload (c) the executions' times are summed.
- **Peak RSS** is the process's `VmHWM` at the end, so it includes the runtime itself (CPython with
  boto3/moto loaded, or Node), not only the interpreter's working set.{_node_note(info_node)}
"""


def _node_note(node: str) -> str:
    """Flag a Node older than the peer's declared ``engines`` range (it may still run)."""
    major = node.lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) >= ALS_MIN_NODE_MAJOR:
        return ""
    return (
        f"\n- aws-local-stepfunctions declares Node >= {ALS_MIN_NODE_MAJOR}; it ran here on "
        f"{node}, and its outputs were checked like every other engine's."
    )


def terminal_table(results: list[Measurement]) -> str:
    """Return a compact plain-text table of the results for the console."""
    lines = []
    for m in results:
        label = f"{m.workload:<14} {ENGINE_NAMES[m.engine]:<24}"
        if m.measured:
            flag = f"  PROBLEM: {m.problem}" if m.problem else ""
            lines.append(
                f"{label} {m.median_rate:>12,.0f} tr/s  {_mib(m.peak_rss_kb):>7} MiB{flag}"
            )
        else:
            lines.append(f"{label} not measured: {m.not_measured}")
    return "\n".join(lines)


def _rate_cell(m: Measurement | None) -> str:
    if m is None:
        return "—"
    if not m.measured:
        return "not measured"
    return f"{m.median_rate:,.0f}" + (" (incorrect run)" if m.problem else "")


def _mib(kib: int | None) -> str:
    return "?" if kib is None else f"{kib / 1024:.1f}"


def _find(results: list[Measurement], workload: str, engine: str) -> Measurement | None:
    return next((m for m in results if m.workload == workload and m.engine == engine), None)
