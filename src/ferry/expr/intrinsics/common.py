"""Shared rules of the intrinsic functions: failures, argument checks, JSON equality and the
Java-style text AWS prints for values inside ``States.Format``."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ferry.expr.errors import ExprError
from ferry.jsontypes import JSON, type_name

# AWS caps the string inputs of Base64Encode/Base64Decode/Hash at 10,000 characters
# (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
MAX_STRING = 10_000

Impl = Callable[[list[JSON]], JSON]


@dataclass(frozen=True, slots=True)
class Spec:
    """An intrinsic function: its implementation and how many arguments it takes."""

    impl: Impl
    min_args: int
    max_args: int | None


def fail(message: str) -> ExprError:
    """The States.IntrinsicFailure error every intrinsic raises at run time."""
    return ExprError("States.IntrinsicFailure", message)


def expect_string(function: str, value: JSON, position: int) -> str:
    """Return ``value`` if it is a string, else fail naming the argument."""
    if not isinstance(value, str):
        raise fail(_wrong_type(function, position, "a string", value))
    return value


def expect_array(function: str, value: JSON, position: int) -> list[JSON]:
    """Return ``value`` if it is an array, else fail naming the argument."""
    if not isinstance(value, list):
        raise fail(_wrong_type(function, position, "an array", value))
    return value


def expect_object(function: str, value: JSON, position: int) -> dict[str, JSON]:
    """Return ``value`` if it is an object, else fail naming the argument."""
    if not isinstance(value, dict):
        raise fail(_wrong_type(function, position, "a JSON object", value))
    return value


def expect_integer(function: str, value: JSON, position: int) -> int:
    """Return ``value`` as an integer; AWS rounds a non-integer number to the nearest one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(_wrong_type(function, position, "a number", value))
    if isinstance(value, float):
        # Java's Math.round: halves go towards positive infinity.
        return math.floor(value + 0.5)
    return value


def expect_short_string(function: str, value: JSON, position: int) -> str:
    """A string argument no longer than AWS's 10,000-character limit."""
    text = expect_string(function, value, position)
    if len(text) > MAX_STRING:
        raise fail(
            f"The input to {function} exceeds the maximum of {MAX_STRING} characters "
            f"(length {len(text)})"
        )
    return text


def _wrong_type(function: str, position: int, expected: str, value: JSON) -> str:
    return (
        f"Invalid argument {position} for {function}: expected {expected}, got {type_name(value)}"
    )


def json_equal(left: JSON, right: JSON) -> bool:
    """JSON equality: numbers by value, but a boolean never equals a number."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type_name(left) == type_name(right) and left == right


def java_text(value: JSON) -> str:
    """How AWS (Java) prints a value into a Format string: strings bare, objects as
    ``{a=1, b=[]}``, arrays as ``[1, 2]``."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"


def java_double(value: float) -> str:
    """Java's Double.toString: plain between 1e-3 and 1e7, else ``d.dddE±n``."""
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "e" not in text else f"{value:.1f}"
    mantissa, exponent = f"{value:.17e}".split("e")
    digits = repr(float(f"{float(mantissa):.15g}"))  # shortest form of the mantissa
    return f"{digits}E{int(exponent)}"
