"""The ``Store`` protocol: one interface, split by aggregate, that both backends implement.

A store is a set of small aggregate stores — machines, executions, history, timers, tokens,
leases, signals — sharing one database. Each method is one transaction; the durable runner's
write per reducer step is :meth:`ExecutionStore.commit_step`, which touches several tables
atomically.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from ferry.jsontypes import JSON
from ferry.store.map_runs import ChildRecord, Counts, MapRunRecord, MapRunStatus, NewMapRun
from ferry.store.records import (
    ActivityRecord,
    ActivityTask,
    ExecutionRecord,
    ExecutionStatus,
    MachineRecord,
    NewActivity,
    NewExecution,
    NewMachine,
    NewToken,
    Page,
    RedriveFilter,
    Signal,
    StepCommit,
    Timer,
    TokenRecord,
)
from ferry.store.versions import AliasRecord, ExecutionOrigin, Routing, VersionRecord


class MachineStore(Protocol):
    """State machines (see :class:`ferry.store.machines.SqlMachineStore`)."""

    def create(self, machine: NewMachine, now: float) -> MachineRecord: ...
    def update(
        self, arn: str, now: float, *, definition: str | None = None, role_arn: str | None = None
    ) -> MachineRecord: ...
    def describe(self, arn: str) -> MachineRecord | None: ...
    def revision(self, arn: str, revision_id: str) -> MachineRecord | None: ...
    def list(self, max_results: int = 0, next_token: str | None = None) -> Page[MachineRecord]: ...
    def set_tags(self, arn: str, tags: Mapping[str, str]) -> bool: ...
    def delete(self, arn: str) -> bool: ...


class ExecutionStore(Protocol):
    """Executions (see :class:`ferry.store.executions.SqlExecutionStore`)."""

    def create(self, execution: NewExecution) -> tuple[ExecutionRecord, bool]: ...
    def describe(self, arn: str) -> ExecutionRecord | None: ...
    def state(self, arn: str) -> str | None: ...
    def list(
        self,
        machine_arn: str,
        *,
        status: ExecutionStatus | None = None,
        redrive: RedriveFilter | None = None,
        max_results: int = 0,
        next_token: str | None = None,
    ) -> Page[ExecutionRecord]: ...
    def commit_step(self, arn: str, commit: StepCommit) -> None: ...
    def redrive(
        self, arn: str, state: str, now: float, step: StepCommit | None = None
    ) -> ExecutionRecord: ...


class HistoryStore(Protocol):
    """History events (see :class:`ferry.store.history.SqlHistoryStore`)."""

    def append(self, execution_arn: str, events: Sequence[Mapping[str, JSON]]) -> None: ...
    def read(
        self,
        execution_arn: str,
        *,
        reverse: bool = False,
        max_results: int = 0,
        next_token: str | None = None,
    ) -> Page[dict[str, JSON]]: ...
    def last_event_id(self, execution_arn: str) -> int: ...


class TimerStore(Protocol):
    """Timers as due times (see :class:`ferry.store.timers.SqlTimerStore`)."""

    def schedule(self, execution_arn: str, timer_id: int, due: float) -> None: ...
    def due(self, now: float, limit: int = 100, *, owner: str | None = None) -> list[Timer]: ...
    def next_due(self, *, owner: str | None = None) -> float | None: ...
    def delete(self, execution_arn: str, timer_id: int) -> bool: ...


class TokenStore(Protocol):
    """Task tokens (see :class:`ferry.store.tokens.SqlTokenStore`)."""

    def issue(self, token: NewToken) -> None: ...
    def find(self, token: str) -> TokenRecord | None: ...
    def settle(self, token: str, now: float) -> bool: ...
    def heartbeat(self, token: str, now: float) -> TokenRecord | None: ...


class LeaseStore(Protocol):
    """Execution ownership (see :class:`ferry.store.leases.SqlLeaseStore`)."""

    def acquire(
        self, owner: str, now: float, lease_seconds: float, limit: int = 100
    ) -> list[str]: ...
    def claim(self, owner: str, arn: str, now: float, lease_seconds: float) -> bool: ...
    def renew(self, owner: str, now: float, lease_seconds: float) -> list[str]: ...
    def release(self, owner: str, arns: Sequence[str] | None = None) -> int: ...
    def holder(self, arn: str) -> tuple[str, float] | None: ...


class SignalStore(Protocol):
    """Execution inboxes (see :class:`ferry.store.signals.SqlSignalStore`)."""

    def push(self, execution_arn: str, kind: str, payload: str, now: float) -> int: ...
    def pending(self, execution_arns: Sequence[str], limit: int = 100) -> list[Signal]: ...
    def pending_for_owner(self, owner: str, limit: int = 100) -> list[Signal]: ...


class VersionStore(Protocol):
    """Versions, aliases, execution origins (see :class:`ferry.store.versions.SqlVersionStore`)."""

    def publish(
        self,
        machine_arn: str,
        now: float,
        *,
        revision_id: str | None = None,
        description: str | None = None,
    ) -> VersionRecord: ...
    def get(self, machine_arn: str, version: int) -> VersionRecord | None: ...
    def list(
        self, machine_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[VersionRecord]: ...
    def delete(self, machine_arn: str, version: int) -> bool: ...
    def create_alias(self, alias: AliasRecord) -> tuple[AliasRecord, bool]: ...
    def alias(self, machine_arn: str, name: str) -> AliasRecord | None: ...
    def update_alias(
        self,
        machine_arn: str,
        name: str,
        now: float,
        *,
        description: str | None = None,
        routing: Routing | None = None,
    ) -> AliasRecord | None: ...
    def delete_alias(self, machine_arn: str, name: str) -> bool: ...
    def list_aliases(
        self, machine_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[AliasRecord]: ...
    def aliases_of_version(self, machine_arn: str, version: int) -> tuple[str, ...]: ...
    def record_origin(self, execution_arn: str, origin: ExecutionOrigin) -> None: ...
    def origin(self, execution_arn: str) -> ExecutionOrigin | None: ...


class ActivityStore(Protocol):
    """Activities and their waiting tasks (see :class:`ferry.store.activities.SqlActivityStore`)."""

    def create(self, activity: NewActivity, now: float) -> ActivityRecord: ...
    def describe(self, arn: str) -> ActivityRecord | None: ...
    def list(self, max_results: int = 0, next_token: str | None = None) -> Page[ActivityRecord]: ...
    def set_tags(self, arn: str, tags: Mapping[str, str]) -> bool: ...
    def delete(self, arn: str) -> bool: ...
    def claim(self, activity_arn: str, worker: str | None, now: float) -> ActivityTask | None: ...


class MapRunStore(Protocol):
    """Map Runs and their children (see :class:`ferry.store.map_runs.SqlMapRunStore`)."""

    def create(self, run: NewMapRun) -> tuple[MapRunRecord, bool]: ...
    def describe(self, arn: str) -> MapRunRecord | None: ...
    def definition(self, arn: str) -> str | None: ...
    def list(
        self, execution_arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[MapRunRecord]: ...
    def update(
        self,
        arn: str,
        *,
        max_concurrency: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> bool: ...
    def progress(self, arn: str, item_counts: Counts, execution_counts: Counts) -> None: ...
    def close(
        self,
        arn: str,
        status: MapRunStatus,
        stop_date: float,
        item_counts: Counts,
        execution_counts: Counts,
    ) -> None: ...
    def child(self, arn: str, index: int) -> ChildRecord | None: ...
    def child_started(self, arn: str, child: ChildRecord) -> None: ...
    def child_finished(self, arn: str, child: ChildRecord) -> None: ...
    def closed_children(self, arn: str, limit: int = 500) -> builtins.list[ChildRecord]: ...
    def executions(
        self, arn: str, max_results: int = 0, next_token: str | None = None
    ) -> Page[ExecutionRecord]: ...


class Store(Protocol):
    """Ferry's durable store: the aggregates over one database."""

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        """Which database this store runs on."""
        ...

    @property
    def schema_version(self) -> int:
        """The schema version the database was at (or was migrated to) when opened."""
        ...

    @property
    def machines(self) -> MachineStore:
        """State machines."""
        ...

    @property
    def executions(self) -> ExecutionStore:
        """Executions."""
        ...

    @property
    def history(self) -> HistoryStore:
        """History events."""
        ...

    @property
    def timers(self) -> TimerStore:
        """Timers."""
        ...

    @property
    def tokens(self) -> TokenStore:
        """Task tokens."""
        ...

    @property
    def leases(self) -> LeaseStore:
        """Leases."""
        ...

    @property
    def signals(self) -> SignalStore:
        """Execution signals."""
        ...

    @property
    def versions(self) -> VersionStore:
        """State machine versions and aliases."""
        ...

    @property
    def activities(self) -> ActivityStore:
        """Activities."""
        ...

    @property
    def map_runs(self) -> MapRunStore:
        """Map Runs of Distributed Map states."""
        ...

    def close(self) -> None:
        """Close the database connection."""
        ...
