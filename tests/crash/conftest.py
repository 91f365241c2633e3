"""Crash tests: the uninterrupted run every crashed run is compared with, once per worker."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from ferry.jsontypes import JSON

# The store suite's PostgreSQL helpers: an isolated schema per test, skipped without a server.
from store.conftest import pg_schema_url

from . import harness

__all__ = ["Baseline", "baseline", "pg_schema_url"]


@dataclass(frozen=True)
class Baseline:
    """What an uninterrupted run of the crash-test machine produced."""

    output: JSON
    event_types: Counter[str]
    request_ids: frozenset[tuple[str, str, str]]


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """Run the machine once without a crash, on SQLite."""
    work: Path = tmp_path_factory.mktemp("baseline")
    url = f"sqlite:///{work / 'ferry.db'}"
    run = harness.ferry_run(url, work)
    assert run.returncode == 0, run.stderr
    summary = harness.result(run)
    assert summary["status"] == "SUCCEEDED", summary
    events = harness.history(url)
    counts = harness.invocations(work)
    assert set(counts.values()) == {1}, counts  # no crash, so no task ran twice
    return Baseline(
        output=summary["output"],
        event_types=Counter(str(e["type"]) for e in events),
        request_ids=frozenset(counts),
    )
