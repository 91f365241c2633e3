"""Set up the peers Ferry is compared with, and say why when one cannot be set up.

moto comes from the ``bench`` extra of pyproject.toml. aws-local-stepfunctions is pinned in
``benchmarks/package.json`` and installed with npm into ``benchmarks/.peers/`` (gitignored), without
a lock file, the first time it is needed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEERS_DIR = BENCH_DIR / ".peers"
PACKAGE_JSON = BENCH_DIR / "package.json"
ALS_PACKAGE = "aws-local-stepfunctions"
NPM_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class PeerStatus:
    """Whether a peer can run, its version, and otherwise the reason it cannot."""

    ready: bool
    version: str
    reason: str = ""


def pinned_als_version() -> str:
    """Return the aws-local-stepfunctions version pinned in ``benchmarks/package.json``."""
    pinned: str = json.loads(PACKAGE_JSON.read_text())["dependencies"][ALS_PACKAGE]
    return pinned


def installed_als_version() -> str | None:
    """Return the version installed under ``.peers``, or None when it is not installed."""
    manifest = PEERS_DIR / "node_modules" / ALS_PACKAGE / "package.json"
    if not manifest.exists():
        return None
    installed: str = json.loads(manifest.read_text())["version"]
    return installed


def ensure_als() -> PeerStatus:
    """Install the pinned aws-local-stepfunctions if missing; report whether it can run."""
    pinned = pinned_als_version()
    if shutil.which("node") is None:
        return PeerStatus(ready=False, version=pinned, reason="node is not installed")
    if installed_als_version() == pinned:
        return PeerStatus(ready=True, version=pinned)
    npm = shutil.which("npm")
    if npm is None:
        return PeerStatus(ready=False, version=pinned, reason="npm is not installed")
    failure = _npm_install(npm)
    if failure:
        return PeerStatus(ready=False, version=pinned, reason=failure)
    if installed_als_version() != pinned:
        return PeerStatus(ready=False, version=pinned, reason="npm install did not install it")
    return PeerStatus(ready=True, version=pinned)


def _npm_install(npm: str) -> str | None:
    """Run npm install in ``.peers``; return a one-line reason on failure, else None."""
    PEERS_DIR.mkdir(exist_ok=True)
    shutil.copyfile(PACKAGE_JSON, PEERS_DIR / "package.json")
    command = [npm, "install", "--no-package-lock", "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(
            command,
            cwd=PEERS_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"npm install timed out after {NPM_TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        return f"npm install failed: {_last_line(done.stderr)}"
    return None


def moto_status() -> PeerStatus:
    """Report whether moto (with its Step Functions interpreter) is installed."""
    try:
        version = metadata.version("moto")
    except metadata.PackageNotFoundError:
        return PeerStatus(ready=False, version="-", reason="moto is not installed (bench extra)")
    return PeerStatus(ready=True, version=version)


def node_version() -> str | None:
    """Return ``node --version`` output, or None when Node is missing or broken."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        done = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return None
    return done.stdout.strip() or None


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no message"
