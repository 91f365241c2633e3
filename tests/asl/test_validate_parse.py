"""Decoding definition text (JSON or YAML) and printing diagnostics."""

from __future__ import annotations

from ferry.asl.diagnostics import Diagnostic, pointer
from ferry.asl.validate import parse_definition_text, validate

_JSON = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


def test_json_text_decodes_without_diagnostics() -> None:
    doc, found = parse_definition_text(_JSON)
    assert found == []
    assert doc == {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}


def test_malformed_json_names_line_and_column() -> None:
    doc, found = parse_definition_text('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert doc is None
    assert [d.code for d in found] == ["INVALID_JSON_DESCRIPTION"]
    assert "line 3, column 14" in found[0].message


def test_plain_word_is_invalid_json_not_yaml() -> None:
    # AWS answers "not a definition" with INVALID_JSON_DESCRIPTION (LocalStack's
    # test_sfn_api_validation.snapshot.json, NOT_A_DEF), though YAML would read it as a string.
    doc, found = parse_definition_text("not a definition")
    assert doc is None
    assert [d.code for d in found] == ["INVALID_JSON_DESCRIPTION"]


def test_blank_text_is_not_a_json_object() -> None:
    # AWS: " " -> SCHEMA_VALIDATION_FAILED "Definition must be a valid JSON object".
    doc, found = parse_definition_text("   ")
    assert doc is None
    assert [(d.code, d.message) for d in found] == [
        ("SCHEMA_VALIDATION_FAILED", "Definition must be a valid JSON object")
    ]


def test_nan_is_rejected_as_json() -> None:
    doc, found = parse_definition_text('{"StartAt": "A", "States": {}, "X": NaN}')
    assert doc is None
    assert [d.code for d in found] == ["INVALID_JSON_DESCRIPTION"]


def test_yaml_text_decodes_and_keeps_timestamps_as_strings() -> None:
    text = (
        "StartAt: W\nStates:\n  W:\n    Type: Wait\n"
        "    Timestamp: 2016-03-14T01:59:00Z\n    End: true\n"
    )
    doc, found = parse_definition_text(text)
    assert found == []
    assert isinstance(doc, dict)
    assert doc["States"]["W"]["Timestamp"] == "2016-03-14T01:59:00Z"
    assert validate(doc) == []


def test_malformed_yaml_names_line_and_column() -> None:
    doc, found = parse_definition_text("StartAt: A\nStates:\n  A: [unclosed\n")
    assert doc is None
    assert [d.code for d in found] == ["INVALID_JSON_DESCRIPTION"]
    assert "line 4" in found[0].message


def test_diagnostic_str_reads_pointer_code_message() -> None:
    diagnostic = Diagnostic("SCHEMA_VALIDATION_FAILED", "/States/A/Retry/0/BackoffRate", "bad")
    assert str(diagnostic) == "/States/A/Retry/0/BackoffRate: SCHEMA_VALIDATION_FAILED: bad"
    assert str(Diagnostic("SCHEMA_VALIDATION_FAILED", "", "bad")).startswith("/: ")


def test_pointer_escapes_slash_and_tilde() -> None:
    assert pointer("/States", "a/b~c", 0) == "/States/a~1b~0c/0"


def test_validate_never_raises_on_odd_shapes() -> None:
    odd = {"StartAt": 3, "States": {"A": [], "B": {"Type": "Map", "ItemProcessor": []}}}
    found = validate(odd)
    assert {d.location for d in found} >= {"/StartAt", "/States/A", "/States/B/ItemProcessor"}
