"""The hand-written core of reference paths: parse ``$.a['b c'][0]`` once into segments, then
walk them without re-parsing.

A path starts at one of three roots: ``$`` (the data), ``$$`` (the context object) or
``$name`` (a workflow variable). The *definite prefix* of a path is the longest run of plain
name and index steps; anything after it (``*``, ``..``, filters, slices, unions, functions)
makes the path indefinite and is left to the JSONPath query layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ferry.jsontypes import JSON

Segment = str | int
"""A property name or an array index (negative counts from the end, as Jayway does)."""

_INDEX = re.compile(r"\s*(-?\d+)\s*\]")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters that cannot appear in a dot-notation name; they belong to other syntax.
_NAME_STOP = frozenset(".[")
_NAME_FORBIDDEN = frozenset("]'\"?@,:() \t\n")


class Root(Enum):
    """What a path is evaluated against; the engine picks the value for each root."""

    DATA = "$"
    CONTEXT = "$$"
    VARIABLE = "$var"


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of parsing a path's definite prefix.

    ``end`` is where the prefix stops; ``end == len(text)`` means the whole path is definite.
    """

    root: Root
    variable: str | None
    segments: tuple[Segment, ...]
    end: int


def syntax_error(text: str, pos: int, what: str) -> ValueError:
    """A ValueError that names the path and the (1-based) column of the problem."""
    return ValueError(f"Invalid JSONPath '{text}': {what} at column {pos + 1}")


def parse_root(text: str) -> tuple[Root, str | None, int]:
    """Read the root marker; return the root, the variable name if any, and the next index."""
    if not text.startswith("$"):
        raise syntax_error(text, 0, "a path must start with '$'")
    if text.startswith("$$"):
        return Root.CONTEXT, None, 2
    match = _VARIABLE.match(text, 1)
    if match:
        return Root.VARIABLE, match.group(), match.end()
    return Root.DATA, None, 1


def parse_prefix(text: str) -> Parsed:
    """Parse the root and the definite prefix of ``text``; raise ValueError on bad syntax."""
    root, variable, pos = parse_root(text)
    segments: list[Segment] = []
    while pos < len(text):
        step = _parse_step(text, pos)
        if step is None:
            break
        segment, pos = step
        if segment is not None:
            segments.append(segment)
    return Parsed(root, variable, tuple(segments), pos)


def _parse_step(text: str, pos: int) -> tuple[Segment | None, int] | None:
    """Parse one step at ``pos``; None when the step is not definite (left to the query)."""
    char = text[pos]
    if char == ".":
        if text.startswith("..", pos):
            return None
        if pos + 1 < len(text) and text[pos + 1] == "[":
            return None, pos + 1  # Jayway accepts `$.a.[0]` as `$.a[0]`.
        return _parse_name(text, pos + 1)
    if char == "[":
        return _parse_bracket(text, pos)
    raise syntax_error(text, pos, f"unexpected character {char!r}")


def _parse_name(text: str, start: int) -> tuple[Segment, int] | None:
    end = start
    while end < len(text) and text[end] not in _NAME_STOP:
        end += 1
    name = text[start:end]
    if name == "*" or name.endswith("()"):
        return None
    if not name:
        raise syntax_error(text, start, "expected a property name")
    bad = next((i for i, c in enumerate(name) if c in _NAME_FORBIDDEN), None)
    if bad is not None:
        raise syntax_error(text, start + bad, f"unexpected character {name[bad]!r}")
    return name, end


def _parse_bracket(text: str, pos: int) -> tuple[Segment, int] | None:
    index = _INDEX.match(text, pos + 1)
    if index:
        return int(index.group(1)), index.end()
    inner = pos + 1
    while inner < len(text) and text[inner] == " ":
        inner += 1
    if inner < len(text) and text[inner] in "'\"":
        name, after = read_quoted(text, inner)
        while after < len(text) and text[after] == " ":
            after += 1
        if after < len(text) and text[after] == "]":
            return name, after + 1
        if after < len(text) and text[after] == ",":
            return None  # a union of names
        raise syntax_error(text, after, "expected ']'")
    if text.find("]", pos) < 0:
        raise syntax_error(text, pos, "unclosed '['")
    return None  # wildcard, slice, union or filter


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read a quoted name starting at the quote; a backslash escapes only the quote."""
    quote = text[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] == quote:
            # Jayway unescapes only the quote; other backslashes stay (AWS: a key
            # written 'Test\\""Name"' keeps its backslash).
            chars.append(quote)
            pos += 2
            continue
        if char == quote:
            return "".join(chars), pos + 1
        chars.append(char)
        pos += 1
    raise syntax_error(text, start, "unterminated quoted name")


def normalized(segments: tuple[Segment, ...]) -> str:
    """Jayway's normalised form, as AWS quotes it: ``$['a'][0]``."""
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in segments)


class Missing(Enum):
    """Why a walk found nothing: a missing property or an index out of range."""

    PROPERTY = "property"
    INDEX = "index"


def walk(data: JSON, segments: tuple[Segment, ...]) -> tuple[JSON, Missing | None]:
    """Follow ``segments``; return ``(value, None)`` or ``(None, reason)`` when absent."""
    node = data
    for segment in segments:
        if isinstance(segment, str):
            if not isinstance(node, dict) or segment not in node:
                return None, Missing.PROPERTY
            node = node[segment]
        else:
            if not isinstance(node, list) or not -len(node) <= segment < len(node):
                return None, Missing.INDEX
            node = node[segment]
    return node, None
