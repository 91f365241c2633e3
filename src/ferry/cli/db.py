"""The ``ferry db`` commands: ``copy`` a database into PostgreSQL, ``verify`` the copy.

``ferry db copy SOURCE TARGET`` exits 0 when the copy completed (run it again after an
interruption: it resumes at the last committed chunk); ``ferry db verify SOURCE TARGET``
exits 0 when every table matches and 1 when a count or a key range differs. Bad URLs,
unreachable databases and missing tables exit non-zero with a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys

from ferry.errors import InputError
from ferry.migration.drivers.db.copy import DEFAULT_CHUNK_ROWS, CopyOptions, copy_database
from ferry.migration.drivers.db.verify import verify_database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ferry db copy`` and ``ferry db verify`` on the ``ferry`` parser."""
    db = commands.add_parser("db", help="copy and verify databases")
    sub = db.add_subparsers(dest="db_command", required=True)

    copy = sub.add_parser("copy", help="copy schema and data into PostgreSQL, resumably")
    _common(copy)
    mode = copy.add_mutually_exclusive_group()
    mode.add_argument("--schema-only", action="store_true", help="create tables, no data")
    mode.add_argument("--data-only", action="store_true", help="copy data into existing tables")
    copy.add_argument("--checkpoint", help="checkpoint ID to resume (default: from the URLs)")
    copy.set_defaults(handler=_copy)

    verify = sub.add_parser("verify", help="compare row counts and per-range checksums")
    _common(verify)
    verify.set_defaults(handler=_verify)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="postgresql://..., sqlite:///path.db")
    parser.add_argument("target", help="postgresql://user@host:port/database")
    parser.add_argument("--tables", help="comma-separated table names (default: all)")
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS, help="rows per chunk")


def _tables(args: argparse.Namespace) -> list[str] | None:
    if args.tables is None:
        return None
    names = [name.strip() for name in str(args.tables).split(",") if name.strip()]
    if not names:
        raise InputError("--tables: expected comma-separated table names")
    return names


def _chunk_rows(args: argparse.Namespace) -> int:
    if args.chunk_rows < 1:
        raise InputError(f"--chunk-rows: expected a positive number, got {args.chunk_rows}")
    return int(args.chunk_rows)


def _copy(args: argparse.Namespace) -> int:
    options = CopyOptions(
        tables=_tables(args),
        schema=not args.data_only,
        data=not args.schema_only,
        checkpoint=args.checkpoint,
        chunk_rows=_chunk_rows(args),
        warn=lambda message: print(f"warning: {message}", file=sys.stderr),
    )
    result = copy_database(args.source, args.target, options)
    for table in result.tables:
        status = "already copied" if table.skipped else f"{table.chunks} chunks"
        resumed = f", resumed after {table.resumed_after}" if table.resumed_after else ""
        print(f"{table.table}: {table.rows_copied} rows ({status}{resumed})")
    print(f"checkpoint: {result.checkpoint}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    result = verify_database(args.source, args.target, _tables(args), _chunk_rows(args))
    for table in result.tables:
        state = "ok" if table.ok else "MISMATCH"
        print(f"{table.table}: {state} (source {table.source_rows}, target {table.target_rows})")
        for bad in table.mismatches:
            after = "start" if bad.after is None else json.dumps(bad.after)
            upto = "end" if bad.upto is None else json.dumps(bad.upto)
            print(
                f"  keys ({after}, {upto}]: source {bad.source_rows} rows, "
                f"target {bad.target_rows} rows, checksums differ"
            )
    return 0 if result.ok else 1
