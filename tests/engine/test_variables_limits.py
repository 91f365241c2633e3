"""Size limits of workflow variables (workflow-variables.html, "Limits": 256 KiB per variable,
256 KiB per Assign, 10 MiB per execution; sizes are UTF-8 bytes of the JSON text)."""

from __future__ import annotations

from ferry.engine.variables_limits import (
    LIMIT_ERROR,
    MAX_ASSIGN_BYTES,
    MAX_EXECUTION_BYTES,
    MAX_VARIABLE_BYTES,
    check_assign_sizes,
    check_execution_size,
)
from ferry.jsontypes import JSON


def _text(size: int) -> str:
    """A string whose JSON text (with its two quotes) is ``size`` bytes."""
    return "x" * (size - 2)


def test_documented_limits() -> None:
    assert (MAX_VARIABLE_BYTES, MAX_ASSIGN_BYTES, MAX_EXECUTION_BYTES) == (
        262_144,
        262_144,
        10_485_760,
    )
    assert LIMIT_ERROR == "States.DataLimitExceeded"


def test_a_variable_of_exactly_256_kib_fits() -> None:
    assert check_assign_sizes({"big": _text(MAX_VARIABLE_BYTES)}) is None


def test_a_variable_one_byte_over_is_refused() -> None:
    cause = check_assign_sizes({"ok": 1, "big": _text(MAX_VARIABLE_BYTES + 1)})
    assert cause is not None
    assert "'big'" in cause
    assert "262145 bytes" in cause


def test_utf8_bytes_are_counted_not_characters() -> None:
    # 100,000 three-byte characters: 300,002 bytes of JSON text, under 256 Ki characters.
    cause = check_assign_sizes({"wide": "€" * 100_000})
    assert cause is not None
    assert "300002 bytes" in cause


def test_the_whole_assign_is_limited_too() -> None:
    half = _text(MAX_ASSIGN_BYTES // 2)
    assert check_assign_sizes({"a": half, "b": half}) is None
    cause = check_assign_sizes({"a": half, "b": half, "c": 1})
    assert cause is not None
    assert "one Assign" in cause


def test_execution_total() -> None:
    variables: dict[str, JSON] = {f"v{i}": _text(MAX_VARIABLE_BYTES) for i in range(40)}
    assert check_execution_size(variables) is None
    variables["one_more"] = 7
    cause = check_execution_size(variables)
    assert cause is not None
    assert "10 MiB" in cause
