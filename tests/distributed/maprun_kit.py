"""Helpers for the Map Run runtime tests: SPECs, a probe integration, invoking the runtime."""

from __future__ import annotations

import threading
from typing import Any

from ferry.distributed.maprun import MapRunIntegration
from ferry.integrations.base import TaskFailure, TaskOutcome, TaskRequest, TaskSuccess
from ferry.jsontypes import JSON

PREFIX = "arn:aws:states:us-east-1:123456789012"
MAP_RUN_ARN = f"{PREFIX}:mapRun:parent/Fan:5a7c1f4e-0000-4000-8000-000000000001"
PROBE = "arn:aws:lambda:us-east-1:123456789012:function:probe"

PASS_PROCESSOR: JSON = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
PROBE_PROCESSOR: JSON = {
    "StartAt": "Call",
    "States": {"Call": {"Type": "Task", "Resource": PROBE, "End": True}},
}


def spec(processor: JSON = PASS_PROCESSOR, **fields: Any) -> dict[str, JSON]:
    """A complete SPEC (every field present, as the contract says), ``fields`` overriding."""
    base: dict[str, JSON] = {
        "mapRunArn": MAP_RUN_ARN,
        "executionArn": f"{PREFIX}:execution:parent:run-1",
        "stateMachineArn": f"{PREFIX}:stateMachine:parent",
        "stateName": "Fan",
        "label": None,
        "queryLanguage": "JSONPath",
        "processor": processor,
        "executionType": "EXPRESS",
        "items": [],
        "itemReader": None,
        "itemSelector": None,
        "selectorInput": {},
        "context": {},
        "variables": {},
        "itemBatcher": None,
        "resultWriter": None,
        "maxConcurrency": 0,
        "toleratedFailureCount": None,
        "toleratedFailurePercentage": None,
    }
    return {**base, **fields}


def request(payload: JSON, key: str = "parent/Fan#1") -> TaskRequest:
    """The reducer's task for a Distributed Map."""
    return TaskRequest("ferry:mapRun", payload, {}, None, key)


class Probe:
    """A Task integration that fails items with ``{"fail": true}``, counts how many run at
    once, and can hold every call at a barrier until ``parties`` calls are in."""

    def __init__(self, parties: int | None = None) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.calls: list[JSON] = []
        self.broken = 0
        self.barrier = None if parties is None else threading.Barrier(parties, timeout=30)

    def handles(self, resource: str) -> bool:
        """Only the probe function."""
        return resource == PROBE

    def invoke(self, request: TaskRequest) -> TaskOutcome:
        """Echo the payload (or fail it) while counting concurrent calls."""
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.calls.append(request.payload)
        try:
            if self.barrier is not None:
                self.barrier.wait()
        except threading.BrokenBarrierError:
            with self.lock:
                self.broken += 1  # fewer than ``parties`` calls came: a test asserts none
        finally:
            with self.lock:
                self.now -= 1
        if isinstance(request.payload, dict) and request.payload.get("fail"):
            return TaskFailure("Boom", f"item {request.payload.get('n')}")
        return TaskSuccess(request.payload)


def run_in_memory(payload: JSON, probe: Probe | None = None) -> TaskOutcome:
    """Invoke an in-memory Map Run integration (children reach ``probe``)."""
    integrations: list[Any] = [] if probe is None else [probe]
    return MapRunIntegration(integrations).invoke(request(payload))
