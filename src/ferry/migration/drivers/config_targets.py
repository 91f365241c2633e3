"""The AWS side of configuration migration: SSM Parameter Store and Secrets Manager.

Each target reads what is there (decrypted), plans every key against it, writes only what
changed, and reads back. Calls go through :func:`aws_call`, which turns botocore's failures
into a one-line :class:`~ferry.errors.ConfigError` naming the parameter or secret — and, for a
call that carried a value, gives AWS's error code only: a validation message can echo the value.

Limits (AWS Systems Manager User Guide, "Creating Parameter Store parameters" and "Parameter
Store quotas"; Secrets Manager "Quotas"): a parameter name uses ``a-zA-Z0-9_.-`` and ``/``,
has at most 15 levels and 1011 characters, and may not begin with ``aws`` or ``ssm``; a
Standard parameter value is 1 to 4096 bytes; a secret value is at most 65,536 bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

from ferry.errors import ConfigError, InputError
from ferry.migration.drivers.config_files import flatten

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ssm import SSMClient

T = TypeVar("T")

FALLBACK_REGION = "us-east-1"
_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5)
_SSM_NAME = re.compile(r"[A-Za-z0-9_.\-/]+")
_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@\-]{1,512}")
MAX_PARAMETER_BYTES = 4096
MAX_SECRET_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Entry:
    """One key's value (never in ``repr``) and whether the source held it as a secret."""

    key: str
    value: str = field(repr=False)
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Planned:
    """A key's intended type at the target and ``create``/``update``/``unchanged``."""

    entry: Entry
    kind: str
    action: str


@dataclass
class AwsAccess:
    """Where the AWS APIs are: an endpoint (default: botocore's configuration) and a region."""

    endpoint_url: str | None = None
    region: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        """The boto3 client for ``service``, built once."""
        found = self._clients.get(service)
        if found is None:
            session = boto3.session.Session()
            region = self.region or session.region_name or FALLBACK_REGION
            found = session.client(  # type: ignore[call-overload]
                service, region_name=region, endpoint_url=self.endpoint_url, config=_CONFIG
            )
            self._clients[service] = found
        return found

    def ssm(self) -> SSMClient:
        """The SSM client."""
        client: SSMClient = self.client("ssm")
        return client

    def secretsmanager(self) -> SecretsManagerClient:
        """The Secrets Manager client."""
        client: SecretsManagerClient = self.client("secretsmanager")
        return client


def aws_call(what: str, call: Callable[..., T], *, carries_value: bool = False, **kwargs: Any) -> T:
    """``call(**kwargs)``, with botocore's failures as a :class:`ConfigError` about ``what``."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "error")
        message = "" if carries_value else f": {error.get('Message', '')}".rstrip(": ")
        raise ConfigError(f"{what}: {code}{message}") from None
    except NoCredentialsError:
        raise ConfigError(f"{what}: no AWS credentials found") from None
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise ConfigError(f"{what}: cannot reach the endpoint ({exc})") from None
    except BotoCoreError as exc:
        detail = type(exc).__name__ if carries_value else str(exc)
        raise ConfigError(f"{what}: {detail}") from None


def ssm_prefix(url: str) -> str:
    """The parameter path of ``ssm:///PREFIX`` (``""`` for the root), checked."""
    if not url.startswith("ssm:///"):
        raise InputError(f"{url}: expected ssm:///PREFIX (three slashes, then the path)")
    prefix = url[len("ssm://") :].rstrip("/")
    if prefix and (not _SSM_NAME.fullmatch(prefix) or "//" in prefix):
        raise InputError(f"{url}: the path may use only a-zA-Z0-9_.- and single slashes")
    return prefix


