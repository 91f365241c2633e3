"""Indefinite JSONPath queries (wildcards, ``..``, slices, unions, filters, ``length()``),
delegated to python-jsonpath and compiled once.

The whole query runs from its root, so a filter that refers to ``$`` sees the same root as
in Jayway. A trailing ``.length()`` (a Jayway function) is applied to the matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonpath

from ferry.expr.segments import Root
from ferry.jsontypes import JSON

_LENGTH = ".length()"


@dataclass(frozen=True, slots=True)
class Query:
    """A compiled indefinite query; ``run`` returns the list of matches."""

    compiled: Any
    length: bool

    def run(self, data: JSON) -> JSON:
        """Evaluate against the root value ``data``."""
        matches: list[JSON] = self.compiled.findall(data)
        if not self.length:
            return matches
        if len(matches) == 1 and isinstance(matches[0], list | dict | str):
            return len(matches[0])
        return len(matches)

    def empty(self) -> JSON:
        """The result when the definite prefix selected nothing."""
        return 0 if self.length else []


def compile_query(text: str, root: Root, variable: str | None) -> Query:
    """Compile ``text`` (whose root marker is ``root``) into a Query; ValueError on bad syntax."""
    body = text
    length = body.endswith(_LENGTH)
    if length:
        body = body[: -len(_LENGTH)]
    marker = {Root.DATA: 1, Root.CONTEXT: 2, Root.VARIABLE: 1 + len(variable or "")}[root]
    try:
        compiled = jsonpath.compile("$" + body[marker:])
    except jsonpath.JSONPathError as exc:
        raise ValueError(f"Invalid JSONPath '{text}': {exc}") from None
    return Query(compiled, length)
