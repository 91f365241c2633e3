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
        "Judged by the corpus's own comparer; produced by "
        "`python tests/conformance/report.py --include-slow`. "
        '"Later issue" cases use JSONata, `Assign` variables or Distributed Map, which this '
        "version refuses with a clear error.\n\n```text\n" + done.stdout.strip() + "\n```\n"
    )
