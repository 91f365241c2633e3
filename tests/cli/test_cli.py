"""The ``ferry`` command line, called in-process through ``main(argv)``, plus one run of the
installed console script in a real subprocess.

Contract (module docstring of :mod:`ferry.cli.main`): exit 0 on success; 1 for a failed
execution or an invalid definition; 2 for bad usage or input — and never a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ferry.cli.main import main
from ferry.jsontypes import JSON

ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# Echoes its input together with what the context object says about the execution.
CONTEXT_PASS = {
    "StartAt": "Describe",
    "States": {
        "Describe": {
            "Type": "Pass",
            "Parameters": {
                "input.$": "$",
                "name.$": "$$.Execution.Name",
                "id.$": "$$.Execution.Id",
                "machine.$": "$$.StateMachine.Name",
            },
            "End": True,
        }
    },
}

FAIL_YAML = """\
StartAt: Refuse
States:
  Refuse:
    Type: Fail
    Error: Order.Rejected
    Cause: the order has no lines
"""

UNREACHABLE = {"StartAt": "Missing", "States": {"Only": {"Type": "Pass", "End": True}}}


class Cli:
    """Runs ``main`` in-process and captures what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.out = ""
        self.err = ""

    def __call__(self, *argv: str | Path) -> int:
        code = main([str(arg) for arg in argv])
        self.out, self.err = self.capsys.readouterr()
        assert "Traceback" not in self.err
        return code


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def _write(path: Path, document: JSON | str) -> Path:
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return path


# -- ferry run: results ---------------------------------------------------------------------
def test_run_prints_the_output_and_exits_zero(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "order.asl.json", CONTEXT_PASS)
    assert cli("run", definition, "--input", '{"id": 7}', "--name", "night-run") == 0
    output = json.loads(cli.out)
    assert output["input"] == {"id": 7}
    assert output["name"] == "night-run"
    assert output["id"].endswith(":execution:order:night-run")
    assert output["machine"] == "order"  # the file name up to its first dot
    assert cli.err == ""


