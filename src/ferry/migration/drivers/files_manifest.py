"""The resume manifest of ``ferry files sync``: which files a run has finished.

A JSON Lines file. The first line names the source and destination; every later line records
one finished file: ``{"key": ..., "stamp": ..., "sha256": ...}``, where ``stamp`` is the
source's size and mtime (local) or ETag (S3) when it was copied. Each record is one ``write``
of a whole line followed by ``fsync``, so a crash can tear at most the last line, which loading
ignores. The header is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ferry.errors import ConfigError

_VERSION = 1


class Manifest:
    """The files a sync of ``source`` to ``dest`` has finished, appended to as they finish."""

    def __init__(self, path: Path, source: str, dest: str) -> None:
        """Open ``path``, creating it, or load it if it records the same source and dest.

        Raises:
            ConfigError: the file is unreadable or belongs to another source or destination.
        """
        self.path = path
        self.done: dict[str, str] = {}
        self._lock = threading.Lock()
        header = {"ferry-files-manifest": _VERSION, "source": source, "dest": dest}
        if path.exists():
            self._load(header)
        else:
            self._create(header)
        self._handle = path.open("a", encoding="utf-8")

    def _create(self, header: dict[str, object]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("w", encoding="utf-8") as handle:
                handle.write(json.dumps(header) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(self.path)
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot write the manifest: {exc.strerror}") from None

    def _load(self, header: dict[str, object]) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read the manifest: {exc}") from None
        try:
            first = json.loads(lines[0])
        except json.JSONDecodeError:
            first = None
        if first != header:
            raise ConfigError(
                f"{self.path}: not a manifest of this sync: expected source {header['source']} "
                f"and destination {header['dest']}"
            )
        for line in lines[1:]:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the torn last line of an interrupted run
            if isinstance(record, dict) and {"key", "stamp"} <= record.keys():
                self.done[str(record["key"])] = str(record["stamp"])

    def finished(self, key: str, stamp: str) -> bool:
        """Whether ``key`` was finished while its source had this ``stamp``."""
        return self.done.get(key) == stamp

    def record(self, key: str, stamp: str, sha256: str) -> None:
        """Durably record that ``key`` is finished (thread-safe)."""
        line = json.dumps({"key": key, "stamp": stamp, "sha256": sha256}) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self.done[key] = stamp

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
