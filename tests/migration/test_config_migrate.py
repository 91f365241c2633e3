"""``ferry config migrate`` / ``verify`` against moto's SSM and Secrets Manager on loopback.

Contract (module docstrings of :mod:`ferry.migration.drivers.config` and
:mod:`ferry.cli.config_cmd`): every key is read back and hash-compared; exit 0 when all match,
1 when one does not, 2 for bad input; secret values never reach stdout, stderr, the report or
logs. Parameter naming and size limits: AWS Systems Manager User Guide, "Creating Parameter
Store parameters in Systems Manager" and PutParameter in the SSM API reference.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from ferry.cli.main import main
from ferry.migration.drivers.config import migrate, verify
from ferry.migration.drivers.config_files import parse_env
from ferry.migration.drivers.config_targets import AwsAccess, Entry
from integrations.test_aws_moto import REGION, moto_server

SECRETS = ("s3cr3t-Pa55word", "tok-9f8e7d6c5b4a", "pw-in-url-77")

ENV_FILE = f"""\
# the application's settings
DB_HOST=db.internal
DB_PORT=5432
DB_PASSWORD="{SECRETS[0]}"
export API_TOKEN={SECRETS[1]}  # rotated monthly
DATABASE_URL=postgres://app:{SECRETS[2]}@db.internal/app
"""


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's server on 127.0.0.1 for this module."""
    with moto_server() as url:
        yield url


@pytest.fixture
def ssm(endpoint: str) -> Any:
    return boto3.client("ssm", region_name=REGION, endpoint_url=endpoint)


@pytest.fixture
def secretsmanager(endpoint: str) -> Any:
    return boto3.client("secretsmanager", region_name=REGION, endpoint_url=endpoint)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.env"
    path.write_text(ENV_FILE, encoding="utf-8")
    return path


def prefix() -> str:
    return f"/test/{uuid.uuid4().hex[:10]}"


