"""Payload templates: Parameters, ResultSelector, ItemSelector — ``.$`` keys, intrinsics."""

from __future__ import annotations

from dataclasses import dataclass

from ferry.jsontypes import JSON


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled payload template."""

    source: JSON

    def evaluate(self, data: JSON, context: JSON) -> JSON:
        """Evaluate against the effective input ``data`` and the context object ``context``."""
        raise NotImplementedError


def compile_template(value: JSON) -> Template:
    """Compile a template; raise ValueError (with the JSON Pointer of the bad key) on bad syntax."""
    raise NotImplementedError
