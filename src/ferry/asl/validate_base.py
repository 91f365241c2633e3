"""The diagnostic collector shared by the validation modules, and its typed field checks.

A :class:`Checker` only accumulates diagnostics; every check reports and carries on, so one
run lists every problem in the file rather than the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ferry.asl.diagnostics import SCHEMA_VALIDATION_FAILED, Diagnostic, pointer
from ferry.asl.validate_syntax import check_jsonata_string, is_jsonata
from ferry.jsontypes import JSON, is_number, type_name

# ASL caps every integer count of seconds/attempts at 99999999 (docs: state-task.html,
# concepts-error-handling.html).
MAX_INT = 99_999_999


def is_integer(value: JSON) -> bool:
    """Whether ``value`` is a JSON integer (``2.0`` counts, as in Jackson; booleans do not)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


@dataclass(slots=True)
class Checker:
    """Collects diagnostics while the definition is walked."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(self, code: str, location: str, message: str) -> None:
        """Record one diagnostic."""
        self.diagnostics.append(Diagnostic(code, location, message))

    def schema(self, location: str, message: str) -> None:
        """Record a SCHEMA_VALIDATION_FAILED diagnostic."""
        self.report(SCHEMA_VALIDATION_FAILED, location, message)

    def syntax(
        self, loc: str, name: str, value: JSON, check: Callable[[str], str | None], what: str
    ) -> None:
        """Require a string that passes the syntax ``check``; ``what`` names the expectation."""
        if not isinstance(value, str):
            self.schema(loc, f"'{name}' must be a string ({what}), got {type_name(value)}")
            return
        error = check(value)
        if error:
            self.schema(loc, f"'{name}' is not a valid {what}: {error}")

    def string(self, loc: str, name: str, value: JSON, *, nonempty: bool = False) -> bool:
        """Require a string (non-empty if asked); return whether it is one."""
        if not isinstance(value, str):
            self.schema(loc, f"'{name}' must be a string, got {type_name(value)}")
            return False
        if nonempty and not value:
            self.schema(loc, f"'{name}' must not be empty")
            return False
        return True

    def obj(self, loc: str, name: str, value: JSON) -> bool:
        """Require a JSON object; return whether it is one."""
        if not isinstance(value, dict):
            label = name if " " in name else f"'{name}'"  # "A state" reads better unquoted
            self.schema(loc, f"{label} must be a JSON object, got {type_name(value)}")
            return False
        return True

    def array(self, loc: str, name: str, value: JSON, *, nonempty: bool = False) -> bool:
        """Require an array (non-empty if asked); return whether it is one."""
        if not isinstance(value, list):
            self.schema(loc, f"'{name}' must be an array, got {type_name(value)}")
            return False
        if nonempty and not value:
            self.schema(loc, f"'{name}' must be a non-empty array")
            return False
        return True

    def boolean(self, loc: str, name: str, value: JSON) -> bool:
        """Require a boolean; return whether it is one."""
        if not isinstance(value, bool):
            self.schema(loc, f"'{name}' must be true or false, got {type_name(value)}")
            return False
        return True

    def integer(self, loc: str, name: str, value: JSON, low: int, high: int = MAX_INT) -> bool:
        """Require an integer in ``[low, high]``; return whether it is one."""
        if not is_integer(value) or not low <= value <= high:
            self.schema(loc, f"'{name}' must be an integer from {low} to {high}, got {value!r}")
            return False
        return True

    def number(self, loc: str, name: str, value: JSON, low: float, high: float) -> bool:
        """Require a number in ``[low, high]``; return whether it is one."""
        if not is_number(value) or not low <= value <= high:
            self.schema(loc, f"'{name}' must be a number from {low:g} to {high:g}, got {value!r}")
            return False
        return True

    def jsonata(self, loc: str, name: str, value: JSON) -> bool:
        """Accept a well-formed ``{% %}`` string; return whether ``value`` was JSONata."""
        if not isinstance(value, str) or not value.startswith("{%"):
            return False
        error = check_jsonata_string(value)
        if error:
            self.schema(loc, f"'{name}': {error}")
        return True

    def integer_or_jsonata(
        self, loc: str, name: str, value: JSON, low: int, *, jsonata: bool
    ) -> None:
        """An integer field that a JSONata state may also give as an expression."""
        if jsonata and is_jsonata(value):
            self.jsonata(loc, name, value)
            return
        if jsonata and isinstance(value, str):
            self.schema(loc, f"'{name}' must be an integer or a JSONata expression '{{% %}}'")
            return
        self.integer(loc, name, value, low)

    def jsonata_strings(self, loc: str, value: JSON) -> None:
        """Check every ``{% ... %}`` string inside a JSONata-state value."""
        if isinstance(value, str):
            error = check_jsonata_string(value)
            if error:
                self.schema(loc, error)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.jsonata_strings(pointer(loc, key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.jsonata_strings(pointer(loc, index), item)
