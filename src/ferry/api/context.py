"""What every action handler shares: the runner (and its store and clock), region, account."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ferry.runner.durable import DurableRunner
from ferry.store.base import Store

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Where the server pretends to be: the region and account its ARNs carry."""

    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT


@dataclass(slots=True)
class ApiContext:
    """The server's state, handed to every handler (handlers run on worker threads)."""

    runner: DurableRunner
    settings: ApiSettings = field(default_factory=ApiSettings)
    # Tags changed by TagResource/UntagResource since the machine was created; the store keeps
    # only the creation tags. Guarded by ``lock``.
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store(self) -> Store:
        """The runner's store."""
        return self.runner.store

    def now(self) -> float:
        """The runner's clock (a virtual clock in tests)."""
        return self.runner.clock.now()
