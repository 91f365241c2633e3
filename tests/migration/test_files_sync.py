"""``ferry files sync``: local and S3 (moto's server on loopback) on either side.

Verify modes and what they read follow DataSync's VerifyMode (AWS DataSync API reference,
"Options": ONLY_FILES_TRANSFERRED, POINT_IN_TIME_CONSISTENT, NONE). S3 multipart ETags are not
MD5s (Amazon S3 User Guide, "Checking object integrity"), hence the SHA-256 kept in metadata.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from distributed.conftest import moto_endpoint, s3_client
from ferry.cli.main import main
from ferry.errors import ConfigError, InputError
from ferry.migration.drivers.files import MULTIPART_BYTES, sync
from ferry.migration.drivers.files_trees import LocalTree

__all__ = ["moto_endpoint", "s3_client"]

FILES = {
    "a.txt": b"alpha\n",
    "dir/b.bin": bytes(range(256)) * 40,
    "dir/deeper/c.txt": b"gamma" * 1000,
    "empty": b"",
}


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` under ``root``."""
    for key, data in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def read_tree(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` by POSIX key."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_bucket(client: Any, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every object under ``prefix`` by key relative to it."""
    listing = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {
        item["Key"][len(prefix) :]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


@pytest.fixture
def bucket(s3_client: Any) -> str:
    """A fresh bucket on the moto server."""
    name = f"sync-{uuid.uuid4().hex[:10]}"
    s3_client.create_bucket(Bucket=name)
    return name


def test_local_to_local_copies_then_second_run_transfers_nothing(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    first = sync(str(src), str(tmp_path / "dst"))
    assert sorted(first.transferred) == sorted(FILES)
    assert first.bytes_transferred == sum(len(d) for d in FILES.values())
    assert read_tree(tmp_path / "dst") == FILES
    second = sync(str(src), str(tmp_path / "dst"))
    assert second.transferred == []
    assert sorted(second.unchanged) == sorted(FILES)


def test_changed_content_of_same_size_is_transferred_again(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    sync(str(src), str(tmp_path / "dst"))
    (src / "a.txt").write_bytes(b"ALPHA\n")
    report = sync(str(src), str(tmp_path / "dst"))
    assert report.transferred == ["a.txt"]
    assert (tmp_path / "dst" / "a.txt").read_bytes() == b"ALPHA\n"


def test_extra_files_are_deleted_only_with_delete(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    make_tree(tmp_path / "dst", {"old/stale.txt": b"stale"})
    kept = sync(str(src), str(tmp_path / "dst"))
    assert kept.extra == ["old/stale.txt"]
    assert (tmp_path / "dst" / "old" / "stale.txt").exists()
    removed = sync(str(src), str(tmp_path / "dst"), delete=True)
    assert removed.deleted == ["old/stale.txt"]
    assert read_tree(tmp_path / "dst") == FILES


def test_symlink_escaping_the_source_is_rejected_before_any_write(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    (tmp_path / "secret").write_text("outside")
    (src / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(InputError, match="symlink leads outside"):
        sync(str(src), str(tmp_path / "dst"))
    assert not (tmp_path / "dst").exists()


def test_symlinked_destination_directory_escaping_the_root_is_not_written(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", {"dir/x.txt": b"x"})
    (tmp_path / "dst").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "dst" / "dir").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="leads outside"):
        sync(str(src), str(tmp_path / "dst"))
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("key", ["../escape.txt", "/abs.txt", "a/../../b", "a//b", "./a"])
def test_s3_key_that_would_escape_the_destination_is_rejected(
    s3_client: Any, bucket: str, tmp_path: Path, key: str
) -> None:
    s3_client.put_object(Bucket=bucket, Key="p/" + key, Body=b"bad")
    with pytest.raises(InputError, match="unsafe path"):
        sync(f"s3://{bucket}/p", str(tmp_path / "dst"), s3_client=s3_client)
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "dst").exists()


def test_local_to_s3_incremental_and_multipart(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    files = {**FILES, "big.bin": os.urandom(MULTIPART_BYTES + 1024)}
    src = make_tree(tmp_path / "src", files)
    first = sync(str(src), f"s3://{bucket}/backup", s3_client=s3_client)
    assert sorted(first.transferred) == sorted(files)
    assert read_bucket(s3_client, bucket, "backup/") == files
    head = s3_client.head_object(Bucket=bucket, Key="backup/big.bin")
    assert head["ETag"].strip('"').endswith("-2")  # multipart: the ETag is not an MD5
    assert head["Metadata"]["ferry-sha256"] == hashlib.sha256(files["big.bin"]).hexdigest()
    second = sync(str(src), f"s3://{bucket}/backup", s3_client=s3_client)
    assert second.transferred == []
    assert sorted(second.unchanged) == sorted(files)


def test_s3_to_local_and_back_is_incremental(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    for key, data in FILES.items():
        s3_client.put_object(Bucket=bucket, Key="in/" + key, Body=data)
    s3_client.put_object(Bucket=bucket, Key="in/folder/", Body=b"")  # a console folder marker
    first = sync(f"s3://{bucket}/in/", str(tmp_path / "dst"), s3_client=s3_client)
    assert sorted(first.transferred) == sorted(FILES)
    assert read_tree(tmp_path / "dst") == FILES
    # Objects put without Ferry's metadata compare by their single-part ETag (an MD5).
    second = sync(f"s3://{bucket}/in/", str(tmp_path / "dst"), s3_client=s3_client)
    assert second.transferred == []


def test_verify_all_catches_a_corrupted_object_the_incremental_check_trusts(
    s3_client: Any, bucket: str, tmp_path: Path
) -> None:
    src = make_tree(tmp_path / "src", FILES)
    sync(str(src), f"s3://{bucket}", s3_client=s3_client)
    good = hashlib.sha256(FILES["a.txt"]).hexdigest()
    # Same size, and metadata still claiming the old SHA-256: only reading the bytes tells.
    s3_client.put_object(
        Bucket=bucket, Key="a.txt", Body=b"ALPHA\n", Metadata={"ferry-sha256": good}
    )
    trusting = sync(str(src), f"s3://{bucket}", s3_client=s3_client)
    assert trusting.ok
    assert trusting.transferred == []
    checked = sync(str(src), f"s3://{bucket}", s3_client=s3_client, verify="all")
    assert list(checked.verify_failed) == ["a.txt"]
    assert not checked.ok


def test_resume_from_manifest_after_an_interrupted_run(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", {f"f{i:02}.txt": f"file {i}".encode() for i in range(10)})
    manifest = tmp_path / "sync.manifest"
    seen: list[str] = []

    def interrupt_after_three(key: str, outcome: str, size: int) -> None:
        seen.append(key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(
            str(src),
            str(tmp_path / "dst"),
            parallel=1,
            manifest=manifest,
            progress=interrupt_after_three,
        )
    resumed = sync(str(src), str(tmp_path / "dst"), manifest=manifest)
    assert sorted(resumed.resumed) == seen
    assert sorted(resumed.transferred) == sorted(set(read_tree(src)) - set(seen))
    assert read_tree(tmp_path / "dst") == read_tree(src)


def test_manifest_of_another_sync_is_refused(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    manifest = tmp_path / "m.jsonl"
    sync(str(src), str(tmp_path / "one"), manifest=manifest)
    with pytest.raises(ConfigError, match="not a manifest of this sync"):
        sync(str(src), str(tmp_path / "two"), manifest=manifest)


def test_manifest_with_a_torn_last_line_still_loads(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    manifest = tmp_path / "m.jsonl"
    sync(str(src), str(tmp_path / "dst"), manifest=manifest)
    with manifest.open("a") as handle:
        handle.write('{"key": "a.t')
    assert sorted(sync(str(src), str(tmp_path / "dst"), manifest=manifest).resumed) == sorted(FILES)


def test_cli_sync_prints_a_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = make_tree(tmp_path / "src", FILES)
    code = main(["files", "sync", str(src), str(tmp_path / "dst"), "--json", "--parallel", "2"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["transferred"] == sorted(FILES)
    assert report["ok"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parallel", "0"], "parallel: expected a positive number"),
        (["--manifest", "{tmp}/src/a.txt/x"], "cannot write the manifest"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    src = make_tree(tmp_path / "src", FILES)
    argv = ["files", "sync", str(src), str(tmp_path / "dst")]
    argv += [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_overlapping_source_and_destination_are_refused(tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    with pytest.raises(InputError, match="overlap"):
        sync(str(src), str(src / "copy"))


class CorruptingTree(LocalTree):
    """A source whose bytes are altered in transit (one flipped byte in ``a.txt``)."""

    def fetch(self, key: str, into: Path) -> None:
        super().fetch(key, into)
        if key == "a.txt":
            data = bytearray(into.read_bytes())
            data[0] ^= 0xFF
            into.write_bytes(bytes(data))


def test_verify_only_transferred_catches_corruption_in_transit(tmp_path: Path) -> None:
    make_tree(tmp_path / "src", FILES)
    report = sync(CorruptingTree(tmp_path / "src"), str(tmp_path / "dst"))
    assert list(report.verify_failed) == ["a.txt"]
    assert "SHA256 after transfer" in report.verify_failed["a.txt"]
    assert not (tmp_path / "dst" / "a.txt").exists()  # the bad copy never took the name
    assert sorted(report.transferred) == sorted(set(FILES) - {"a.txt"})


def test_verify_none_does_not_read_back(tmp_path: Path) -> None:
    make_tree(tmp_path / "src", FILES)
    report = sync(CorruptingTree(tmp_path / "src"), str(tmp_path / "dst"), verify="none")
    assert report.ok
    assert (tmp_path / "dst" / "a.txt").read_bytes() != FILES["a.txt"]


def test_s3_to_s3(s3_client: Any, bucket: str, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", FILES)
    sync(str(src), f"s3://{bucket}/one", s3_client=s3_client)
    report = sync(f"s3://{bucket}/one", f"s3://{bucket}/two", s3_client=s3_client)
    assert sorted(report.transferred) == sorted(FILES)
    assert read_bucket(s3_client, bucket, "two/") == FILES
    again = sync(f"s3://{bucket}/one", f"s3://{bucket}/two", s3_client=s3_client)
    assert again.transferred == []


def test_cli_s3_uses_the_endpoint_from_the_environment(
    moto_endpoint: str,
    s3_client: Any,
    bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    src = make_tree(tmp_path / "src", FILES)
    assert main(["files", "sync", str(src), f"s3://{bucket}/x", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["transferred"] == sorted(FILES)
    assert read_bucket(s3_client, bucket, "x/") == FILES
    missing = f"s3://{bucket}-missing/x"
    assert main(["files", "sync", str(src), missing]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ferry: {missing}/: NoSuchBucket")
    assert "Traceback" not in err


def test_cli_exit_1_when_verification_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = make_tree(tmp_path / "src", FILES)
    sync(str(src), str(tmp_path / "dst"))
    (tmp_path / "dst" / "a.txt").write_bytes(b"ALPHA\n")
    manifest = tmp_path / "m.jsonl"
    sync(str(src), str(tmp_path / "dst"), manifest=manifest)  # repairs a.txt, records all
    (tmp_path / "dst" / "a.txt").write_bytes(b"ALPHA\n")  # corrupted after the manifest
    argv = ["files", "sync", str(src), str(tmp_path / "dst"), "--manifest", str(manifest)]
    assert main([*argv, "--verify", "all"]) == 1
    assert "verification failed: a.txt" in capsys.readouterr().err
