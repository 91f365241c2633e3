"""A process that runs (or resumes) one durable Map Run, and may SIGKILL itself mid-run.

``python maprun_crash_child.py STORE_URL KILL_AFTER``: run the Map Run of
``test_maprun_crash`` with STANDARD children over the store; when KILL_AFTER > 0, kill this
process as soon as that many children have finished. Prints the outcome as JSON.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distributed.maprun_kit import request, spec
from ferry.distributed.maprun import MapRunIntegration
from ferry.integrations.base import TaskSuccess
from ferry.runner.durable import DurableRunner
from ferry.store import open_store

ITEMS = 12
PROCESSOR = {
    "StartAt": "Pause",
    "States": {
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Echo"},
        "Echo": {"Type": "Pass", "Parameters": {"item.$": "$"}, "End": True},
    },
}
PAYLOAD = spec(
    PROCESSOR,
    executionType="STANDARD",
    items=[{"n": n} for n in range(ITEMS)],
    maxConcurrency=2,
)


def _killer(runner: DurableRunner, after: int) -> None:
    arn = str(PAYLOAD["mapRunArn"])
    while not runner.closing.wait(0.01):
        record = runner.store.map_runs.describe(arn)
        if record is not None and record.execution_counts["succeeded"] >= after:
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    """Run the Map Run to its end (or to the kill)."""
    url, kill_after = sys.argv[1], int(sys.argv[2])
    runner = DurableRunner(open_store(url), lease_seconds=0.5, poll_seconds=0.01)
    runner.integrations.append(MapRunIntegration(runner.integrations, runner=runner))
    stop = threading.Event()
    threading.Thread(target=runner.serve, args=(stop,), daemon=True).start()
    if kill_after:
        threading.Thread(target=_killer, args=(runner, kill_after), daemon=True).start()
    outcome = runner.integrations[0].invoke(request(PAYLOAD))
    stop.set()
    runner.close()
    if isinstance(outcome, TaskSuccess):
        print(json.dumps({"success": True, "result": outcome.result}))
    else:
        print(json.dumps({"success": False, "error": outcome.error, "cause": outcome.cause}))


if __name__ == "__main__":
    main()
