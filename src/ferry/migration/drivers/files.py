"""Sync files and objects between local directories and S3 prefixes, as AWS DataSync does.

:func:`sync` copies every file of ``source`` that ``dest`` lacks or holds with other content
(same size and equal checksum means unchanged; see :mod:`.files_trees` for what S3 checksums
can prove), on a bounded thread pool, multipart for large objects. Verify modes follow
DataSync's ``VerifyMode``: ``only-transferred`` reads back each copied file and compares its
SHA-256 with the source's; ``all`` also compares the content of every source file with the
destination's at the end; ``none`` skips both. Extra destination files are removed only with
``delete=True``. A manifest makes an interrupted run resume without re-checking finished files.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ferry.errors import ConfigError, InputError
from ferry.migration.drivers.files_manifest import Manifest
from ferry.migration.drivers.files_trees import (
    Entry,
    LocalTree,
    S3Tree,
    Tree,
    VerifyError,
    same_content,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Verify = Literal["only-transferred", "all", "none"]
VERIFY_MODES: tuple[Verify, ...] = ("only-transferred", "all", "none")
MULTIPART_BYTES = 8 * 1024 * 1024
Progress = Callable[[str, str, int], None]
_T = TypeVar("_T")


@dataclass
class SyncReport:
    """What a sync did, by key; ``ok`` is false when any file failed verification."""

    transferred: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    verify_failed: dict[str, str] = field(default_factory=dict)
    bytes_transferred: int = 0

    @property
    def ok(self) -> bool:
        """Whether every file verified."""
        return not self.verify_failed

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (lists sorted)."""
        return {
            "ok": self.ok,
            "transferred": sorted(self.transferred),
            "unchanged": sorted(self.unchanged),
            "resumed": sorted(self.resumed),
            "deleted": sorted(self.deleted),
            "extra": sorted(self.extra),
            "verifyFailed": dict(sorted(self.verify_failed.items())),
            "bytesTransferred": self.bytes_transferred,
        }


def open_tree(location: str, client: S3Client | None = None, *, parallel: int = 8) -> Tree:
    """A local directory path or ``s3://bucket/prefix`` as a :class:`Tree`.

    Raises:
        InputError: an ``s3://`` URL without a bucket.
    """
    if not location.startswith("s3://"):
        return LocalTree(Path(location))
    bucket, _, prefix = location[len("s3://") :].partition("/")
    if not bucket:
        raise InputError(f"{location}: expected s3://BUCKET[/PREFIX]")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    from boto3.s3.transfer import TransferConfig  # noqa: PLC0415 - boto3 is slow to import

    if client is None:
        import boto3  # noqa: PLC0415

        client = boto3.client("s3")
    config = TransferConfig(
        multipart_threshold=MULTIPART_BYTES,
        multipart_chunksize=MULTIPART_BYTES,
        max_concurrency=max(1, min(parallel, 10)),
    )
    return S3Tree(client, bucket, prefix, config)


