"""Parse an intrinsic function call such as ``States.Format('{} x', $.a, States.UUID())`` into
an AST, once, at compile time.

Arguments are string literals in single quotes (``\\`` escapes the next character), numbers,
``true``/``false``/``null``, paths (``$.x``, ``$$.x``, ``$var``) and nested calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ferry.expr.paths import QueryPath, compile_path
from ferry.jsontypes import JSON

_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_KEYWORDS: dict[str, JSON] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant argument. For strings, ``raw`` keeps the escapes as written (Format needs
    them to tell ``\\{`` from a placeholder)."""

    value: JSON
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class PathArg:
    """A path argument, evaluated against the data, the context or a variable."""

    path: QueryPath


@dataclass(frozen=True, slots=True)
class Call:
    """A call of the intrinsic ``name`` with its arguments."""

    name: str
    args: tuple[Literal | PathArg | Call, ...]


Arg = Literal | PathArg | Call


def is_intrinsic(text: str) -> bool:
    """True when ``text`` is written as an intrinsic call (``States.Name(``)."""
    match = _NAME.match(text)
    return match is not None and text[match.end() :].lstrip().startswith("(")


def parse_call(text: str) -> Call:
    """Parse ``text`` as one intrinsic call; raise ValueError naming the column on bad syntax."""
    parser = _Parser(text)
    call = parser.call()
    parser.skip_spaces()
    if parser.pos != len(text):
        parser.fail("unexpected text after the call")
    return call


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> None:
        raise ValueError(
            f"Invalid intrinsic function '{self.text}': {what} at column {self.pos + 1}"
        )

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def call(self) -> Call:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            self.fail("expected 'States.<Function>('")
            raise AssertionError  # unreachable: fail raises
        self.pos = match.end()
        self.skip_spaces()
        if self.peek() != "(":
            self.fail("expected '('")
        self.pos += 1
        return Call(match.group(), self.arguments())

    def arguments(self) -> tuple[Arg, ...]:
        args: list[Arg] = []
        self.skip_spaces()
        if self.peek() == ")":
            self.pos += 1
            return ()
        while True:
            self.skip_spaces()
            args.append(self.argument())
            self.skip_spaces()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return tuple(args)
            if char != ",":
                self.pos -= 1
                self.fail("expected ',' or ')'")

    def argument(self) -> Arg:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if self.text.startswith("States.", self.pos):
            return self.call()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            text = number.group()
            return Literal(float(text) if number.group(1) or number.group(2) else int(text))
        for word, value in _KEYWORDS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Literal(value)
        self.fail("expected an argument")
        raise AssertionError  # unreachable: fail raises

    def string(self) -> Literal:
        start = self.pos + 1
        chars: list[str] = []
        pos = start
        while pos < len(self.text):
            char = self.text[pos]
            if char == "\\" and pos + 1 < len(self.text):
                chars.append(self.text[pos + 1])
                pos += 2
            elif char == "'":
                self.pos = pos + 1
                return Literal("".join(chars), self.text[start:pos])
            else:
                chars.append(char)
                pos += 1
        self.fail("unterminated string literal")
        raise AssertionError  # unreachable: fail raises

    def path(self) -> PathArg:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        return PathArg(compile_path(self.text[start : self.pos].rstrip()))
