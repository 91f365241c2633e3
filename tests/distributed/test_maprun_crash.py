"""A durable Map Run survives the death of its process (SIGKILL), every item exactly once.

The first process is killed once a few STANDARD children have finished; a second process
re-invokes the same Map Run (the reducer re-runs an unanswered task after a crash) and finishes
it. Each item has exactly one child execution — none started twice — and the result holds
every item once, in order.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from ferry.distributed.spec import parse_spec
from ferry.store import open_store

from .maprun_crash_child import ITEMS, PAYLOAD

CHILD = Path(__file__).with_name("maprun_crash_child.py")
DEADLINE_SECONDS = 120  # only to stop waiting for a hung subprocess


def _run(url: str, kill_after: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), url, str(kill_after)],
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )


def test_a_killed_map_run_resumes_with_every_item_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ferry.db'}"
    killed = _run(url, kill_after=4)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    store = open_store(url)
    try:
        spec = parse_spec(PAYLOAD)
        before = store.map_runs.describe(spec.map_run_arn)
        assert before is not None
        assert before.status == "RUNNING"
        assert 4 <= before.execution_counts["succeeded"] < ITEMS
        resumed = _run(url, kill_after=0)
        assert resumed.returncode == 0, resumed.stderr
        outcome = json.loads(resumed.stdout.strip().splitlines()[-1])
        assert outcome == {"success": True, "result": [{"item": {"n": n}} for n in range(ITEMS)]}
        children = store.executions.list(spec.child_machine_arn, max_results=1000).items
        assert sorted(c.arn for c in children) == sorted(spec.child_arn(i) for i in range(ITEMS))
        assert {c.status for c in children} == {"SUCCEEDED"}
        after = store.map_runs.describe(spec.map_run_arn)
        assert after is not None
        assert (after.status, after.execution_counts["succeeded"]) == ("SUCCEEDED", ITEMS)
    finally:
        store.close()
