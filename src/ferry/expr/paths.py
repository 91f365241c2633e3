"""JSONPath in ASL: reference paths (InputPath, ResultPath, OutputPath, *Path fields, Choice
Variable) and general JSONPath queries (``.$`` values, ItemsPath)."""

from __future__ import annotations

from dataclasses import dataclass

from ferry.jsontypes import JSON


@dataclass(frozen=True, slots=True)
class ReferencePath:
    """A compiled reference path: ``$``, ``$.a.b``, ``$['a b'][0]``, or ``$$.`` context paths."""

    text: str

    def get(self, data: JSON) -> JSON:
        """Return the single value the path selects; raise PathNotFound if none."""
        raise NotImplementedError

    def put(self, data: JSON, value: JSON) -> JSON:
        """Return a copy of ``data`` with ``value`` placed at the path (ResultPath)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class QueryPath:
    """A compiled JSONPath that may use filters, wildcards, slices and unions."""

    text: str

    def find(self, data: JSON) -> JSON:
        """A definite path gives its value; an indefinite one gives the list of matches."""
        raise NotImplementedError


def compile_reference_path(text: str) -> ReferencePath:
    """Compile a reference path; raise ValueError naming the column on bad syntax."""
    raise NotImplementedError


def compile_path(text: str) -> QueryPath:
    """Compile a JSONPath query; raise ValueError naming the column on bad syntax."""
    raise NotImplementedError
