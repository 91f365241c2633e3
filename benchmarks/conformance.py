"""The conformance section of BENCHMARKS.md: Ferry's pass rate on the AWS-recorded corpus.

Runs ``tests/conformance/report.py`` (which judges each case with the corpus's own comparer)
in a subprocess and keeps its summary and the list of failing cases.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
REPORT = REPO_DIR / "tests" / "conformance" / "report.py"


def conformance_section(timeout: float = 900) -> str:
    """Markdown for the conformance pass rate, or a note saying why it is missing."""
    try:
        done = subprocess.run(
            [sys.executable, str(REPORT), "--include-slow"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO_DIR,
        )
    except subprocess.TimeoutExpired:
        return "## Conformance\n\nNot measured: the conformance run exceeded its time limit.\n"
    if done.returncode not in (0, 1) or not done.stdout.strip():
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"## Conformance\n\nNot measured: {reason}\n"
    return (
        "## Conformance (cases recorded on real AWS, `../shared/conformance/`)\n\n"
        + _through_api(timeout)
        + "Judged by the corpus's own comparer; produced by "
        "`python tests/conformance/report.py --include-slow`. "
        '"Later issue" cases use JSONata, `Assign` variables or Distributed Map, which this '
        "version refuses with a clear error.\n\n```text\n" + done.stdout.strip() + "\n```\n"
    )


def _through_api(timeout: float) -> str:
    """The same JSONPath cases through ``ferry server`` with boto3 (issue 4's proof)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/api/test_conformance_via_api.py"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO_DIR,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "Through the API: not measured (time limit).\n\n"
    lines = [line for line in done.stdout.splitlines() if " passed" in line or " failed" in line]
    summary = lines[-1].strip("= ") if lines else "no result"
    return (
        "Through the HTTP API (`ferry server` driven by boto3: CreateStateMachine, "
        "StartExecution, DescribeExecution; `pytest tests/api/test_conformance_via_api.py`): "
        f"{summary}.\n\n"
    )
