"""The `ferry files` commands (issue 6: data migration drivers).

``ferry files sync SOURCE DEST`` copies a local directory or ``s3://bucket/prefix`` to another:
exit 0 when every file verified, 1 when some failed verification, 2 on bad input. S3 uses
boto3's usual credentials and endpoint settings (``AWS_ENDPOINT_URL`` for a local S3).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ferry.errors import InputError
from ferry.migration.drivers.files import VERIFY_MODES, SyncReport, sync


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ferry files sync`` on the ``ferry`` parser."""
    files = commands.add_parser("files", help="sync files and objects (local or S3)")
    actions = files.add_subparsers(dest="files_command", required=True)
    cmd = actions.add_parser("sync", help="copy new and changed files, verified")
    cmd.add_argument("source", help="a directory or s3://bucket/prefix")
    cmd.add_argument("dest", help="a directory or s3://bucket/prefix")
    cmd.add_argument("--delete", action="store_true", help="remove files the source lacks")
    cmd.add_argument("--verify", default="only-transferred", help="|".join(VERIFY_MODES))
    cmd.add_argument("--parallel", default="8", help="files in flight at once (default 8)")
    cmd.add_argument("--manifest", type=Path, help="resume manifest to read and append to")
    cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    cmd.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace) -> int:
    if args.verify not in VERIFY_MODES:
        raise InputError(f"--verify: expected one of {', '.join(VERIFY_MODES)}, got {args.verify}")
    try:
        parallel = int(args.parallel)
    except ValueError:
        raise InputError(f"--parallel: expected a whole number, got {args.parallel}") from None
    report = _run_with_progress(args, parallel)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_summary(report)
    for message in report.verify_failed.values():
        print(f"ferry: verification failed: {message}", file=sys.stderr)
    return 0 if report.ok else 1


def _run_with_progress(args: argparse.Namespace, parallel: int) -> SyncReport:
    if args.json or not sys.stderr.isatty():
        return sync(
            args.source,
            args.dest,
            delete=args.delete,
            verify=args.verify,
            parallel=parallel,
            manifest=args.manifest,
        )
    from rich.progress import Progress, SpinnerColumn, TextColumn  # noqa: PLC0415

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
        task = bar.add_task("syncing", total=None)
        counts: dict[str, int] = {}

        def tick(key: str, outcome: str, _size: int) -> None:
            counts[outcome] = counts.get(outcome, 0) + 1
            done = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
            bar.update(task, description=f"{done} (last: {key})")

        return sync(
            args.source,
            args.dest,
            delete=args.delete,
            verify=args.verify,
            parallel=parallel,
            manifest=args.manifest,
            progress=tick,
        )


def _print_summary(report: SyncReport) -> None:
    print(
        f"{len(report.transferred)} transferred ({report.bytes_transferred} bytes), "
        f"{len(report.unchanged)} unchanged, {len(report.resumed)} resumed, "
        f"{len(report.deleted)} deleted, {len(report.extra)} extra, "
        f"{len(report.verify_failed)} failed verification"
    )
