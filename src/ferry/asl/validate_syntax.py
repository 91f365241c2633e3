"""Syntax checks for the strings inside a definition: JSONPath paths, intrinsic function
calls, JSONata ``{% %}`` wrappers and RFC 3339 timestamps.

Each checker returns ``None`` when the text is valid and otherwise a short English reason.
They check syntax only, as AWS does when a state machine is created: whether a path finds
anything is a run-time question.

Paths are checked by :func:`_check_path` alone, so that the expression engine's own parser
(``ferry.expr``) can replace the minimal one here without touching any caller.
"""

from __future__ import annotations

import re

# ASL: "Intrinsic functions" (docs: intrinsic-functions.html) — the complete list.
INTRINSICS = frozenset(
    {
        "States.Format",
        "States.StringToJson",
        "States.JsonToString",
        "States.Array",
        "States.ArrayPartition",
        "States.ArrayContains",
        "States.ArrayRange",
        "States.ArrayGetItem",
        "States.ArrayLength",
        "States.ArrayUnique",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.JsonMerge",
        "States.MathRandom",
        "States.MathAdd",
        "States.StringSplit",
        "States.UUID",
    }
)

# RFC 3339 date-time as AWS accepts it in Wait.Timestamp: upper-case T, a zone offset or Z
# (docs: state-wait.html "Timestamps must conform to the RFC3339 profile of ISO 8601 ...
# an uppercase T must separate the date and time portions, and an uppercase Z must denote
# that a numeric time zone offset is not present").
_TIMESTAMP = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME_STOP = frozenset(".[]")


def check_timestamp(text: str) -> str | None:
    """Check an RFC 3339 timestamp such as ``2016-03-14T01:59:00Z``."""
    if _TIMESTAMP.match(text):
        return None
    return "expected an RFC 3339 timestamp such as '2016-03-14T01:59:00Z'"


def is_jsonata(value: object) -> bool:
    """Whether ``value`` is a JSONata expression string, ``{% ... %}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def check_jsonata_string(text: str) -> str | None:
    """Check that a string opening ``{%`` is a whole, non-empty ``{% ... %}`` expression."""
    if not text.startswith("{%"):
        return None
    if not text.endswith("%}") or len(text) < 4:
        return "a JSONata expression must be written '{% expression %}'"
    if not text[2:-2].strip():
        return "the JSONata expression between '{%' and '%}' is empty"
    return None


def check_reference_path(text: str) -> str | None:
    """Check a Reference Path (ResultPath): a path to one node, no filters or wildcards."""
    return _check_path(text, reference=True)


def check_path(text: str) -> str | None:
    """Check a JSONPath (InputPath, OutputPath, ItemsPath, ``*Path`` and ``.$`` values)."""
    return _check_path(text, reference=False)


def check_path_or_intrinsic(text: str) -> str | None:
    """Check a ``.$`` value: a JSONPath, or an intrinsic function call."""
    if text.startswith("States."):
        return check_intrinsic(text)
    return check_path(text)


def _check_path(text: str, *, reference: bool) -> str | None:
    if not text.startswith("$"):
        return "a path must start with '$' (or '$$' for the context object)"
    pos = _root_end(text)
    while pos < len(text):
        pos, error = _segment(text, pos, reference=reference)
        if error:
            return f"{error} at column {pos + 1}"
    return None


def _root_end(text: str) -> int:
    """Skip the root: ``$``, ``$$`` or a variable ``$name``."""
    if text.startswith("$$"):
        return 2
    pos = 1
    while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
        pos += 1
    return pos


def _segment(text: str, pos: int, *, reference: bool) -> tuple[int, str | None]:
    char = text[pos]
    if char == "[":
        return _bracket(text, pos, reference=reference)
    if char != ".":
        return pos, f"unexpected {char!r}"
    if text.startswith("..", pos):
        if reference:
            return pos, "'..' (deep scan) is not allowed in a reference path"
        pos += 1
    pos += 1
    if pos < len(text) and text[pos] == "[":
        # AWS accepts "$.items.[0]" (docs sample patterns), a dot before a bracket.
        return _bracket(text, pos, reference=reference)
    start = pos
    while pos < len(text) and text[pos] not in _NAME_STOP:
        pos += 1
    name = text[start:pos]
    if not name:
        return pos, "expected a field name after '.'"
    if name == "*" and reference:
        return start, "'*' (wildcard) is not allowed in a reference path"
    return pos, None


def _bracket(text: str, pos: int, *, reference: bool) -> tuple[int, str | None]:
    end = _matching_bracket(text, pos)
    if end < 0:
        return pos, "'[' is never closed"
    inner = text[pos + 1 : end].strip()
    if not inner:
        return pos, "empty brackets '[]'"
    if inner[0] in "'\"":
        if len(inner) < 2 or inner[-1] != inner[0]:
            return pos, "unterminated quoted name in brackets"
        return end + 1, None
    if inner.isdigit():
        return end + 1, None
    if reference:
        return pos, f"'[{inner}]' is not allowed in a reference path (only names and indexes)"
    return end + 1, None


def _matching_bracket(text: str, pos: int) -> int:
    depth, quote = 0, ""
    for index in range(pos, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
    return -1


def check_intrinsic(text: str) -> str | None:
    """Check an intrinsic function call such as ``States.Format('{}', $.name)``."""
    parser = _IntrinsicParser(text)
    error = parser.call()
    if error is None and parser.pos != len(text):
        error = f"unexpected text after the closing ')' at column {parser.pos + 1}"
    return error


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "._"


class _IntrinsicParser:
    """Recursive descent over ``States.Name(arg, ...)``; args are literals, paths or calls."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def call(self) -> str | None:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in "._"
        ):
            self.pos += 1
        name = self.text[start : self.pos]
        if name not in INTRINSICS:
            return f"'{name}' is not an intrinsic function (expected one of States.Format, ...)"
        if not self._take("("):
            return f"expected '(' after {name} at column {self.pos + 1}"
        self._spaces()
        if self._take(")"):
            return None
        while True:
            error = self.argument()
            if error:
                return error
            self._spaces()
            if self._take(")"):
                return None
            if not self._take(","):
                return f"expected ',' or ')' at column {self.pos + 1}"
            self._spaces()

    def argument(self) -> str | None:
        rest = self.text[self.pos :]
        if rest.startswith("'"):
            return self._string()
        if rest.startswith("States."):
            return self.call()
        if rest.startswith("$"):
            return self._path()
        for word in ("true", "false", "null"):
            if rest.startswith(word):
                self.pos += len(word)
                return None
        number = _NUMBER.match(rest)
        if number:
            self.pos += number.end()
            return None
        return f"expected an argument (string, number, path or function) at column {self.pos + 1}"

    def _string(self) -> str | None:
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 2 if char == "\\" else 1
            if char == "'":
                return None
        return "unterminated string literal (strings are written between single quotes)"

    def _path(self) -> str | None:
        start, depth = self.pos, 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        error = check_path(self.text[start : self.pos].rstrip())
        return f"invalid path argument: {error}" if error else None

    def _take(self, char: str) -> bool:
        if self.text.startswith(char, self.pos):
            self.pos += 1
            return True
        return False

    def _spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
