"""String intrinsics: Format and StringSplit
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic)."""

from __future__ import annotations

from ferry.expr.intrinsics.common import Spec, expect_string, fail, java_text
from ferry.jsontypes import JSON

PLACEHOLDER = object()
"""Marks a ``{}`` in a parsed Format template."""


def parse_template(raw: str) -> list[str | object]:
    """Split a Format template (as written, escapes kept) into text and placeholders.

    ``\\{``, ``\\}``, ``\\'`` and ``\\\\`` stand for the character itself; ``{}`` is a
    placeholder.
    """
    parts: list[str | object] = []
    text: list[str] = []
    pos = 0
    while pos < len(raw):
        if raw[pos] == "\\" and pos + 1 < len(raw):
            text.append(raw[pos + 1])
            pos += 2
        elif raw.startswith("{}", pos):
            parts.extend(["".join(text), PLACEHOLDER])
            text = []
            pos += 2
        else:
            text.append(raw[pos])
            pos += 1
    parts.append("".join(text))
    return parts


def format_(args: list[JSON]) -> JSON:
    """States.Format(template, v, ...): each ``{}`` replaced by the next value.

    The caller passes the template as written (escapes kept) when it is a literal.
    """
    template = expect_string("States.Format", args[0], 1)
    parts = parse_template(template)
    values = args[1:]
    holes = sum(1 for part in parts if part is PLACEHOLDER)
    if holes != len(values):
        raise fail(
            f"States.Format has {holes} placeholder(s) but {len(values)} argument(s) to fill them"
        )
    fill = iter(values)
    return "".join(java_text(next(fill)) if p is PLACEHOLDER else str(p) for p in parts)


def string_split(args: list[JSON]) -> JSON:
    """States.StringSplit(text, delimiters): split at any delimiter character.

    AWS drops empty pieces: splitting ``"a,,b"`` at ``","`` gives ``["a", "b"]``, as the
    recorded conformance cases show (Java StringTokenizer behaviour).
    """
    text = expect_string("States.StringSplit", args[0], 1)
    delimiters = expect_string("States.StringSplit", args[1], 2)
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [piece for piece in pieces if piece]


SPECS: dict[str, Spec] = {
    "States.Format": Spec(format_, 1, None),
    "States.StringSplit": Spec(string_split, 2, 2),
}