class SsmTarget:
    """Parameters under ``prefix``: ``KEY`` is the parameter ``PREFIX/KEY``."""

    def __init__(self, prefix: str, aws: AwsAccess) -> None:
        self.prefix = prefix
        self.aws = aws

    def name(self, key: str) -> str:
        """The parameter name of ``key``."""
        return f"{self.prefix}/{key}"

    def read_tree(self) -> list[Entry]:
        """Every parameter under the prefix, decrypted, as entries (SecureStrings are secret)."""
        path = self.prefix or "/"
        pages = self.aws.ssm().get_paginator("get_parameters_by_path")
        entries: list[Entry] = []

        def collect() -> None:
            for page in pages.paginate(Path=path, Recursive=True, WithDecryption=True):
                for parameter in page.get("Parameters", []):
                    key = parameter["Name"][len(self.prefix) :].lstrip("/")
                    secure = parameter["Type"] == "SecureString"
                    entries.append(Entry(key, parameter["Value"], secure))

        aws_call(f"ssm://{path}", collect)
        return sorted(entries, key=lambda entry: entry.key)

    def read(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """``{key: (value, type)}`` of the keys' parameters that exist."""
        found: dict[str, tuple[str, str]] = {}
        client = self.aws.ssm()
        for start in range(0, len(keys), 10):  # GetParameters takes at most 10 names
            names = [self.name(key) for key in keys[start : start + 10]]
            answer = aws_call(
                f"ssm://{names[0]}", client.get_parameters, Names=names, WithDecryption=True
            )
            for parameter in answer.get("Parameters", []):
                key = parameter["Name"][len(self.prefix) + 1 :]
                found[key] = (parameter["Value"], parameter["Type"])
        return found

    def plan(self, entries: list[Entry], is_secret: Callable[[Entry], bool]) -> list[Planned]:
        """Each entry's type (never downgrading a SecureString) and action."""
        for entry in entries:
            self._check(entry)
        current = self.read([entry.key for entry in entries])
        planned = []
        for entry in entries:
            stored = current.get(entry.key)
            secure = is_secret(entry) or (stored is not None and stored[1] == "SecureString")
            kind = "SecureString" if secure else "String"
            if stored is None:
                action = "create"
            elif stored == (entry.value, kind):
                action = "unchanged"
            else:
                action = "update"
            planned.append(Planned(entry, kind, action))
        return planned

    def write(self, planned: list[Planned]) -> None:
        """Put every changed parameter."""
        client = self.aws.ssm()
        for item in planned:
            if item.action == "unchanged":
                continue
            aws_call(
                f"ssm://{self.name(item.entry.key)}",
                client.put_parameter,
                carries_value=True,
                Name=self.name(item.entry.key),
                Value=item.entry.value,
                Type=item.kind,
                Overwrite=True,
            )

    def _check(self, entry: Entry) -> None:
        name = self.name(entry.key)
        where = f"key {entry.key}"
        if not _SSM_NAME.fullmatch(name) or "//" in name or name.endswith("/"):
            raise InputError(
                f"{where}: not a valid SSM parameter name {name} (allowed: a-zA-Z0-9_.- and /)"
            )
        if name.lstrip("/").lower().startswith(("aws", "ssm")):
            raise InputError(f"{where}: SSM parameter names may not begin with aws or ssm")
        if name.count("/") > 15 or len(name) > 1011:
            raise InputError(f"{where}: {name} is deeper than 15 levels or over 1011 characters")
        size = len(entry.value.encode())
        if size == 0:
            raise InputError(f"{where}: empty value; SSM parameters hold at least one character")
        if size > MAX_PARAMETER_BYTES:
            raise InputError(
                f"{where}: the value is {size} bytes; a Standard SSM parameter holds at most "
                f"{MAX_PARAMETER_BYTES} (use secretsmanager://NAME for it)"
            )


class SecretTarget:
    """One Secrets Manager secret holding a flat JSON object of every key."""

    def __init__(self, name: str, aws: AwsAccess) -> None:
        self.secret_name = name
        self.aws = aws
        self.where = f"secretsmanager://{name}"
        self._current: dict[str, str] | None = None

    @classmethod
    def from_url(cls, url: str, aws: AwsAccess) -> SecretTarget:
        """The secret named by ``secretsmanager://NAME``."""
        name = url.removeprefix("secretsmanager://")
        if name == url or not _SECRET_NAME.fullmatch(name):
            raise InputError(f"{url}: expected secretsmanager://NAME (1-512 of a-zA-Z0-9/_+=.@-)")
        return cls(name, aws)

    def read_object(self) -> dict[str, str]:
        """The secret's keys and values (a missing secret is an :class:`InputError`)."""
        found = self._load()
        if found is None:
            raise InputError(f"{self.where}: no such secret")
        return found

    def read(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """``{key: (value, "SecretsManager")}`` for the keys the secret holds."""
        current = self._load() or {}
        return {key: (current[key], "SecretsManager") for key in keys if key in current}

    def plan(self, entries: list[Entry], is_secret: Callable[[Entry], bool]) -> list[Planned]:
        """Each entry's action against the secret's current object (everything is secret)."""
        del is_secret
        self._current = self._load()
        current = self._current or {}
        merged = {**current, **{entry.key: entry.value for entry in entries}}
        size = len(json.dumps(merged, ensure_ascii=False).encode())
        if size > MAX_SECRET_BYTES:
            raise InputError(
                f"{self.where}: the secret would be {size} bytes; at most {MAX_SECRET_BYTES}"
            )
        return [
            Planned(
                entry,
                "SecretsManager",
                "create"
                if entry.key not in current
                else "unchanged"
                if current[entry.key] == entry.value
                else "update",
            )
            for entry in entries
        ]

    def write(self, planned: list[Planned]) -> None:
        """Store the merged object as a new version (or a new secret) if anything changed."""
        if all(item.action == "unchanged" for item in planned):
            return
        merged = {**(self._current or {}), **{p.entry.key: p.entry.value for p in planned}}
        text = json.dumps(merged, ensure_ascii=False)
        client = self.aws.secretsmanager()
        if self._current is None:
            aws_call(
                self.where,
                client.create_secret,
                carries_value=True,
                Name=self.secret_name,
                SecretString=text,
            )
        else:
            aws_call(
                self.where,
                client.put_secret_value,
                carries_value=True,
                SecretId=self.secret_name,
                SecretString=text,
            )

    def _load(self) -> dict[str, str] | None:
        client = self.aws.secretsmanager()

        def fetch() -> str | None:
            try:
                answer = client.get_secret_value(SecretId=self.secret_name)
            except client.exceptions.ResourceNotFoundException:
                return None
            text = answer.get("SecretString")
            if text is None:
                raise InputError(f"{self.where}: a binary secret; expected a JSON object")
            return text

        text = aws_call(self.where, fetch)
        if text is None:
            return None
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise InputError(f"{self.where}: the secret is not a JSON object") from None
        return flatten(document, self.where)
