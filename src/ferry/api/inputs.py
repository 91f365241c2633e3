"""JSON text from a request (execution input, task output), with AWS's parse-error texts.

AWS parses these with Jackson and quotes its message (recorded, StartExecution):
"Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting (JSON String,
Number, Array, Object or token 'null', 'true' or 'false')'" and, for ``{'a': 1}``,
"... 'Unexpected character (''' (code 39)): was expecting double-quote to start field name'".
An empty string is "Invalid execution input.".
"""

from __future__ import annotations

import json
import re

from ferry.jsontypes import JSON

MAX_PAYLOAD = 262_144  # the API model's limit on input/output strings (256 KiB)
_TOKEN = re.compile(r"[^\s\[\]{}(),:\"']+")
_EXPECTING_VALUE = (
    "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
)


class BadJsonError(ValueError):
    """JSON text AWS would refuse; the message is AWS's (Jackson's) description."""


def decode(text: str) -> JSON:
    """The value of JSON ``text``.

    Raises:
        BadJsonError: The text is empty, too large or not JSON.
    """
    if not text.strip():
        raise BadJsonError("Invalid execution input.")
    if len(text.encode("utf-8")) > MAX_PAYLOAD:
        raise BadJsonError(f"The input exceeds the maximum size of {MAX_PAYLOAD} bytes.")
    try:
        return json.loads(text, parse_constant=_reject)
    except json.JSONDecodeError as exc:
        raise BadJsonError(_jackson_message(text, exc)) from None
    except (ValueError, RecursionError):
        raise BadJsonError("Invalid execution input.") from None


def _reject(name: str) -> JSON:
    raise ValueError(name)


def _jackson_message(text: str, exc: json.JSONDecodeError) -> str:
    """Jackson's wording for the first error in ``text``."""
    if exc.pos >= len(text):
        return "Unexpected end-of-input"
    char = text[exc.pos]
    if exc.msg.startswith("Expecting property name"):
        return _unexpected(char, "was expecting double-quote to start field name")
    if exc.msg == "Expecting value":
        token = _TOKEN.match(text, exc.pos)
        if token is not None and char.isalpha():
            return f"Unrecognized token '{token.group()}': {_EXPECTING_VALUE}"
        return _unexpected(
            char, "expected a valid value " + _EXPECTING_VALUE[len("was expecting ") :]
        )
    return _unexpected(char, exc.msg[0].lower() + exc.msg[1:])


def _unexpected(char: str, expectation: str) -> str:
    return f"Unexpected character ('{char}' (code {ord(char)})): {expectation}"
