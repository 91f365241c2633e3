"""The two sides of ``ferry files sync``: a local directory tree and an S3 prefix.

Both list their files as :class:`Entry` values keyed by a relative POSIX path, tell what they
know of a file's content (:func:`digests`), read it back in full (``content_sha256``), receive a
file and delete one. Every key is checked by :func:`check_key` before it is used to build a
destination path, and a local destination never writes through a symlink that leaves its root.

Checksums, honestly: a local file's SHA-256 and MD5 are computed from its bytes. An S3 object's
ETag is the MD5 of its bytes only for single-part uploads without SSE-KMS/SSE-C; a multipart
ETag (``"...-N"``) is an MD5 of part MD5s, useless for comparison. Ferry therefore stores the
whole-object SHA-256 it computed in the object's metadata (``x-amz-meta-ferry-sha256``) and
uploads with ``ChecksumAlgorithm=SHA256`` so S3 checks every part in flight; it compares by
that SHA-256 first, by a full-object ``ChecksumSHA256`` next, and by a non-multipart ETag last.
A wrong ETag guess can only cause an extra transfer, never a skipped change.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ferry.errors import InputError

if TYPE_CHECKING:
    from boto3.s3.transfer import TransferConfig
    from mypy_boto3_s3 import S3Client

PART_SUFFIX = ".ferry-part"
META_SHA256 = "ferry-sha256"
_CHUNK = 1024 * 1024

Digests = dict[str, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a tree: its key, size and a stamp that changes when the file does."""

    key: str
    size: int
    stamp: str


class Tree(Protocol):
    """One side of a sync."""

    def describe(self, key: str = "") -> str:
        """The location of ``key`` (or of the root) for messages."""
        ...

    def list(self) -> dict[str, Entry]:
        """Every file under the root, by key."""
        ...

    def digests(self, entry: Entry) -> Digests:
        """What is known of the content: ``{"sha256": hex, "md5": hex}``, either may be absent."""
        ...

    def content_sha256(self, key: str) -> str:
        """The SHA-256 of the file's bytes, read in full."""
        ...

    def fetch(self, key: str, into: Path) -> None:
        """Write the file's bytes to the local path ``into``."""
        ...

    def receive(self, key: str, source: Tree, expected: Digests, *, verify: bool) -> str:
        """Copy ``key`` from ``source``; return the SHA-256 of what was written.

        With ``verify``, what was written is read back. Raises :class:`VerifyError` when it
        differs from ``expected`` (the source's digests, possibly empty: nothing to compare);
        a local tree then leaves nothing under the key's name.
        """
        ...

    def delete(self, key: str) -> None:
        """Remove the file."""
        ...


class VerifyError(Exception):
    """A transferred file's checksum differs from its source's."""

    def __init__(self, key: str, expected: Digests, actual: Digests) -> None:
        algorithm = "sha256" if "sha256" in expected else "md5"
        super().__init__(
            f"{key}: {algorithm.upper()} after transfer is {actual.get(algorithm)}, "
            f"the source's is {expected.get(algorithm)}"
        )
        self.key = key


def check_key(key: str, where: str) -> str:
    """Reject a key that could name a path outside the destination root.

    Raises:
        InputError: the key is empty, absolute, or has an empty, ``.`` or ``..`` segment.
    """
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise InputError(
            f"{where}: unsafe path {key!r}: expected a relative path without '.', '..' or "
            "empty segments (it would write outside the destination root)"
        )
    return key


