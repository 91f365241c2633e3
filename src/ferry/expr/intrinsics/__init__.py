"""Intrinsic functions (``States.Format(...)`` and friends): compiled once into an AST whose
calls are checked against the function table, then evaluated many times.

One module per family: arrays, strings, encoding (Base64, Hash, UUID), json_, math_.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ferry.expr.intrinsics import arrays, encoding, json_, math_, strings
from ferry.expr.intrinsics.common import Spec
from ferry.expr.intrinsics.parser import Arg, Call, Literal, PathArg, is_intrinsic, parse_call
from ferry.expr.paths import QueryPath
from ferry.jsontypes import JSON

FUNCTIONS: dict[str, Spec] = {
    **arrays.SPECS,
    **strings.SPECS,
    **encoding.SPECS,
    **json_.SPECS,
    **math_.SPECS,
}

# "You can nest up to 10 intrinsic functions within a field"
# (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
MAX_NESTING = 10

Resolver = Callable[[QueryPath], JSON]
"""Evaluates a path argument against the right root (data, context or variable)."""

__all__ = ["FUNCTIONS", "Intrinsic", "Resolver", "compile_intrinsic", "is_intrinsic"]


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """A compiled intrinsic function call."""

    text: str
    call: Call

    def evaluate(self, resolve: Resolver) -> JSON:
        """Evaluate; path arguments go through ``resolve``. Raises ExprError
        (States.IntrinsicFailure) when a function rejects its arguments."""
        return _evaluate(self.call, resolve)

    def paths(self) -> list[QueryPath]:
        """Every path argument, nested calls included (for validation by callers)."""
        return _paths(self.call)


def compile_intrinsic(text: str) -> Intrinsic:
    """Parse and check an intrinsic call; ValueError names the problem."""
    call = parse_call(text)
    _check(text, call, 1)
    return Intrinsic(text, call)


def _check(text: str, call: Call, depth: int) -> None:
    if depth > MAX_NESTING:
        raise ValueError(
            f"Invalid intrinsic function '{text}': more than {MAX_NESTING} nested functions"
        )
    spec = FUNCTIONS.get(call.name)
    if spec is None:
        raise ValueError(f"Invalid intrinsic function '{text}': unknown function {call.name}")
    count = len(call.args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise ValueError(
            f"Invalid intrinsic function '{text}': {call.name} takes {_arity(spec)}, got {count}"
        )
    for arg in call.args:
        if isinstance(arg, Call):
            _check(text, arg, depth + 1)


def _arity(spec: Spec) -> str:
    if spec.max_args is None:
        return f"at least {spec.min_args} argument(s)"
    if spec.min_args == spec.max_args:
        return f"{spec.min_args} argument(s)"
    return f"{spec.min_args} to {spec.max_args} arguments"


def _evaluate(call: Call, resolve: Resolver) -> JSON:
    values = [_value(arg, resolve) for arg in call.args]
    first = call.args[0] if call.args else None
    if call.name == "States.Format" and isinstance(first, Literal) and first.raw is not None:
        # Format reads its template as written, so `\{` stays distinct from a placeholder.
        values[0] = first.raw
    return FUNCTIONS[call.name].impl(values)


def _value(arg: Arg, resolve: Resolver) -> JSON:
    if isinstance(arg, Literal):
        return arg.value
    if isinstance(arg, PathArg):
        return resolve(arg.path)
    return _evaluate(arg, resolve)


def _paths(call: Call) -> list[QueryPath]:
    found: list[QueryPath] = []
    for arg in call.args:
        if isinstance(arg, PathArg):
            found.append(arg.path)
        elif isinstance(arg, Call):
            found.extend(_paths(arg))
    return found
