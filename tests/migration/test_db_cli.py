"""``ferry db copy|verify`` from the command line, and URL parsing with passwords hidden."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ferry.cli.main import main
from ferry.errors import ConfigError
from ferry.migration.drivers.db.urls import parse_url
from migration.db_support import SQLITE_SOURCE, pg, pg_schema, sqlite_db

__all__ = ["pg_schema"]

MakeSchema = Callable[[], str]
SECRET = "s3cr%40t-pw"  # URL-encoded "s3cr@t-pw"


def test_urls_parse_in_sqlalchemy_style() -> None:
    url = parse_url(f"postgresql+psycopg://me:{SECRET}@db.local:6543/app?sslmode=disable")
    assert (url.dialect, url.host, url.port, url.user, url.password, url.database) == (
        "postgresql",
        "db.local",
        6543,
        "me",
        "s3cr@t-pw",
        "app",
    )
    assert url.redacted == "postgresql+psycopg://me:***@db.local:6543/app?sslmode=disable"
    assert url.libpq() == f"postgresql://me:{SECRET}@db.local:6543/app?sslmode=disable"
    assert parse_url("mariadb://root@127.0.0.1/test").dialect == "mysql"
    assert parse_url("sqlite:////var/data/app.db").path == "/var/data/app.db"
    assert parse_url("sqlite:///rel/app.db").path == "rel/app.db"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"oracle://me:{SECRET}@h/db", "unsupported database URL 'oracle://me:***@h/db'"),
        (f"postgresql+odbc://me:{SECRET}@h/db", "unknown driver 'odbc'"),
        (f"postgresql://me:{SECRET}@h", "bad database URL 'postgresql://me:***@h'"),
        (f"mysql://me:{SECRET}@h:port/db", "bad database URL 'mysql://me:***@h:port/db'"),
        ("sqlite://host/x.db", "no host"),
        ("sqlite:///", "no database path"),
    ],
)
def test_bad_urls_are_refused_without_the_password(url: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_url(url)
    assert expected in str(caught.value)
    assert "s3cr" not in str(caught.value)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_copy_then_verify_then_catch_a_change(
    pg_schema: MakeSchema, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_db(tmp_path / "s.db", SQLITE_SOURCE)
    target = pg_schema()
    code, out, err = run(["db", "copy", source, target, "--chunk-rows", "5"], capsys)
    assert code == 0, err
    assert "item: 23 rows (5 chunks)" in out
    assert "warning: table 'loose' has no primary key: reloaded whole" in err
    code, out, _ = run(["db", "verify", source, target], capsys)
    assert (code, out.splitlines()[0]) == (0, "item: ok (source 23, target 23)")
    with pg(target) as conn:
        conn.execute("UPDATE item SET ratio = 2.5 WHERE id = 7")
    code, out, _ = run(
        ["db", "verify", source, target, "--chunk-rows", "5", "--tables", "item"], capsys
    )
    assert code == 1
    assert out.splitlines() == [
        "item: MISMATCH (source 23, target 23)",
        "  keys ([5], [10]]: source 5 rows, target 5 rows, checksums differ",
    ]


def test_unreachable_host_names_it_without_password(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    target = f"postgresql://me:{SECRET}@127.0.0.1:1/db"
    code, out, err = run(["db", "copy", "sqlite:///nowhere.db", target], capsys)
    assert code == 2
    assert err.startswith("ferry: cannot open sqlite:///nowhere.db: no such file")
    code, out, err = run(["db", "verify", target, target], capsys)
    assert code == 2
    assert err.startswith("ferry: cannot connect to postgresql://me:***@127.0.0.1:1/db: ")
    assert "s3cr" not in err + out
    assert "Traceback" not in err


def test_missing_table_is_named(
    pg_schema: MakeSchema, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = sqlite_db(tmp_path / "s.db", SQLITE_SOURCE)
    code, _, err = run(["db", "copy", source, pg_schema(), "--tables", "item,nope"], capsys)
    assert code == 1
    assert err == f"ferry: {source}: no table 'nope'\n"