def test_run_without_input_starts_from_an_empty_object(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    assert cli("run", definition) == 0
    assert json.loads(cli.out)["input"] == {}


def test_failed_execution_prints_error_and_cause_and_exits_one(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "refuse.yaml", FAIL_YAML)
    assert cli("run", definition) == 1
    assert cli.out == ""
    assert "Order.Rejected" in cli.err
    assert "the order has no lines" in cli.err


def test_json_prints_status_output_error_and_cause(cli: Cli, tmp_path: Path) -> None:
    failing = _write(tmp_path / "refuse.yaml", FAIL_YAML)
    assert cli("run", failing, "--json") == 1
    assert json.loads(cli.out) == {
        "status": "FAILED",
        "output": None,
        "error": "Order.Rejected",
        "cause": "the order has no lines",
    }
    passing = _write(tmp_path / "ok.json", CONTEXT_PASS)
    assert cli("run", passing, "--json", "--input", "[1]") == 0
    summary = json.loads(cli.out)
    assert (summary["status"], summary["error"], summary["cause"]) == ("SUCCEEDED", None, None)
    assert summary["output"]["input"] == [1]


def test_history_prints_the_events_with_iso_timestamps(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    assert cli("run", definition, "--history") == 0
    events = json.loads(cli.out)
    assert isinstance(events, list)
    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["id"] for event in events] == [1, 2, 3, 4]
    for event in events:
        assert ISO_MILLIS.match(event["timestamp"]), event["timestamp"]


def test_input_from_a_file(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    data = _write(tmp_path / "in.json", {"lines": [1, 2], "note": "ça"})
    assert cli("run", definition, "--input", f"@{data}") == 0
    assert json.loads(cli.out)["input"] == {"lines": [1, 2], "note": "ça"}


def test_functions_dir_runs_local_handlers(cli: Cli, tmp_path: Path) -> None:
    functions = tmp_path / "functions"
    functions.mkdir()
    handler = """
        def handler(event, context):
            return {"total": sum(event["lines"]), "by": context.function_name}
    """
    _write(functions / "total.py", textwrap.dedent(handler))
    task = {
        "Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:total",
        "End": True,
    }
    definition = _write(tmp_path / "m.json", {"StartAt": "Sum", "States": {"Sum": task}})
    code = cli("run", definition, "--functions", functions, "--input", '{"lines": [2, 3]}')
    assert code == 0
    assert json.loads(cli.out) == {"total": 5, "by": "total"}


def test_yaml_definition_runs(cli: Cli, tmp_path: Path) -> None:
    yaml_text = """\
        StartAt: Greet
        States:
          Greet:
            Type: Pass
            Result: {greeting: hello}
            ResultPath: $.out
            End: true
    """
    definition = _write(tmp_path / "greet.yaml", textwrap.dedent(yaml_text))
    assert cli("run", definition, "--input", '{"who": "you"}') == 0
    assert json.loads(cli.out) == {"who": "you", "out": {"greeting": "hello"}}


# -- ferry run: bad input -------------------------------------------------------------------
def test_malformed_input_json_names_input_and_position(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    assert cli("run", definition, "--input", '{"a":\n  }') == 2
    assert cli.out == ""
    lines = cli.err.strip().splitlines()
    assert len(lines) == 1
    assert "--input" in lines[0]
    assert "line 2" in lines[0]
    assert "column 3" in lines[0]


def test_malformed_input_file_names_the_file(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    data = _write(tmp_path / "in.json", "[1, 2,,]")
    assert cli("run", definition, "--input", f"@{data}") == 2
    assert str(data) in cli.err
    assert "line 1, column 7" in cli.err


def test_missing_input_file_exits_two(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    assert cli("run", definition, "--input", f"@{tmp_path / 'absent.json'}") == 2
    assert "absent.json" in cli.err


def test_missing_definition_file_exits_two(cli: Cli, tmp_path: Path) -> None:
    assert cli("run", tmp_path / "nowhere.json") == 2
    assert "nowhere.json" in cli.err
    assert len(cli.err.strip().splitlines()) == 1


def test_invalid_definition_prints_located_diagnostics(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "broken.json", UNREACHABLE)
    assert cli("run", definition) == 1
    assert cli.out == ""
    lines = cli.err.strip().splitlines()
    assert f"{definition}: /StartAt: MISSING_TRANSITION_TARGET: " in cli.err
    for line in lines:
        assert re.match(rf"^{re.escape(str(definition))}: /\S*: [A-Z_]+: .+", line), line


def test_functions_that_is_not_a_directory_exits_two(cli: Cli, tmp_path: Path) -> None:
    definition = _write(tmp_path / "m.json", CONTEXT_PASS)
    not_a_dir = _write(tmp_path / "file.txt", "x")
    assert cli("run", definition, "--functions", not_a_dir) == 2
    assert "--functions" in cli.err
    assert cli("run", definition, "--functions", tmp_path / "absent") == 2


def test_non_utf8_definition_exits_two_with_a_message(cli: Cli, tmp_path: Path) -> None:
    definition = tmp_path / "latin1.json"
    definition.write_bytes(b'{"Comment": "caf\xe9"}')
    assert cli("run", definition) == 2
    assert "UTF-8" in cli.err


def test_usage_error_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run"])  # no definition
    assert exited.value.code == 2
    assert "definition" in capsys.readouterr().err


# -- ferry validate --------------------------------------------------------------------------
def test_validate_reports_each_file(cli: Cli, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", CONTEXT_PASS)
    also_good = _write(tmp_path / "fail.yaml", FAIL_YAML)
    bad = _write(tmp_path / "bad.json", UNREACHABLE)
    assert cli("validate", good, bad, also_good) == 1
    assert cli.out.splitlines() == [f"{good}: valid", f"{also_good}: valid"]
    assert f"{bad}: /StartAt: MISSING_TRANSITION_TARGET: " in cli.err
    assert str(good) not in cli.err


def test_validate_all_good_exits_zero(cli: Cli, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", CONTEXT_PASS)
    assert cli("validate", good) == 0
    assert cli.err == ""


def test_validate_truncated_json_is_invalid_json_description(cli: Cli, tmp_path: Path) -> None:
    truncated = _write(tmp_path / "cut.json", json.dumps(CONTEXT_PASS)[:40])
    assert cli("validate", truncated) == 1
    assert f"{truncated}: /: INVALID_JSON_DESCRIPTION: " in cli.err
    assert "line 1, column" in cli.err


def test_validate_non_utf8_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    good = _write(tmp_path / "good.json", CONTEXT_PASS)
    assert cli("validate", binary, good) == 1
    assert str(binary) in cli.err
    assert "utf-8" in cli.err.lower()
    assert f"{good}: valid" in cli.out  # later files are still checked


def test_validate_missing_file_is_reported(cli: Cli, tmp_path: Path) -> None:
    assert cli("validate", tmp_path / "absent.json") == 1
    assert "absent.json" in cli.err


# -- the installed console script -----------------------------------------------------------
def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ferry")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ferry.cli.main"]
    definition = _write(tmp_path / "order.json", CONTEXT_PASS)
    ok = subprocess.run(
        [*command, "run", str(definition), "--input", '{"id": 1}', "--name", "sub"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert json.loads(ok.stdout)["name"] == "sub"
    bad = subprocess.run(
        [*command, "run", str(definition), "--input", "{oops"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "--input" in bad.stderr
    assert "Traceback" not in bad.stderr
