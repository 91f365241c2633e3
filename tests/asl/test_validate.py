"""Definition validation against data fixtures and the definitions AWS ran.

``cases/invalid/*.json`` hold a definition and the exact diagnostics (code, location) AWS's
rules give it; ``cases/valid/*.json`` hold definitions AWS accepts. Each fixture names the AWS
page (or recorded AWS response) its rule comes from in its ``source`` field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ferry.asl.validate import validate
from ferry.jsontypes import JSON

CASES = Path(__file__).parent / "cases"
CONFORMANCE = Path(__file__).parents[2] / ".." / "shared" / "conformance" / "public.jsonl"


def _load(kind: str) -> list[tuple[str, dict[str, JSON]]]:
    files = sorted((CASES / kind).glob("*.json"))
    return [(path.stem, json.loads(path.read_text(encoding="utf-8"))) for path in files]


INVALID = _load("invalid")
VALID = _load("valid")


@pytest.mark.parametrize(("name", "case"), INVALID, ids=[name for name, _ in INVALID])
def test_invalid_definition_gives_exactly_the_expected_diagnostics(
    name: str, case: dict[str, JSON]
) -> None:
    found = sorted((d.code, d.location) for d in validate(case["definition"]))
    expected = sorted((e["code"], e["location"]) for e in case["expected"])
    assert found == expected, name


@pytest.mark.parametrize(("name", "case"), INVALID, ids=[name for name, _ in INVALID])
def test_every_diagnostic_says_what_is_wrong(name: str, case: dict[str, JSON]) -> None:
    for diagnostic in validate(case["definition"]):
        assert len(diagnostic.message) > 15, (name, diagnostic)
        assert str(diagnostic).endswith(diagnostic.message)


@pytest.mark.parametrize(("name", "case"), VALID, ids=[name for name, _ in VALID])
def test_valid_definition_has_no_diagnostics(name: str, case: dict[str, JSON]) -> None:
    assert validate(case["definition"]) == [], name


def test_fixture_sets_are_not_empty() -> None:
    # A broken glob would otherwise pass vacuously.
    assert len(INVALID) >= 50
    assert len(VALID) >= 10


def _conformance_definitions() -> list[tuple[str, JSON]]:
    if not CONFORMANCE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CONFORMANCE} is missing in CI")
        pytest.skip("the AWS conformance cases (../shared/conformance) are not present")
    lines = CONFORMANCE.read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    return [(case["id"], case["definition"]) for case in cases]


def test_every_definition_aws_ran_is_accepted() -> None:
    # These definitions were created and executed on AWS, so AWS accepted every one of them.
    definitions = _conformance_definitions()
    assert len(definitions) >= 500
    rejected = {case_id: validate(doc) for case_id, doc in definitions}
    rejected = {case_id: found for case_id, found in rejected.items() if found}
    assert rejected == {}
