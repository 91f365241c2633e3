"""What the crash tests' Lambda handlers share: the invocation log and per-item memory.

Both files live where the test says (``FERRY_CRASH_DIR``), because the handlers run in the
``ferry`` subprocess that the test kills and restarts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DIR_VARIABLE = "FERRY_CRASH_DIR"
LOG_NAME = "invocations.log"
TOKENS_NAME = "tokens.log"


def work_dir() -> Path:
    """The directory the test handed to the handlers."""
    return Path(os.environ[DIR_VARIABLE])


def append_line(name: str, line: str) -> None:
    """Append one line with a single O_APPEND write, so concurrent handlers never interleave."""
    fd = os.open(work_dir() / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def first_request_id(key: str, request_id: str) -> str:
    """The request id that first worked on ``key``; records ``request_id`` if none did yet.

    The file appears atomically (written aside, then hard-linked into place), so a SIGKILL
    mid-way never leaves an empty record behind.
    """
    target = work_dir() / f"first-{key}"
    scratch = work_dir() / f".first-{key}-{secrets.token_hex(4)}"
    scratch.write_text(request_id)
    try:
        os.link(scratch, target)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()
    return target.read_text()
