"""Configuration migration: key/value settings into SSM Parameter Store or Secrets Manager.

Sources: a ``.env``, JSON or YAML file (see :mod:`ferry.migration.drivers.config_files`),
``ssm:///PREFIX`` (every parameter under the path, recursively, decrypted) or
``secretsmanager://NAME`` (a secret holding a JSON object). Destinations:

- ``ssm:///PREFIX``: one parameter per key, named ``PREFIX/KEY`` (nested keys make a hierarchy).
  A key is stored as ``SecureString`` when its name matches :data:`SECRET_KEYS` (or the
  caller's pattern, which replaces it), when its value is a URL carrying a password, when it
  was a ``SecureString`` at the source, or when the parameter already is one (never
  downgraded). Everything else is a ``String``. Standard-tier values hold at most 4 KB.
- ``secretsmanager://NAME``: **one** secret whose value is a JSON object of every key — one
  version per migration, read and rotated as a whole, the shape RDS and most SDK loaders use,
  and one secret to pay for. Keys already in the secret but not in the source are kept.

Nothing is written when a key already holds the value (and type): a second run changes
nothing. After writing, every key is read back and its SHA-256 compared with the source's; the
:class:`Report` gives each key's action and ``ok``/``mismatch``/``missing``. Values never
appear in reports, errors or logs — only key names and hash prefixes, which are salted afresh
for every report so that a short secret cannot be recovered from its prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ferry.errors import InputError
from ferry.migration.drivers.config_files import read_file
from ferry.migration.drivers.config_targets import (
    AwsAccess,
    Entry,
    Planned,
    SecretTarget,
    SsmTarget,
    ssm_prefix,
)

SECRET_KEYS = r"(?i)PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE"  # noqa: S105
"""Key names stored as ``SecureString`` (searched anywhere in the key, case-insensitively)."""

_URL_WITH_PASSWORD = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


@dataclass(frozen=True, slots=True)
class KeyResult:
    """What happened to one key; hashes are salted SHA-256 prefixes, never values."""

    key: str
    action: str  # create | update | unchanged | check
    kind: str  # String | SecureString | SecretsManager
    source_hash: str
    target_hash: str | None
    status: str  # ok | mismatch | missing | plaintext | planned


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of a migration or a verification."""

    source: str
    target: str
    dry_run: bool
    keys: list[KeyResult]

    @property
    def ok(self) -> bool:
        """True when every key was read back equal (or, for a dry run, planned)."""
        return all(result.status in {"ok", "planned"} for result in self.keys)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (no values)."""
        return {
            "source": self.source,
            "target": self.target,
            "dryRun": self.dry_run,
            "ok": self.ok,
            "keys": [
                {
                    "key": r.key,
                    "action": r.action,
                    "type": r.kind,
                    "sourceHash": r.source_hash,
                    "targetHash": r.target_hash,
                    "status": r.status,
                }
                for r in self.keys
            ],
        }


class Target(Protocol):
    """Where configuration goes: plans against what is there, writes, reads back."""

    def plan(self, entries: list[Entry], is_secret: Callable[[Entry], bool]) -> list[Planned]:
        """Each entry with its type at the target and ``create``/``update``/``unchanged``."""
        ...

    def write(self, planned: list[Planned]) -> None:
        """Store every planned key that is not ``unchanged``."""
        ...

    def read(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """``{key: (value, type)}`` for the keys present at the target."""
        ...


@dataclass(frozen=True, slots=True)
class SecretRule:
    """Decides which keys are secrets: key pattern, credential URLs, the source's own type."""

    pattern: re.Pattern[str]

    def __call__(self, entry: Entry) -> bool:
        """True when ``entry`` must be stored encrypted."""
        return (
            entry.secret
            or self.pattern.search(entry.key) is not None
            or _URL_WITH_PASSWORD.search(entry.value) is not None
        )


