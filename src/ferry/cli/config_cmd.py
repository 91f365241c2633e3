"""The `ferry config` commands (issue 6: data migration drivers)."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the commands on the ``ferry`` parser (none yet)."""
    del commands
