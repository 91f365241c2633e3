"""The ``ferry config`` commands: ``migrate`` and ``verify`` key/value configuration.

``ferry config migrate SOURCE DEST`` copies ``.env``/JSON/YAML files, ``ssm:///PREFIX`` or
``secretsmanager://NAME`` into ``ssm:///PREFIX`` or ``secretsmanager://NAME`` (rules in
:mod:`ferry.migration.drivers.config`), reads every key back and prints one line per key:
its name, action, type, salted hash prefixes and ``ok``/``mismatch``/``missing`` — never a
value. ``--dry-run`` prints the plan and writes nothing. ``ferry config verify`` compares
without writing. Exit 0 when every key matches, 1 when one does not, 2 for bad input or an
AWS error.
"""

from __future__ import annotations

import argparse
import json

from ferry.migration.drivers.config import SECRET_KEYS, Report, migrate, verify
from ferry.migration.drivers.config_targets import AwsAccess


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ferry config migrate`` and ``ferry config verify``."""
    config = commands.add_parser("config", help="migrate key/value configuration")
    actions = config.add_subparsers(dest="config_command", required=True)
    migrate_cmd = actions.add_parser(
        "migrate", help="copy configuration into SSM Parameter Store or Secrets Manager"
    )
    _common(migrate_cmd)
    migrate_cmd.add_argument(
        "--dry-run", action="store_true", help="show what would change, write nothing"
    )
    migrate_cmd.set_defaults(handler=_migrate)
    verify_cmd = actions.add_parser("verify", help="compare SOURCE with DEST, write nothing")
    _common(verify_cmd)
    verify_cmd.set_defaults(handler=_verify)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="FILE (.env, .json, .yaml), ssm:///PREFIX or "
                        "secretsmanager://NAME")  # fmt: skip
    parser.add_argument("dest", help="ssm:///PREFIX or secretsmanager://NAME")
    parser.add_argument(
        "--secret-keys",
        metavar="REGEX",
        help=f"keys stored as SecureString (default: {SECRET_KEYS!r})",
    )
    parser.add_argument("--endpoint-url", help="AWS endpoint (default: botocore's settings)")
    parser.add_argument("--region", help="AWS region (default: the configured one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _migrate(args: argparse.Namespace) -> int:
    report = migrate(
        args.source,
        args.dest,
        dry_run=args.dry_run,
        secret_keys=args.secret_keys,
        aws=AwsAccess(args.endpoint_url, args.region),
    )
    return _print(report, args.json)


def _verify(args: argparse.Namespace) -> int:
    report = verify(
        args.source,
        args.dest,
        secret_keys=args.secret_keys,
        aws=AwsAccess(args.endpoint_url, args.region),
    )
    return _print(report, args.json)


def _print(report: Report, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return 0 if report.ok else 1
    rows = [("KEY", "ACTION", "TYPE", "SOURCE", "DEST", "STATUS")]
    rows += [
        (r.key, r.action, r.kind, r.source_hash, r.target_hash or "-", r.status)
        for r in report.keys
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[5]]))
    changed = sum(1 for r in report.keys if r.action in {"create", "update"})
    bad = [r.key for r in report.keys if r.status not in {"ok", "planned"}]
    if report.dry_run:
        print(f"{len(report.keys)} keys, {changed} would change; nothing written (dry run)")
        return 0
    summary = f"{len(report.keys)} keys, {changed} changed"
    print(f"{summary}; not matching: {', '.join(bad)}" if bad else f"{summary}; all match")
    return 0 if report.ok else 1