def sync(
    source: str | Tree,
    dest: str | Tree,
    *,
    delete: bool = False,
    verify: Verify = "only-transferred",
    parallel: int = 8,
    manifest: Path | None = None,
    s3_client: S3Client | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Make ``dest`` hold every file of ``source``; see the module docstring.

    Args:
        source: a directory, ``s3://bucket/prefix``, or a tree.
        dest: the same kinds.
        delete: remove destination files the source does not have.
        verify: ``only-transferred``, ``all`` or ``none``.
        parallel: files in flight at once (at least 1).
        manifest: a resume manifest to read and append to.
        s3_client: the client for ``s3://`` locations (default: boto3's, from the environment).
        progress: called as ``progress(key, outcome, bytes)`` after each file.

    Raises:
        InputError: bad arguments, an unsafe path or an unreadable file.
        ConfigError: an unusable manifest or an S3 error (named by its key).
    """
    if verify not in VERIFY_MODES:
        raise InputError(f"verify: expected one of {', '.join(VERIFY_MODES)}, got {verify!r}")
    if parallel < 1:
        raise InputError(f"parallel: expected a positive number of files, got {parallel}")
    src = source if not isinstance(source, str) else open_tree(source, s3_client, parallel=parallel)
    dst = dest if not isinstance(dest, str) else open_tree(dest, s3_client, parallel=parallel)
    _check_not_nested(src, dst)
    run = _Run(src, dst, verify=verify, progress=progress)
    log = Manifest(manifest, src.describe(), dst.describe()) if manifest else None
    try:
        source_entries = _guard(src, "", src.list)
        dest_entries = _guard(dst, "", dst.list)
        run.run_all(source_entries, dest_entries, log, parallel)
    finally:
        if log:
            log.close()
    for key in sorted(dest_entries.keys() - source_entries.keys()):
        if delete:
            _guard(dst, key, functools.partial(dst.delete, key))
            run.report.deleted.append(key)
        else:
            run.report.extra.append(key)
    if verify == "all":
        run.verify_all(source_entries)
    return run.report


def _check_not_nested(src: Tree, dst: Tree) -> None:
    if isinstance(src, LocalTree) and isinstance(dst, LocalTree):
        a, b = src.root.resolve(), dst.root.resolve()
        if a == b or a in b.parents or b in a.parents:
            raise InputError(f"{src.root} and {dst.root}: source and destination overlap")


def _guard(tree: Tree, key: str, call: Callable[[], _T]) -> _T:
    """Run ``call``, turning OS and S3 errors into Ferry errors that name the file."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        return call()
    except OSError as exc:
        raise InputError(f"{exc.filename or tree.describe(key)}: {exc.strerror or exc}") from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        raise ConfigError(f"{tree.describe(key)}: {code}: {message}") from None
    except BotoCoreError as exc:
        raise ConfigError(f"{tree.describe(key)}: {exc}") from None


class _Run:
    """One sync's shared state: the trees, the report and its lock."""

    def __init__(self, src: Tree, dst: Tree, *, verify: Verify, progress: Progress | None) -> None:
        self.src, self.dst, self.verify, self.progress = src, dst, verify, progress
        self.report = SyncReport()
        self._lock = threading.Lock()

    def run_all(
        self,
        sources: dict[str, Entry],
        dests: dict[str, Entry],
        log: Manifest | None,
        parallel: int,
    ) -> None:
        """Sync every source file on a pool of ``parallel`` threads; the first error stops it."""
        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="ferry-sync") as pool:
            futures: list[Future[None]] = [
                pool.submit(self.one, entry, dests.get(key), log)
                for key, entry in sorted(sources.items())
            ]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
                    future.result()

    def one(self, entry: Entry, existing: Entry | None, log: Manifest | None) -> None:
        """Skip, or copy and verify, one file; record it in the manifest."""
        key = entry.key
        if log is not None and log.finished(key, entry.stamp):
            self._note(self.report.resumed, key, "resumed", 0)
            return
        expected = _guard(self.src, key, lambda: self.src.digests(entry))
        if existing is not None and existing.size == entry.size:
            found = _guard(self.dst, key, lambda: self.dst.digests(existing))
            if same_content(expected, found):
                self._finish(log, entry, expected.get("sha256", ""))
                self._note(self.report.unchanged, key, "unchanged", 0)
                return
        verify = self.verify != "none"
        try:
            sha256 = _guard(
                self.dst, key, lambda: self.dst.receive(key, self.src, expected, verify=verify)
            )
        except VerifyError as exc:
            with self._lock:
                self.report.verify_failed[key] = str(exc)
            self._call_progress(key, "verify-failed", 0)
            return
        self._finish(log, entry, sha256)
        self._note(self.report.transferred, key, "transferred", entry.size)

    def _finish(self, log: Manifest | None, entry: Entry, sha256: str) -> None:
        if log is not None:
            log.record(entry.key, entry.stamp, sha256)

    def _note(self, bucket: list[str], key: str, outcome: str, size: int) -> None:
        with self._lock:
            bucket.append(key)
            self.report.bytes_transferred += size
        self._call_progress(key, outcome, size)

    def _call_progress(self, key: str, outcome: str, size: int) -> None:
        if self.progress is not None:
            self.progress(key, outcome, size)

    def verify_all(self, sources: dict[str, Entry]) -> None:
        """DataSync's ``ALL``: compare the content of every source file with the destination's."""
        for key in sorted(sources.keys() - self.report.verify_failed.keys()):
            want = _guard(self.src, key, functools.partial(self.src.content_sha256, key))
            try:
                have = _guard(self.dst, key, functools.partial(self.dst.content_sha256, key))
            except (InputError, ConfigError) as exc:
                self.report.verify_failed[key] = f"{key}: missing from the destination ({exc})"
                continue
            if want != have:
                self.report.verify_failed[key] = (
                    f"{key}: destination SHA-256 is {have}, the source's is {want}"
                )