def file_digests(path: Path) -> Digests:
    """SHA-256 and MD5 of a local file, in one pass."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            md5.update(chunk)
    return {"sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def same_content(left: Digests, right: Digests) -> bool:
    """Equal by the strongest checksum both sides know; unknown counts as different."""
    for algorithm in ("sha256", "md5"):
        if algorithm in left and algorithm in right:
            return left[algorithm] == right[algorithm]
    return False


def _comparable(left: Digests, right: Digests) -> bool:
    return bool(left.keys() & right.keys())


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class LocalTree:
    """A directory on this machine."""

    def __init__(self, root: Path) -> None:
        """A tree rooted at ``root`` (created on first write if it does not exist)."""
        self.root = root

    def describe(self, key: str = "") -> str:
        """The path of ``key``."""
        return str(self.root / key) if key else str(self.root)

    def list(self) -> dict[str, Entry]:
        """Regular files under the root; symlinks to files inside it count as files.

        Raises:
            InputError: a symlink leads outside the root.
        """
        if not self.root.exists():
            return {}
        if not self.root.is_dir():
            raise InputError(f"{self.root}: expected a directory")
        real_root = os.path.realpath(self.root)
        entries: dict[str, Entry] = {}
        for folder, dirs, files in os.walk(self.root, onerror=_raise_walk_error):
            for name in [*dirs, *files]:
                path = Path(folder, name)
                if path.is_symlink() and not _inside(os.path.realpath(path), real_root):
                    raise InputError(f"{path}: symlink leads outside {self.root}; refusing to sync")
            for name in files:
                if name.endswith(PART_SUFFIX):
                    continue
                path = Path(folder, name)
                info = path.stat()
                if stat.S_ISREG(info.st_mode):
                    key = path.relative_to(self.root).as_posix()
                    stamp = f"{info.st_size}:{info.st_mtime_ns}"
                    entries[key] = Entry(key, info.st_size, stamp)
        return entries

    def digests(self, entry: Entry) -> Digests:
        """SHA-256 and MD5 of the file's bytes."""
        return file_digests(self.path(entry.key))

    def content_sha256(self, key: str) -> str:
        """SHA-256 of the file's bytes."""
        return file_digests(self.path(key))["sha256"]

    def path(self, key: str) -> Path:
        """The file of ``key``, checked to stay inside the root."""
        return self.root.joinpath(*check_key(key, self.describe()).split("/"))

    def fetch(self, key: str, into: Path) -> None:
        """Copy the file to ``into``."""
        with self.path(key).open("rb") as src, into.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                dst.write(chunk)

    def receive(self, key: str, source: Tree, expected: Digests, *, verify: bool) -> str:
        """Fetch into a part file beside the target, check it, then rename it into place."""
        target = self._writable(key)
        part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}{PART_SUFFIX}")
        try:
            source.fetch(key, part)
            written = file_digests(part)
            if verify and _comparable(expected, written) and not same_content(expected, written):
                raise VerifyError(key, expected, written)
            part.replace(target)
        finally:
            part.unlink(missing_ok=True)
        return written["sha256"]

    def _writable(self, key: str) -> Path:
        target = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        real_root = os.path.realpath(self.root)
        ancestor = target.parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        if not _inside(os.path.realpath(ancestor), real_root):
            raise InputError(f"{target}: a symlink in the destination leads outside {self.root}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            raise InputError(f"{target}: is a directory in the destination, expected a file")
        return target

    def delete(self, key: str) -> None:
        """Remove the file."""
        self.path(key).unlink(missing_ok=True)


def _raise_walk_error(error: OSError) -> None:
    raise InputError(f"{error.filename}: cannot read the directory: {error.strerror}")


class S3Tree:
    """The objects under ``s3://bucket/prefix``."""

    def __init__(self, client: S3Client, bucket: str, prefix: str, config: TransferConfig) -> None:
        """A tree of ``bucket``'s keys under ``prefix`` ('' or ending in '/')."""
        self.client, self.bucket, self.prefix, self.config = client, bucket, prefix, config

    def describe(self, key: str = "") -> str:
        """The ``s3://`` URL of ``key``."""
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def list(self) -> dict[str, Entry]:
        """Every object under the prefix except folder markers (keys ending in '/')."""
        entries: dict[str, Entry] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                if key.endswith("/") and item["Size"] == 0:
                    continue
                check_key(key, self.describe())
                entries[key] = Entry(key, item["Size"], item["ETag"].strip('"'))
        return entries

    def digests(self, entry: Entry) -> Digests:
        """Ferry's stored SHA-256, a full-object ChecksumSHA256, or a single-part ETag."""
        head = self.client.head_object(
            Bucket=self.bucket, Key=self.prefix + entry.key, ChecksumMode="ENABLED"
        )
        found: Digests = {}
        stored = head.get("Metadata", {}).get(META_SHA256)
        checksum = head.get("ChecksumSHA256", "")
        if stored:
            found["sha256"] = stored
        elif checksum and "-" not in checksum and head.get("ChecksumType") != "COMPOSITE":
            with contextlib.suppress(binascii.Error):
                found["sha256"] = base64.b64decode(checksum).hex()
        etag = head.get("ETag", "").strip('"')
        if "-" not in etag and len(etag) == 32:
            found["md5"] = etag
        return found

    def content_sha256(self, key: str) -> str:
        """SHA-256 of the object's bytes, streamed."""
        body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
        sha = hashlib.sha256()
        for chunk in body.iter_chunks(_CHUNK):
            sha.update(chunk)
        return sha.hexdigest()

    def fetch(self, key: str, into: Path) -> None:
        """Download the object (ranged, in parallel, for large objects)."""
        self.client.download_file(self.bucket, self.prefix + key, str(into), Config=self.config)

    def receive(self, key: str, source: Tree, expected: Digests, *, verify: bool) -> str:
        """Upload with the SHA-256 in metadata and S3 checking each part; read it back."""
        local = source.path(key) if isinstance(source, LocalTree) else None
        if local is None:
            return self._receive_via_temp(key, source, expected, verify=verify)
        digests = file_digests(local)
        sha256 = digests["sha256"]
        if verify and _comparable(expected, digests) and not same_content(expected, digests):
            raise VerifyError(key, expected, digests)
        self.client.upload_file(
            str(local),
            self.bucket,
            self.prefix + key,
            ExtraArgs={"Metadata": {META_SHA256: sha256}, "ChecksumAlgorithm": "SHA256"},
            Config=self.config,
        )
        if verify:
            written = self.content_sha256(key)
            if written != sha256:
                raise VerifyError(key, {"sha256": sha256}, {"sha256": written})
        return sha256

    def _receive_via_temp(self, key: str, source: Tree, expected: Digests, *, verify: bool) -> str:
        import tempfile  # noqa: PLC0415 - only S3 to S3 needs it

        with tempfile.TemporaryDirectory(prefix="ferry-sync-") as folder:
            staging = LocalTree(Path(folder))
            path = staging.path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            source.fetch(key, path)
            return self.receive(key, staging, expected, verify=verify)

    def delete(self, key: str) -> None:
        """Delete the object."""
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)