def secret_rule(pattern: str | None) -> SecretRule:
    """The rule with ``pattern`` (a regular expression) instead of :data:`SECRET_KEYS`."""
    try:
        return SecretRule(re.compile(SECRET_KEYS if pattern is None else pattern))
    except re.error as exc:
        raise InputError(f"--secret-keys: not a valid regular expression ({exc})") from None


def migrate(
    source: str,
    target: str,
    *,
    dry_run: bool = False,
    secret_keys: str | None = None,
    aws: AwsAccess | None = None,
) -> Report:
    """Copy every key of ``source`` to ``target``, then read each back and compare hashes."""
    aws = aws or AwsAccess()
    rule = secret_rule(secret_keys)
    entries = read_source(source, aws)
    destination = open_target(target, aws)
    planned = destination.plan(entries, rule)
    salt = secrets.token_bytes(16)
    if dry_run:
        return Report(source, target, True, [_planned_result(p, salt) for p in planned])
    destination.write(planned)
    found = destination.read([p.entry.key for p in planned])
    results = [_checked(p.entry, p.action, p.kind, found.get(p.entry.key), salt) for p in planned]
    return Report(source, target, False, results)


def verify(
    source: str, target: str, *, secret_keys: str | None = None, aws: AwsAccess | None = None
) -> Report:
    """Compare every key of ``source`` with ``target`` without writing anything."""
    aws = aws or AwsAccess()
    rule = secret_rule(secret_keys)
    entries = read_source(source, aws)
    destination = open_target(target, aws)
    found = destination.read([entry.key for entry in entries])
    salt = secrets.token_bytes(16)
    results = []
    for entry in entries:
        result = _checked(entry, "check", "", found.get(entry.key), salt)
        stored = found.get(entry.key)
        if stored and result.status == "ok" and stored[1] == "String" and rule(entry):
            result = KeyResult(entry.key, "check", "String", result.source_hash,
                               result.target_hash, "plaintext")  # fmt: skip
        results.append(result)
    return Report(source, target, False, results)


def read_source(source: str, aws: AwsAccess) -> list[Entry]:
    """Every key of ``source`` (a file, ``ssm:///PREFIX`` or ``secretsmanager://NAME``)."""
    if source.startswith("ssm:"):
        entries = SsmTarget(ssm_prefix(source), aws).read_tree()
    elif source.startswith("secretsmanager:"):
        target = SecretTarget.from_url(source, aws)
        entries = [Entry(key, value, True) for key, value in target.read_object().items()]
    elif "://" in source:
        raise InputError(
            f"{source}: expected a .env/.json/.yaml file, ssm:///PREFIX or secretsmanager://NAME"
        )
    else:
        entries = [Entry(key, value) for key, value in read_file(Path(source)).items()]
    if not entries:
        raise InputError(f"{source}: no keys to migrate")
    return entries


def open_target(target: str, aws: AwsAccess) -> Target:
    """The destination named by ``target``."""
    if target.startswith("ssm:"):
        return SsmTarget(ssm_prefix(target), aws)
    if target.startswith("secretsmanager:"):
        return SecretTarget.from_url(target, aws)
    raise InputError(f"{target}: a destination must be ssm:///PREFIX or secretsmanager://NAME")


def _digest(value: str, salt: bytes) -> str:
    return hmac.new(salt, value.encode(), hashlib.sha256).hexdigest()


def _planned_result(planned: Planned, salt: bytes) -> KeyResult:
    return KeyResult(
        planned.entry.key,
        planned.action,
        planned.kind,
        _digest(planned.entry.value, salt)[:12],
        None,
        "planned",
    )


def _checked(
    entry: Entry, action: str, kind: str, stored: tuple[str, str] | None, salt: bytes
) -> KeyResult:
    source_hash = _digest(entry.value, salt)
    if stored is None:
        return KeyResult(entry.key, action, kind, source_hash[:12], None, "missing")
    target_hash = _digest(stored[0], salt)
    # Full digests are compared; only the prefixes are shown.
    status = "ok" if hmac.compare_digest(source_hash, target_hash) else "mismatch"
    return KeyResult(
        entry.key, action, kind or stored[1], source_hash[:12], target_hash[:12], status
    )
