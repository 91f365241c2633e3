"""What every action handler shares: the runner (and its store and clock), region, account."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ferry.runner.durable import DurableRunner
from ferry.store.base import Store

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_ACTIVITY_POLL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Where the server pretends to be (the region and account its ARNs carry), and limits.

    Attributes:
        region: The region in ARNs.
        account: The account in ARNs.
        activity_poll_seconds: How long GetActivityTask waits for a task before answering
            with none (AWS: "The maximum time the service holds on to the request before
            responding is 60 seconds"); tests wait less.
    """

    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    activity_poll_seconds: float = DEFAULT_ACTIVITY_POLL_SECONDS


@dataclass(slots=True)
class ApiContext:
    """The server's state, handed to every handler (handlers run on worker threads)."""

    runner: DurableRunner
    settings: ApiSettings = field(default_factory=ApiSettings)
    # Serialises read-modify-write of tags (TagResource/UntagResource).
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store(self) -> Store:
        """The runner's store."""
        return self.runner.store

    def now(self) -> float:
        """The runner's clock (a virtual clock in tests)."""
        return self.runner.clock.now()
