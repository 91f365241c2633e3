"""Benchmark Ferry against moto and aws-local-stepfunctions; write BENCHMARKS.md.

``make bench`` runs this with the defaults. Every engine-and-workload pair is measured in a fresh
subprocess with a time limit, so one engine's crash, hang or memory cannot spoil another's figures.
An engine that cannot run is reported as "not measured: <reason>", never as a crash of the harness.

Exit status: 0, or 1 when Ferry ran but crashed or produced a wrong result (a peer's problems are
only reported, since they are not ours to fix).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import durable
import jsonata
import peers
from measure import ENGINE_NAMES, Measurement, measure
from report import REPO_DIR, Settings, machine_info, render, terminal_table
from workloads import Workload, all_workloads

import api
from conformance import conformance_section

DEFAULT_REPEAT = 5
DEFAULT_TIMEOUT_SECONDS = 900.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; ``--quick`` shrinks sizes and repetitions for smoke runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed repetitions")
    parser.add_argument("--warmup", type=int, default=1, help="untimed repetitions first")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repetition, no warmup")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINE_NAMES),
        help=f"comma-separated subset of {','.join(ENGINE_NAMES)}",
    )
    parser.add_argument("--no-write", action="store_true", help="print only; keep BENCHMARKS.md")
    parser.add_argument(
        "--no-durable", action="store_true", help="skip the durable runner's figures"
    )
    parser.add_argument("--no-api", action="store_true", help="skip the API's figures")
    parser.add_argument("--output", type=Path, default=REPO_DIR / "BENCHMARKS.md")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds allowed per engine-and-workload pair subprocess",
    )
    args = parser.parse_args(argv)
    args.engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = sorted(set(args.engines) - set(ENGINE_NAMES))
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)}")
    if args.quick:
        args.repeat, args.warmup = 1, 0
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be >= 1 and --warmup >= 0")
    return args


def peer_readiness(engines: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Set up the requested peers; return (reason each unready engine is skipped, versions)."""
    skipped: dict[str, str] = {}
    versions: dict[str, str] = {}
    if "moto" in engines:
        status = peers.moto_status()
        versions["moto"] = status.version
        if not status.ready:
            skipped["moto"] = status.reason
    if "als" in engines:
        status = peers.ensure_als()
        versions[ENGINE_NAMES["als"]] = status.version
        if not status.ready:
            skipped["als"] = status.reason
    return skipped, versions


def run_all(
    workloads: list[Workload], args: argparse.Namespace, skipped: dict[str, str], jobs_dir: Path
) -> list[Measurement]:
    """Measure every requested engine on every workload, printing progress as it goes."""
    results = []
    for workload in workloads:
        job = workload.to_job()
        job_file = jobs_dir / f"{workload.name}.json"
        job_file.write_text(json.dumps(job))
        for engine in args.engines:
            if engine in skipped:
                result = Measurement(
                    workload=workload.name,
                    engine=engine,
                    transitions=workload.transitions,
                    not_measured=skipped[engine],
                )
            else:
                print(f"measuring {ENGINE_NAMES[engine]} on {workload.name} ...", flush=True)
                result = measure(
                    engine,
                    job,
                    job_file,
                    repeat=args.repeat,
                    warmup=args.warmup,
                    timeout=args.timeout,
                )
            results.append(result)
    return results


def ferry_failed(results: list[Measurement]) -> bool:
    """True when Ferry ran but crashed, timed out, or produced a wrong status or output."""
    for m in results:
        if m.engine != "ferry":
            continue
        if m.problem or (m.not_measured and not m.not_measured.startswith("not available yet")):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``make bench``."""
    args = parse_args(argv)
    workloads = all_workloads(quick=args.quick) + jsonata.jsonata_workloads(quick=args.quick)
    skipped, versions = peer_readiness(args.engines)
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as tmp:
        results = run_all(workloads, args, skipped, Path(tmp))
    for m in results:
        if m.engine == "ferry" and m.not_measured and m.not_measured.startswith("not available"):
            print("ferry: not available yet")
            break
    print(terminal_table(results))
    durable_text = ""
    if "ferry" in args.engines and not args.no_durable:
        figures = durable.measure_all(
            quick=args.quick, repeat=args.repeat, warmup=args.warmup, timeout=args.timeout
        )
        print(durable.terminal_lines(figures))
        durable_text = durable.durable_section(figures)
    api_text = ""
    if "ferry" in args.engines and not args.no_api:
        api_figures = api.measure_all(quick=args.quick, repeat=args.repeat, timeout=args.timeout)
        print(api.terminal_lines(api_figures))
        api_text = api.api_section(api_figures)
    if not args.no_write:
        command = "python benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
        settings = Settings(args.repeat, args.warmup, args.quick, command.strip())
        info = machine_info(peers.node_version(), versions)
        conformance = "" if args.quick else conformance_section()
        text = render(workloads, results, info, settings, conformance, durable_text, api_text)
        args.output.write_text(text)
        print(f"wrote {args.output}")
    return 1 if ferry_failed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