def ferry(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def parameters(ssm: Any, path: str) -> dict[str, dict[str, Any]]:
    pages = ssm.get_paginator("get_parameters_by_path").paginate(
        Path=path, Recursive=True, WithDecryption=True
    )
    return {p["Name"]: p for page in pages for p in page["Parameters"]}


def version_ids(secretsmanager: Any, name: str) -> set[str]:
    versions = secretsmanager.list_secret_version_ids(SecretId=name)["Versions"]
    return {version["VersionId"] for version in versions}


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


# --- .env parsing (no AWS) ---------------------------------------------------------------


def test_env_file_syntax() -> None:
    text = (
        'A="line one\\nline two \\"quoted\\""\n'
        "B='literal \\n $HOME'\n"
        "C=plain value # a comment\n"
        "D=a#b\n"
        'E="first\nsecond"\n'
        "export F = spaced \n"
        "A2=\n"
        "C=last wins\n"
    )
    assert parse_env(text, "x.env") == {
        "A": 'line one\nline two "quoted"',
        "B": "literal \\n $HOME",
        "C": "last wins",
        "D": "a#b",
        "E": "first\nsecond",
        "F": "spaced",
        "A2": "",
    }


# --- .env → SSM --------------------------------------------------------------------------


def test_env_to_ssm_types_values_and_report(
    endpoint: str,
    ssm: Any,
    env_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ferry")
    path = prefix()
    code, out, err = ferry(
        capsys, "config", "migrate", str(env_file), f"ssm://{path}", "--endpoint-url", endpoint
    )
    assert (code, err) == (0, "")
    stored = parameters(ssm, path)
    assert {name: (p["Type"], p["Value"]) for name, p in stored.items()} == {
        f"{path}/DB_HOST": ("String", "db.internal"),
        f"{path}/DB_PORT": ("String", "5432"),
        f"{path}/DB_PASSWORD": ("SecureString", SECRETS[0]),
        f"{path}/API_TOKEN": ("SecureString", SECRETS[1]),
        # Not by its name: its value is a URL with a password in it.
        f"{path}/DATABASE_URL": ("SecureString", f"postgres://app:{SECRETS[2]}@db.internal/app"),
    }
    lines = out.splitlines()
    assert lines[0].split() == ["KEY", "ACTION", "TYPE", "SOURCE", "DEST", "STATUS"]
    assert [line.split()[1::4] for line in lines[1:6]] == [["create", "ok"]] * 5
    assert lines[-1] == "5 keys, 5 changed; all match"
    code, report, err = ferry(
        capsys, "config", "verify", str(env_file), f"ssm://{path}", "--endpoint-url", endpoint,
        "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert {k["key"]: k["status"] for k in json.loads(report)["keys"]} == dict.fromkeys(
        ["DB_HOST", "DB_PORT", "DB_PASSWORD", "API_TOKEN", "DATABASE_URL"], "ok"
    )
    assert_no_secret(out, err, report, caplog.text)


def test_second_run_changes_nothing(
    endpoint: str, ssm: Any, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = prefix()
    argv = ("config", "migrate", str(env_file), f"ssm://{path}", "--endpoint-url", endpoint)
    assert ferry(capsys, *argv)[0] == 0
    code, out, _ = ferry(capsys, *argv, "--json")
    assert code == 0
    assert {k["action"] for k in json.loads(out)["keys"]} == {"unchanged"}
    # No new versions were written.
    assert {p["Version"] for p in parameters(ssm, path).values()} == {1}


def test_dry_run_writes_nothing(
    endpoint: str, ssm: Any, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = prefix()
    ssm.put_parameter(Name=f"{path}/DB_HOST", Value="old.internal", Type="String")
    code, out, err = ferry(
        capsys, "config", "migrate", str(env_file), f"ssm://{path}", "--endpoint-url", endpoint,
        "--dry-run", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["dryRun"] is True
    assert {k["key"]: (k["action"], k["type"]) for k in report["keys"]} == {
        "DB_HOST": ("update", "String"),
        "DB_PORT": ("create", "String"),
        "DB_PASSWORD": ("create", "SecureString"),
        "API_TOKEN": ("create", "SecureString"),
        "DATABASE_URL": ("create", "SecureString"),
    }
    assert {name: p["Value"] for name, p in parameters(ssm, path).items()} == {
        f"{path}/DB_HOST": "old.internal"
    }
    assert_no_secret(out)


def test_secret_keys_pattern_replaces_the_default(
    endpoint: str, ssm: Any, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = prefix()
    code, _, _ = ferry(
        capsys, "config", "migrate", str(env_file), f"ssm://{path}", "--endpoint-url", endpoint,
        "--secret-keys", "^DB_",
    )  # fmt: skip
    assert code == 0
    types = {name.rsplit("/", 1)[1]: p["Type"] for name, p in parameters(ssm, path).items()}
    assert types == {
        "DB_HOST": "SecureString",
        "DB_PORT": "SecureString",
        "DB_PASSWORD": "SecureString",
        "API_TOKEN": "String",
        "DATABASE_URL": "SecureString",  # a password in a URL is always a secret
    }


# --- tampering ---------------------------------------------------------------------------


def test_verify_detects_a_tampered_parameter_and_migrate_repairs_it(
    endpoint: str, ssm: Any, env_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = prefix()
    argv = (str(env_file), f"ssm://{path}", "--endpoint-url", endpoint, "--json")
    assert ferry(capsys, "config", "migrate", *argv)[0] == 0
    ssm.put_parameter(
        Name=f"{path}/DB_PASSWORD", Value="tampered", Type="SecureString", Overwrite=True
    )
    code, out, _ = ferry(capsys, "config", "verify", *argv)
    assert code == 1
    statuses = {k["key"]: k["status"] for k in json.loads(out)["keys"]}
    assert statuses.pop("DB_PASSWORD") == "mismatch"
    assert set(statuses.values()) == {"ok"}
    code, out, _ = ferry(capsys, "config", "migrate", *argv)
    assert code == 0
    actions = {k["key"]: k["action"] for k in json.loads(out)["keys"]}
    assert actions["DB_PASSWORD"] == "update"
    assert (
        ssm.get_parameter(Name=f"{path}/DB_PASSWORD", WithDecryption=True)["Parameter"]["Value"]
        == SECRETS[0]
    )


def test_a_value_altered_in_transit_is_reported(endpoint: str, env_file: Path) -> None:
    """A botocore hook changes what PutParameter sends: the read-back must catch it."""
    aws = AwsAccess(endpoint, REGION)

    def corrupt(params: dict[str, Any], **_: Any) -> None:
        if params["Name"].endswith("/DB_PORT"):
            params["Value"] = "5433"

    aws.ssm().meta.events.register("provide-client-params.ssm.PutParameter", corrupt)
    report = migrate(str(env_file), f"ssm://{prefix()}", aws=aws)
    assert not report.ok
    statuses = {r.key: r.status for r in report.keys}
    assert statuses.pop("DB_PORT") == "mismatch"
    assert set(statuses.values()) == {"ok"}
    assert_no_secret(json.dumps(report.to_json()), repr(report))


def test_verify_flags_a_secret_stored_as_plain_string(
    endpoint: str, ssm: Any, env_file: Path
) -> None:
    path = prefix()
    aws = AwsAccess(endpoint, REGION)
    migrate(str(env_file), f"ssm://{path}", aws=aws)
    ssm.delete_parameter(Name=f"{path}/API_TOKEN")
    ssm.put_parameter(Name=f"{path}/API_TOKEN", Value=SECRETS[1], Type="String")
    statuses = {r.key: r.status for r in verify(str(env_file), f"ssm://{path}", aws=aws).keys}
    assert statuses["API_TOKEN"] == "plaintext"
    assert statuses["DB_HOST"] == "ok"


# --- other sources and Secrets Manager ---------------------------------------------------


def test_nested_yaml_to_ssm_hierarchy(
    endpoint: str, ssm: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "settings.yaml"
    source.write_text(
        "db:\n  host: db.internal\n  port: 5432\n  password: hunter2-x\n"
        "features:\n  beta: true\n  regions: [eu, us]\n",
        encoding="utf-8",
    )
    path = prefix()
    code, _, _ = ferry(
        capsys, "config", "migrate", str(source), f"ssm://{path}", "--endpoint-url", endpoint
    )
    assert code == 0
    assert {name: (p["Type"], p["Value"]) for name, p in parameters(ssm, path).items()} == {
        f"{path}/db/host": ("String", "db.internal"),
        f"{path}/db/port": ("String", "5432"),
        f"{path}/db/password": ("SecureString", "hunter2-x"),
        f"{path}/features/beta": ("String", "true"),
        f"{path}/features/regions": ("String", '["eu","us"]'),
    }


def test_ssm_to_ssm_keeps_secure_strings(endpoint: str, ssm: Any) -> None:
    source, target = prefix(), prefix()
    ssm.put_parameter(Name=f"{source}/app/signing", Value="opaque-value", Type="SecureString")
    ssm.put_parameter(Name=f"{source}/app/name", Value="shop", Type="String")
    report = migrate(f"ssm://{source}", f"ssm://{target}", aws=AwsAccess(endpoint, REGION))
    assert report.ok
    stored = parameters(ssm, target)
    assert {name: p["Type"] for name, p in stored.items()} == {
        f"{target}/app/signing": "SecureString",  # secret at the source, whatever its name
        f"{target}/app/name": "String",
    }


def test_json_to_one_secret_idempotent_and_tamper_checked(
    endpoint: str, secretsmanager: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "config.json"
    source.write_text(
        json.dumps({"db": {"user": "app", "password": SECRETS[0]}, "token": SECRETS[1]}),
        encoding="utf-8",
    )
    name = f"app/{uuid.uuid4().hex[:8]}"
    secretsmanager.create_secret(Name=name, SecretString=json.dumps({"kept": "yes"}))
    argv = (str(source), f"secretsmanager://{name}", "--endpoint-url", endpoint, "--json")
    code, out, err = ferry(capsys, "config", "migrate", *argv)
    assert code == 0
    assert json.loads(secretsmanager.get_secret_value(SecretId=name)["SecretString"]) == {
        "kept": "yes",
        "db/user": "app",
        "db/password": SECRETS[0],
        "token": SECRETS[1],
    }
    versions = version_ids(secretsmanager, name)
    code, again, _ = ferry(capsys, "config", "migrate", *argv)
    assert code == 0
    assert {k["action"] for k in json.loads(again)["keys"]} == {"unchanged"}
    assert version_ids(secretsmanager, name) == versions
    secretsmanager.put_secret_value(
        SecretId=name, SecretString=json.dumps({"db/user": "app", "db/password": "x"})
    )
    code, checked, _ = ferry(capsys, "config", "verify", *argv)
    assert code == 1
    assert {k["key"]: k["status"] for k in json.loads(checked)["keys"]} == {
        "db/user": "ok",
        "db/password": "mismatch",
        "token": "missing",
    }
    assert_no_secret(out, err, again, checked)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.json", '{"a": 1,}', "bad.json: not valid JSON (line 1, column 9"),
        ("list.yaml", "- a\n- b\n", "list.yaml: expected an object of keys at the top, found list"),
        ("bad.yaml", "a: [1, 2\n", "bad.yaml: not valid YAML (line 2, column 1"),
        ("null.json", '{"a": {"b": null}}', "null.json: key a/b: null has no value to store"),
        ("app.env", f"OK=1\n{SECRETS[0]}\n", "app.env: line 2: expected KEY=VALUE"),
        ("open.env", f'K="{SECRETS[0]}\n', "open.env: line 1: K: the quoted value is never closed"),
        ("conf.ini", "a=1\n", "conf.ini: cannot tell the format from the name"),
        ("space.yaml", "my key: 1\n", "key my key: not a valid SSM parameter name"),
        ("empty.env", "EMPTY=\n", "key EMPTY: empty value"),
        ("none.json", "{}", "none.json: no keys to migrate"),
    ],
)
def test_bad_source_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    endpoint: str,
    name: str,
    text: str,
    message: str,
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    code, out, err = ferry(
        capsys, "config", "migrate", str(source), f"ssm://{prefix()}", "--endpoint-url", endpoint
    )
    assert (code, out) == (2, "")
    assert err.startswith("ferry: ")
    assert message in err
    assert len(err.splitlines()) == 1
    assert_no_secret(err)


@pytest.mark.parametrize(
    ("source", "dest", "message"),
    [
        ("missing.env", "ssm:///x", "missing.env: no such file"),
        ("{file}", "s3://bucket/x", "a destination must be ssm:///PREFIX or secretsmanager://"),
        ("{file}", "ssm://app/x", "expected ssm:///PREFIX (three slashes"),
        ("{file}", "ssm:///bad path", "the path may use only a-zA-Z0-9_.- and single slashes"),
        ("{file}", "ssm:///aws/x", "may not begin with aws or ssm"),
        ("{file}", "secretsmanager://", "expected secretsmanager://NAME"),
        ("ssm:///nothing/here", "ssm:///x", "ssm:///nothing/here: no keys to migrate"),
        ("secretsmanager://absent", "ssm:///x", "secretsmanager://absent: no such secret"),
    ],
)
def test_bad_locations(
    env_file: Path,
    capsys: pytest.CaptureFixture[str],
    endpoint: str,
    source: str,
    dest: str,
    message: str,
) -> None:
    source = source.replace("{file}", str(env_file))
    code, _, err = ferry(capsys, "config", "migrate", source, dest, "--endpoint-url", endpoint)
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1


def test_unreachable_endpoint_is_a_clear_error(
    env_file: Path, capsys: pytest.CaptureFixture[str], endpoint: str
) -> None:
    # Port 9 (discard) is closed on loopback: the connection is refused at once.
    code, _, err = ferry(
        capsys, "config", "migrate", str(env_file), "ssm:///x", "--endpoint-url",
        "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2
    assert "ssm:///x/DB_HOST: cannot reach the endpoint" in err
    assert len(err.splitlines()) == 1


def test_endpoint_from_botocore_environment(
    endpoint: str,
    ssm: Any,
    env_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    path = prefix()
    code, _, err = ferry(capsys, "config", "migrate", str(env_file), f"ssm://{path}")
    assert (code, err) == (0, "")
    assert len(parameters(ssm, path)) == 5


def test_entries_never_show_their_value() -> None:
    entry = Entry("DB_PASSWORD", SECRETS[0], secret=True)
    assert SECRETS[0] not in repr(entry)
    assert SECRETS[0] not in str(entry)
