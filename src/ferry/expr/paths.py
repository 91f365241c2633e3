"""JSONPath in ASL: reference paths (InputPath, ResultPath, OutputPath, *Path fields, Choice
Variable) and general JSONPath queries (``.$`` values, ItemsPath).

Both are compiled once. A path's root says what it reads: ``$`` the data, ``$$`` the context
object, ``$name`` a workflow variable. The engine picks that value and passes it to ``get`` /
``find`` / ``put``; the path itself never looks anything up by root.
"""

from __future__ import annotations

from dataclasses import dataclass

from ferry.expr.errors import ExprError, PathNotFound
from ferry.expr.jsonpath_query import Query, compile_query
from ferry.expr.segments import Root, Segment, normalized, parse_prefix, walk
from ferry.jsontypes import JSON, dumps

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class ReferencePath:
    """A compiled reference path: ``$``, ``$.a.b``, ``$['a b'][0]``, or ``$$.`` context paths.

    ``root`` tells the engine which value to hand to ``get``: the data (``Root.DATA``), the
    context object (``Root.CONTEXT``, also flagged by ``is_context``) or the variable named by
    ``variable`` (``Root.VARIABLE``).
    """

    text: str
    root: Root = Root.DATA
    variable: str | None = None
    segments: tuple[Segment, ...] = ()

    @property
    def is_context(self) -> bool:
        """True for ``$$`` paths, which the engine evaluates against the context object."""
        return self.root is Root.CONTEXT

    def get(self, data: JSON) -> JSON:
        """Return the single value the path selects; raise PathNotFound if none."""
        value, missing = walk(data, self.segments)
        if missing is not None:
            raise PathNotFound(self.text, normalized(self.segments))
        return value

    def put(self, data: JSON, value: JSON) -> JSON:
        """Return a copy of ``data`` with ``value`` placed at the path (ResultPath).

        Objects missing along the way are created; only the nodes on the path are copied.
        Raises ExprError(States.ResultPathMatchFailure) when an intermediate node is not an
        object (or, for an index step, not an array long enough).
        """
        try:
            return _put(data, self.segments, value)
        except _NoMatchError:
            raise ExprError(
                "States.ResultPathMatchFailure",
                f"Unable to apply ReferencePath {self.text} to input {dumps(data)}",
            ) from None


class _NoMatchError(Exception):
    """ResultPath cannot be applied at some step."""


def _put(node: JSON, segments: tuple[Segment, ...], value: JSON) -> JSON:
    if not segments:
        return value
    head, rest = segments[0], segments[1:]
    if isinstance(head, str):
        if node is _ABSENT:
            node = {}
        if not isinstance(node, dict):
            raise _NoMatchError
        copy = dict(node)
        copy[head] = _put(node.get(head, _ABSENT), rest, value)
        return copy
    if not isinstance(node, list) or not -len(node) <= head < len(node):
        raise _NoMatchError
    items = list(node)
    items[head] = _put(items[head], rest, value)
    return items


@dataclass(frozen=True, slots=True)
class QueryPath:
    """A compiled JSONPath that may use filters, wildcards, slices and unions.

    Jayway semantics: a *definite* path (``definite`` is True) yields its value or raises
    PathNotFound; an indefinite one yields the list of matches, possibly empty. The root is
    read as for ReferencePath (``root``, ``variable``, ``is_context``).
    """

    text: str
    root: Root = Root.DATA
    variable: str | None = None
    segments: tuple[Segment, ...] = ()
    query: Query | None = None

    @property
    def is_context(self) -> bool:
        """True for ``$$`` paths, which the engine evaluates against the context object."""
        return self.root is Root.CONTEXT

    @property
    def definite(self) -> bool:
        """True when the path can select at most one node."""
        return self.query is None

    def find(self, data: JSON) -> JSON:
        """A definite path gives its value; an indefinite one gives the list of matches."""
        value, missing = walk(data, self.segments)
        # A definite path fails when anything is missing; an indefinite one (wildcard, slice,
        # filter) yields no matches instead (AWS: "$.items[*]" on {} gives []).
        if missing is not None and self.query is None:
            raise PathNotFound(self.text, normalized(self.segments))
        if self.query is None:
            return value
        if missing is not None:
            return self.query.empty()
        return self.query.run(data)


def compile_reference_path(text: str) -> ReferencePath:
    """Compile a reference path; raise ValueError naming the column on bad syntax."""
    parsed = parse_prefix(text)
    if parsed.end != len(text):
        raise ValueError(
            f"Invalid reference path '{text}': only '.name', \"['name']\" and '[index]' steps "
            f"are allowed (column {parsed.end + 1})"
        )
    return ReferencePath(text, parsed.root, parsed.variable, parsed.segments)


def compile_path(text: str) -> QueryPath:
    """Compile a JSONPath query; raise ValueError naming the column on bad syntax."""
    parsed = parse_prefix(text)
    query = None if parsed.end == len(text) else compile_query(text, parsed.root, parsed.variable)
    return QueryPath(text, parsed.root, parsed.variable, parsed.segments, query)
