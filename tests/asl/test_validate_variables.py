"""Workflow variables in definitions: Assign names and values, scopes, unresolved reads.

Rules from "Passing data between states with variables"
(https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html) unless a case
says otherwise. Reads of a variable nobody assigns are *warnings*: AWS created, then failed at
run time, machines reading ``$doesNotExist`` (LocalStack's AWS-recorded
``test_undefined_reference`` snapshots; conformance cases ``test_math_random_seeded`` and
``MAP_CATCH_ERROR_OUTPUT_WITH_RETRY``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ferry.asl.diagnostics import SCHEMA_VALIDATION_FAILED, WARNING
from ferry.asl.validate import validate
from ferry.asl.validate_variables import unresolved_variables
from ferry.cli.main import main
from ferry.jsontypes import JSON

ASSIGN = "/States/A/Assign"


def _machine(state: dict[str, JSON], *, jsonata: bool = False) -> dict[str, JSON]:
    doc: dict[str, JSON] = {"StartAt": "A", "States": {"A": {**state, "End": True}}}
    if jsonata:
        doc["QueryLanguage"] = "JSONata"
    return doc


def _pass(assign: JSON, *, jsonata: bool = False) -> dict[str, JSON]:
    return _machine({"Type": "Pass", "Assign": assign}, jsonata=jsonata)


def _errors(doc: JSON) -> list[tuple[str, str]]:
    return [(d.code, d.location) for d in validate(doc)]


def _warnings(doc: JSON) -> list[str]:
    found = unresolved_variables(doc)
    assert all(d.severity == WARNING for d in found)
    return [d.location for d in found]


# -- names -------------------------------------------------------------------------------------
# "Variable names follow the rules for Unicode Identifiers ... The maximum length of a variable
# name is 80"; "$states" is the reserved variable; a key may not name a sub-path.
@pytest.mark.parametrize(
    ("key", "jsonata"),
    [
        ("1st", False),
        ("", False),
        ("x" * 81, False),
        ("states", False),
        ("states", True),
        ("x.y", True),
        ("x[2]", True),
        ("has space", False),
        ("a-b", True),
        ("x.y.$", False),
        ("x.$", True),  # ".$" marks a path only in JSONPath states
    ],
)
def test_invalid_variable_names(key: str, jsonata: bool) -> None:
    value: JSON = "{% 1 %}" if jsonata else ("$.a" if key.endswith(".$") else 1)
    found = validate(_pass({key: value}, jsonata=jsonata))
    assert [(d.code, d.location) for d in found] == [(SCHEMA_VALIDATION_FAILED, f"{ASSIGN}/{key}")]
    assert "Invalid 'Assign' key" in found[0].message


@pytest.mark.parametrize(
    ("assign", "jsonata"),
    [
        ({"x" * 80: 1}, False),
        ({"变量": 1, "größe": 2, "camelCase9": 3}, True),
        ({"copy.$": "$.a", "literal": {"nested": [1, "two"]}}, False),
        ({"fromVar.$": "$other.field", "other": 1}, False),
        ({"fn.$": "States.Format('{}', $.name)"}, False),
        ({"sum": "{% $sum($states.input.items) %}", "plain": "no expression"}, True),
        ({}, False),
    ],
)
def test_valid_assign_blocks(assign: dict[str, JSON], jsonata: bool) -> None:
    assert validate(_pass(assign, jsonata=jsonata)) == []


def test_assign_in_choice_rules_and_catchers_is_checked() -> None:
    doc: JSON = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"bad-name": 1}, "Next": "C"}],
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% true %}", "Assign": {"1x": 1}, "Next": "D"}],
                "Assign": {"ok": "{% $states.input %}"},
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
        },
    }
    assert _errors(doc) == [
        (SCHEMA_VALIDATION_FAILED, "/States/T/Catch/0/Assign/bad-name"),
        (SCHEMA_VALIDATION_FAILED, "/States/C/Choices/0/Assign/1x"),
    ]


@pytest.mark.parametrize(
    ("assign", "jsonata", "where"),
    [
        ({"x.$": "not a path"}, False, f"{ASSIGN}/x.$"),
        ({"x": {"y.$": "$$$"}}, False, f"{ASSIGN}/x/y.$"),
        ({"x": "{% %}"}, True, f"{ASSIGN}/x"),
        ([1, 2], False, ASSIGN),
        ("{% $states.input %}", True, ASSIGN),  # Assign is an object of names, never one expression
    ],
)
def test_bad_assign_values(assign: JSON, jsonata: bool, where: str) -> None:
    assert _errors(_pass(assign, jsonata=jsonata)) == [(SCHEMA_VALIDATION_FAILED, where)]


def test_succeed_and_fail_states_take_no_assign() -> None:
    # "The following state types support Assign: Pass, Task, Map, Parallel, Choice, Wait."
    doc: JSON = {"StartAt": "A", "States": {"A": {"Type": "Succeed", "Assign": {"x": 1}}}}
    assert _errors(doc) == [(SCHEMA_VALIDATION_FAILED, "/States/A/Assign")]


# -- scopes ------------------------------------------------------------------------------------
def _outer_and_map(inner: dict[str, JSON], *, mode: str = "INLINE", **map_fields: JSON) -> JSON:
    return {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"total": 0}, "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": mode, "ExecutionType": "STANDARD"}
                    if mode == "DISTRIBUTED"
                    else {"Mode": mode},
                    "StartAt": "In",
                    "States": {"In": {"Type": "Pass", **inner, "End": True}},
                },
                **map_fields,
                "End": True,
            },
        },
    }


def test_inner_scope_may_not_assign_a_variable_of_an_outer_scope() -> None:
    # "a variable assigned in an inner scope cannot have the same name as one assigned in an
    # outer scope."
    doc = _outer_and_map({"Assign": {"total": 1}})
    found = validate(doc)
    assert [(d.code, d.location) for d in found] == [
        (SCHEMA_VALIDATION_FAILED, "/States/Each/ItemProcessor/States/In/Assign/total")
    ]
    assert "/States/Set/Assign/total" in found[0].message


def test_the_order_of_states_does_not_hide_the_outer_assignment() -> None:
    doc = _outer_and_map({"Assign": {"late": 1}})
    states = doc["States"]
    states["After"] = {"Type": "Pass", "Assign": {"late": 2}, "End": True}
    states["Each"]["End"] = None
    del states["Each"]["End"]
    states["Each"]["Next"] = "After"
    assert _errors(doc) == [
        (SCHEMA_VALIDATION_FAILED, "/States/Each/ItemProcessor/States/In/Assign/late")
    ]


def test_catch_on_map_assigns_in_the_outer_scope() -> None:
    # "the Assign field in a Catch can assign values to variables in the outer scope".
    catch: JSON = [{"ErrorEquals": ["States.ALL"], "Assign": {"total": -1}, "Next": "Set"}]
    doc = _outer_and_map({"Assign": {"item.$": "$"}}, Catch=catch)
    assert validate(doc) == []


def test_sibling_branches_may_assign_the_same_name() -> None:
    def branch(name: str) -> JSON:
        return {
            "StartAt": name,
            "States": {name: {"Type": "Pass", "Assign": {"v": 1}, "End": True}},
        }

    doc: JSON = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Branches": [branch("B1"), branch("B2")], "End": True}
        },
    }
    assert validate(doc) == []
    assert unresolved_variables(doc) == []


def test_distributed_map_child_is_a_scope_of_its_own() -> None:
    # "Distributed Map states cannot currently reference variables in outer scopes": its child
    # workflow neither sees nor collides with the parent's names.
    doc = _outer_and_map({"Assign": {"total": 1}}, mode="DISTRIBUTED")
    assert validate(doc) == []


# -- unresolved reads (warnings) ---------------------------------------------------------------
def test_unassigned_jsonata_read_is_accepted_but_warned() -> None:
    # LocalStack test_undefined_reference[BASE_UNDEFINED_OUTPUT], recorded on AWS 2024-11-21:
    # created, then failed with States.QueryEvaluationError.
    doc = _machine({"Type": "Pass", "Output": "{% $doesNotExist %}"}, jsonata=True)
    assert validate(doc) == []
    found = unresolved_variables(doc)
    assert [(d.code, d.location, d.severity) for d in found] == [
        (SCHEMA_VALIDATION_FAILED, "/States/A/Output", WARNING)
    ]
    assert "'$doesNotExist'" in found[0].message
    assert str(found[0]).startswith("/States/A/Output: warning: SCHEMA_VALIDATION_FAILED: ")


@pytest.mark.parametrize(
    "expression",
    [
        "{% $states.input.a %}",
        "{% $sum($states.input.n) + $count([1]) %}",
        "{% $uuid() & $hash('x', 'SHA-256') & $partition([1], 1)[0][0] %}",
        "{% ($double := function($v) { $v * 2 }; $double(3)) %}",
        "{% $states.input.items@$item#$pos.{'i': $pos, 'v': $item} %}",
        "{% 'costs $5' & \"or $six\" & `$odd name` /* $comment */ %}",
        "{% $assigned.field %}",
    ],
)
def test_jsonata_reads_that_need_no_assignment(expression: str) -> None:
    doc: JSON = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"assigned": {"field": 1}}, "Next": "A"},
            "A": {"Type": "Pass", "Output": expression, "End": True},
        },
    }
    assert validate(doc) == []
    assert unresolved_variables(doc) == []


@pytest.mark.parametrize(
    ("state", "where"),
    [
        ({"Type": "Pass", "Parameters": {"a.$": "$missing.x"}}, "/States/A/Parameters/a.$"),
        ({"Type": "Pass", "InputPath": "$missing"}, "/States/A/InputPath"),
        ({"Type": "Wait", "SecondsPath": "$missing"}, "/States/A/SecondsPath"),
        (
            {"Type": "Pass", "Parameters": {"s.$": "States.Format('{} $not', $missing)"}},
            "/States/A/Parameters/s.$",
        ),
        ({"Type": "Fail", "CausePath": "$missing"}, "/States/A/CausePath"),
    ],
)
def test_jsonpath_reads_of_unassigned_variables(state: dict[str, JSON], where: str) -> None:
    doc: JSON = {
        "StartAt": "A",
        "States": {"A": state if state["Type"] == "Fail" else {**state, "End": True}},
    }
    assert validate(doc) == []
    assert _warnings(doc) == [where]


def test_choice_variable_and_path_operands_are_reads() -> None:
    rule: JSON = {"Variable": "$a", "NumericEqualsPath": "$b"}
    doc = _machine({"Type": "Pass", "Assign": {"a": 1}, "Next": "C"})
    doc["States"]["A"].pop("End")
    doc["States"]["C"] = {"Type": "Choice", "Choices": [{"Not": rule, "Next": "D"}], "Default": "D"}
    doc["States"]["D"] = {"Type": "Succeed"}
    assert validate(doc) == []
    assert _warnings(doc) == ["/States/C/Choices/0/Not/NumericEqualsPath"]


def test_result_path_and_context_paths_read_no_variable() -> None:
    doc = _machine({"Type": "Pass", "ResultPath": "$.r", "Parameters": {"id.$": "$$.Execution.Id"}})
    assert unresolved_variables(doc) == []


def test_inner_scopes_read_outer_variables_but_not_the_reverse() -> None:
    doc = _outer_and_map({"Assign": {"inner.$": "$total"}})
    doc["States"]["Each"]["ItemSelector"] = {"t.$": "$total", "i.$": "$inner"}
    assert validate(doc) == []
    assert _warnings(doc) == ["/States/Each/ItemSelector/i.$"]


def test_distributed_map_child_cannot_read_the_parent_variables() -> None:
    doc = _outer_and_map({"Parameters": {"t.$": "$total"}}, mode="DISTRIBUTED")
    found = unresolved_variables(doc)
    assert [d.location for d in found] == ["/States/Each/ItemProcessor/States/In/Parameters/t.$"]
    assert "Distributed Map" in found[0].message


# -- ferry validate ----------------------------------------------------------------------------
def _run_validate(
    tmp_path: Path, doc: JSON, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, str, str]:
    path = tmp_path / "machine.asl.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code = main(["validate", *options, str(path)])
    out, err = capsys.readouterr()
    return code, out.replace(str(path), "FILE"), err.replace(str(path), "FILE")


def test_ferry_validate_good_definition(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _outer_and_map({"Assign": {"inner.$": "$total"}})
    assert _run_validate(tmp_path, doc, capsys) == (0, "FILE: valid\n", "")


def test_ferry_validate_bad_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run_validate(tmp_path, _pass({"1st": 1}), capsys)
    assert (code, out) == (1, "")
    assert err.startswith(
        "FILE: /States/A/Assign/1st: SCHEMA_VALIDATION_FAILED: Invalid 'Assign' key"
    )
    assert "must not start with a digit" in err


def test_ferry_validate_scope_clash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run_validate(tmp_path, _outer_and_map({"Assign": {"total": 1}}), capsys)
    assert code == 1
    assert (
        "FILE: /States/Each/ItemProcessor/States/In/Assign/total: SCHEMA_VALIDATION_FAILED: " in err
    )


def test_ferry_validate_warns_but_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _machine({"Type": "Pass", "Output": "{% $nobody %}"}, jsonata=True)
    code, out, err = _run_validate(tmp_path, doc, capsys)
    assert (code, out) == (0, "FILE: valid\n")
    assert err.startswith(
        "FILE: /States/A/Output: warning: SCHEMA_VALIDATION_FAILED: Variable '$nobody'"
    )


def test_ferry_validate_strict_rejects_unassigned_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --strict: a read of a variable that no state can have assigned fails validation (exit 1),
    # though AWS itself accepts the definition and fails only when the read runs.
    doc = _machine({"Type": "Pass", "Output": "{% $nobody %}"}, jsonata=True)
    code, out, err = _run_validate(tmp_path, doc, capsys, "--strict")
    assert (code, out) == (1, "")
    assert "Variable '$nobody'" in err
    good = _outer_and_map({"Assign": {"inner.$": "$total"}})
    assert _run_validate(tmp_path, good, capsys, "--strict") == (0, "FILE: valid\n", "")
