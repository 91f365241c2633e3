"""Every case AWS Step Functions answered in the shared corpus, run through Ferry.

Cases come from ``<repo>/../shared/conformance/public.jsonl`` (recorded on real AWS) and are
judged by the corpus's own ``compare.check_result``. Without the corpus the suite skips, except
in CI where its absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .corpus import (
    Case,
    corpus_available,
    execute,
    is_slow,
    judge,
    load_cases,
    load_checker,
    short_id,
)

# Cases whose recording cannot be matched by any engine, with the reason.
UNMATCHABLE: dict[str, str] = {
    "express/test_express_async.py::TestExpressAsync::test_catch": (
        "the recorder masked the Lambda requestId together with its opening quote "
        '(\'"requestId":<request-id>"\') and listed no placeholder for it'
    ),
}


def _params(cases: list[Case]) -> list[object]:
    params: list[object] = []
    for case in cases:
        marks: list[pytest.MarkDecorator] = []
        if short_id(case) in UNMATCHABLE:
            marks.append(pytest.mark.xfail(reason=UNMATCHABLE[short_id(case)]))
        if is_slow(case):
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case, id=short_id(case), marks=marks))
    return params


CASES = load_cases()


def test_corpus_is_present() -> None:
    """Guards CI: the corpus must be there; elsewhere its absence only skips the suite."""
    if corpus_available():
        assert len(CASES) > 0
    elif os.environ.get("CI") == "true":
        pytest.fail("conformance corpus missing in CI: expected ../shared/conformance")
    else:
        pytest.skip("conformance corpus not found next to the repository")


@pytest.mark.parametrize("case", _params(CASES))
def test_aws_case(case: Case, tmp_path: Path) -> None:
    ok, reason = judge(load_checker(), case, execute(case, tmp_path))
    assert ok, reason
