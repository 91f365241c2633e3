"""JSONata expressions behind Ferry's own interface: compile once, evaluate many times.

The engine underneath is jsonatapy (a Rust port of the reference JSONata, MIT); nothing outside
this module and its ``jsonata_*`` siblings imports it. An expression sees ``$states``
(``input``, ``result``, ``errorOutput``, ``context``) and the workflow variables as ``$name``;
there is no context value ``$`` (AWS rejects top-level ``$`` in definitions).

Results are JSON or ``UNDEFINED`` (JSONata's "nothing"); the caller decides whether its field
accepts nothing. Failures raise ``JsonataError`` (``States.QueryEvaluationError``) with AWS's
wording, see ``ferry.expr.jsonata_errors``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ferry.expr.jsonata_errors import (
    RETURNED_UNSUPPORTED,
    JsonataError,
    error_code,
    normalise_detail,
    threw,
)
from ferry.expr.jsonata_functions import ADDED, OVERRIDDEN
from ferry.jsontypes import JSON

__all__ = [
    "UNDEFINED",
    "JsonataError",
    "JsonataExpression",
    "Undefined",
    "compile_jsonata",
    "expression_text",
    "is_expression",
]


class Undefined:
    """JSONata's "nothing": what ``$states.input.missing`` evaluates to. One instance."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = Undefined()

OPEN, CLOSE = "{%", "%}"

# Errors the parser raises when the text simply stops: a prefix of a longer, valid expression
# fails with one of these, which is how ``_syntax_column`` tells "not there yet" from "wrong".
_END_OF_INPUT_CODES = frozenset({"S0101", "S0106", "S0203", "S0207", "S0302"})


def is_expression(value: JSON) -> bool:
    """Whether ``value`` is a JSONata expression string: ``{%`` first, ``%}`` last.

    AWS's rule is exact: no whitespace is allowed before ``{%`` or after ``%}``; inside the
    delimiters it is free.
    """
    return (
        isinstance(value, str)
        and value.startswith(OPEN)
        and value.endswith(CLOSE)
        and len(value) >= 4
    )


def expression_text(value: str) -> str:
    """The expression between the delimiters, trimmed, as AWS quotes it in its messages."""
    return value[len(OPEN) : -len(CLOSE)].strip()


# jsonatapy's compiled expressions are PyO3 "unsendable" objects: using or dropping one on
# another thread than the one that made it raises. So each thread keeps its own compiled
# copies, keyed by text, in a module-level thread-local that is never freed (a thread's
# entries are dropped when that thread ends, on that thread). Bounded per thread.
_PER_THREAD = threading.local()
_PER_THREAD_LIMIT = 4096


def _native(text: str) -> Any:
    """This thread's compiled expression for ``text`` (compiled on first use here)."""
    cache: OrderedDict[str, Any] | None = getattr(_PER_THREAD, "cache", None)
    if cache is None:
        cache = _PER_THREAD.cache = OrderedDict()
    compiled = cache.get(text)
    if compiled is None:
        compiled = _compile_native(text)
        cache[text] = compiled
        if len(cache) > _PER_THREAD_LIMIT:
            cache.popitem(last=False)
    else:
        cache.move_to_end(text)
    return compiled


def _compile_native(text: str) -> Any:
    import jsonatapy  # noqa: PLC0415 - loaded on first use: it costs ~5 MB resident

    compiled = jsonatapy.compile(text)
    for name, function in ADDED.items():
        compiled.register(name, function)
    for name, function in OVERRIDDEN.items():
        compiled.register_override(name, function)
    return compiled


@dataclass(frozen=True, slots=True)
class JsonataExpression:
    """A compiled JSONata expression (the text between ``{%`` and ``%}``).

    Safe to share between threads: the native object behind it is per thread (see
    :func:`_native`).
    """

    text: str

    @property
    def _compiled(self) -> Any:
        return _native(self.text)

    def evaluate(
        self,
        states: Mapping[str, JSON],
        variables: Mapping[str, JSON],
        *,
        data: JSON | Undefined = UNDEFINED,
    ) -> JSON | Undefined:
        """Evaluate with ``$states`` bound to ``states`` and each variable bound as ``$name``.

        ``data`` is the context value ``$``; ASL gives none (AWS rejects ``$`` at the top
        level), the upstream JSONata suite does.

        Returns the JSON result, or ``UNDEFINED`` when the expression produced nothing.

        Raises JsonataError: the expression threw (``threw an error during evaluation. <code>:
        <message>``) or returned a function, which JSON cannot hold. Its message names no
        field; ``JsonataError.for_field`` words it for one.
        """
        bindings = {**variables, "states": states}
        try:
            raw = self._run(bindings, None if isinstance(data, Undefined) else json.dumps(data))
        except ValueError as error:
            raise JsonataError(self.text, threw(normalise_detail(str(error)))) from None
        if raw is None:
            return UNDEFINED
        if raw == '""' and self._is_function_result(bindings, data):
            # The library serialises a function result as an empty string; the Python result
            # (None for a function, "" for a string) tells them apart.
            raise JsonataError(self.text, RETURNED_UNSUPPORTED)
        return json.loads(raw)

    def _is_function_result(self, bindings: dict[str, JSON], data: JSON | Undefined) -> bool:
        context = None if isinstance(data, Undefined) else data
        try:
            result = self._compiled.evaluate(context, bindings)
        except OverflowError:
            result = self._compiled.evaluate(context, _floats_for_big_ints(bindings))
        return result is None

    def _run(self, bindings: dict[str, JSON], data: str | None) -> str | None:
        try:
            result: str | None = self._compiled.evaluate_json_or_none(data, bindings)
        except OverflowError:
            # The library holds numbers as 64-bit values, as JavaScript holds them as doubles:
            # an integer beyond that range reaches the expression as the nearest double.
            result = self._compiled.evaluate_json_or_none(data, _floats_for_big_ints(bindings))
        return result


def compile_jsonata(text: str) -> JsonataExpression:
    """Compile the JSONata expression ``text`` (without the ``{% %}`` delimiters).

    Raises ValueError: the text is not valid JSONata; the message gives the 1-based column
    where the parser stopped and the JSONata error code, e.g.
    ``JSONata syntax error at column 4: S0211: ...``.
    """
    try:
        _native(text)  # compile once here to report syntax errors now
    except ValueError as error:
        detail = normalise_detail(str(error))
        column = _syntax_column(text, error_code(detail))
        raise ValueError(f"JSONata syntax error at column {column}: {detail}") from None
    return JsonataExpression(text)


def _syntax_column(text: str, code: str | None) -> int:
    """The 1-based column of the character where parsing goes wrong.

    The library does not report positions, so find the shortest prefix that already fails
    with the same error; errors that mean "the text ended too soon" point past the end.
    """
    if code is None or code in _END_OF_INPUT_CODES:
        return len(text) + 1
    for end in range(1, len(text) + 1):
        try:
            import jsonatapy  # noqa: PLC0415

            jsonatapy.compile(text[:end])
        except ValueError as error:
            if error_code(normalise_detail(str(error))) == code:
                return end
    return len(text) + 1


def _floats_for_big_ints(value: JSON) -> JSON:
    if isinstance(value, dict):
        return {key: _floats_for_big_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_floats_for_big_ints(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return float(value)
    return value
