"""Errors raised while evaluating expressions; the engine turns them into ASL failures."""

from __future__ import annotations


class ExprError(Exception):
    """An expression failed at run time.

    ``error`` is the ASL error name (``States.Runtime``, ``States.IntrinsicFailure``...);
    ``message`` is AWS's text *after* the "An error occurred while executing the state 'X'
    (entered at the event id #N). " prefix, which the engine adds.
    """

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


class PathNotFound(ExprError):  # noqa: N818 - public name fixed by the contract
    """A reference path or JSONPath matched nothing.

    ``path`` is the path as written (``$.a.b``); ``normalized`` is Jayway's normalised form
    that AWS quotes (``$['a']['b']``). The engine words the message for the field at hand.
    """

    def __init__(self, path: str, normalized: str) -> None:
        super().__init__(
            "States.Runtime", f"Invalid path '{path}' : No results for path: {normalized}"
        )
        self.path = path
        self.normalized = normalized
