"""boto3 clients for service integrations: one per (service, region, endpoint), made lazily.

Endpoints: an explicit per-service override given to the pool wins; otherwise botocore's own
configuration applies, which honours ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``
(botocore >= 1.31, "service-specific endpoints" in the AWS SDKs reference guide), and with
neither the client reaches real AWS. The region is the resource ARN's when it has one, else the
session's default (``AWS_REGION``/``AWS_DEFAULT_REGION``), else ``us-east-1``.

boto3 clients are thread-safe once built, but building one from a shared session is not, so
creation happens under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.model import ServiceModel

FALLBACK_REGION = "us-east-1"

# Service integrations run inside a Task whose Retry the definition controls: one attempt per
# call, like Step Functions itself, so the definition's Retry decides what a throttle means.
_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


class ClientPool:
    """Lazily built, shared boto3 clients keyed by (service, region, endpoint)."""

    def __init__(self, endpoints: Mapping[str, str] | None = None) -> None:
        self.endpoints = dict(endpoints or {})
        # Built on first use: a boto3 Session costs milliseconds, and most executions never
        # reach an AWS service (``ferry run`` builds a pool for every execution).
        self._session_object: Any = None
        self._clients: dict[tuple[str, str, str | None], Any] = {}
        self._models: dict[str, ServiceModel] = {}
        self._lock = threading.Lock()
        self._session_lock = threading.Lock()

    @property
    def _session(self) -> Any:
        """The boto3 Session (Any: boto3-stubs overloads ``client`` per literal service name)."""
        if self._session_object is None:
            with self._session_lock:
                if self._session_object is None:
                    self._session_object = boto3.session.Session()
        return self._session_object

    def region(self, region: str | None) -> str:
        """``region`` if given, else the configured default, else ``us-east-1``."""
        return region or self._session.region_name or FALLBACK_REGION

    def client(self, service: str, region: str | None) -> Any:
        """The client for botocore service ``service`` in ``region`` (resolved as above)."""
        endpoint = self.endpoints.get(service)
        key = (service, self.region(region), endpoint)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._session.client(
                    service, region_name=key[1], endpoint_url=endpoint, config=_CONFIG
                )
                self._clients[key] = found
            return found

    def model(self, service: str) -> ServiceModel:
        """The botocore service model of ``service`` (raises ``UnknownServiceError``)."""
        with self._lock:
            found = self._models.get(service)
            if found is None:
                found = self._session._session.get_service_model(service)
                self._models[service] = found
            return found

    def services(self) -> list[str]:
        """The botocore names of every service this botocore knows."""
        with self._lock:
            return list(self._session.get_available_services())
