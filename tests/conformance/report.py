"""Print Ferry's pass rate on the AWS-recorded conformance corpus.

Run as ``python tests/conformance/report.py [--include-slow]``: the pass rate overall and per
category, then every failing case with its reason. Cases deferred to the later issue (JSONata,
variables, Distributed Map) are counted apart so the figures say what this issue covers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

if __package__:
    from .corpus import (
        Case,
        corpus_available,
        execute,
        is_slow,
        judge,
        load_cases,
        load_checker,
        needs_later_issue,
        short_id,
    )
else:  # run as a script: the sibling module is importable from the script's folder
    from corpus import (  # type: ignore[no-redef,import-not-found]
        Case,
        corpus_available,
        execute,
        is_slow,
        judge,
        load_cases,
        load_checker,
        needs_later_issue,
        short_id,
    )


def score(case: Case) -> tuple[bool, str]:
    """Run one case; an exception from the engine counts as a failure with its message."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            outcome = execute(case, Path(tmp))
        except Exception as exc:  # the report must go on past a crashing case
            return False, f"engine raised {type(exc).__name__}: {exc}"
    return judge(load_checker(), case, outcome)


def _rate(passed: int, total: int) -> str:
    percent = 100.0 * passed / total if total else 0.0
    return f"{passed}/{total} ({percent:.1f}%)"


def _print_table(title: str, passed: Counter[str], total: Counter[str]) -> None:
    print(f"\n{title}")
    for category in sorted(total):
        print(f"  {category:<24} {_rate(passed[category], total[category])}")


def main(argv: list[str] | None = None) -> int:
    """Score every case and print the report; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--include-slow", action="store_true", help="run 60 s Lambda cases")
    args = parser.parse_args(argv)
    if not corpus_available():
        print("conformance corpus not found next to the repository", file=sys.stderr)
        return 2
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    failures: list[tuple[str, str]] = []
    skipped: list[str] = []
    for case in load_cases():
        scope = "later" if needs_later_issue(case) else "now"
        if is_slow(case) and not args.include_slow:
            skipped.append(short_id(case))
            continue
        ok, reason = score(case)
        for key in (scope, f"{scope}:{case['category']}"):
            total[key] += 1
            passed[key] += ok
        if not ok:
            failures.append((f"[{scope}] {short_id(case)}", reason))
    _report(passed, total, failures, skipped)
    return 0


def _report(
    passed: Counter[str],
    total: Counter[str],
    failures: list[tuple[str, str]],
    skipped: list[str],
) -> None:
    all_passed = passed["now"] + passed["later"]
    print(f"Overall: {_rate(all_passed, total['now'] + total['later'])}")
    print(f"In scope (JSONPath, inline Map): {_rate(passed['now'], total['now'])}")
    later = _rate(passed["later"], total["later"])
    print(f"Later issue (JSONata, variables, Distributed Map): {later}")
    for scope in ("now", "later"):
        prefix = f"{scope}:"
        keys = [k for k in total if k.startswith(prefix)]
        _print_table(
            f"Per category ({'in scope' if scope == 'now' else 'later issue'}):",
            Counter({k.removeprefix(prefix): passed[k] for k in keys}),
            Counter({k.removeprefix(prefix): total[k] for k in keys}),
        )
    if skipped:
        print(f"\nNot run (slow; pass --include-slow): {', '.join(skipped)}")
    print(f"\nFailing cases ({len(failures)}):")
    for case_id, reason in failures:
        print(f"  {case_id}\n      {reason}")


if __name__ == "__main__":
    sys.exit(main())
