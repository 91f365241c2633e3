"""Math intrinsics: MathRandom and MathAdd
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-math-operation).

AWS takes integer arguments and rounds any other number to the nearest integer.
"""

from __future__ import annotations

import random

from ferry.expr.intrinsics.common import Spec, expect_integer, fail
from ferry.jsontypes import JSON

_RANDOM = random.Random()


def math_random(args: list[JSON]) -> JSON:
    """States.MathRandom(start, end[, seed]): an integer in ``[start, end)``."""
    start = expect_integer("States.MathRandom", args[0], 1)
    end = expect_integer("States.MathRandom", args[1], 2)
    if end <= start:
        raise fail(f"States.MathRandom needs start < end, got start {start} and end {end}")
    if len(args) == 3:
        seed = expect_integer("States.MathRandom", args[2], 3)
        return random.Random(seed).randrange(start, end)
    return _RANDOM.randrange(start, end)


def math_add(args: list[JSON]) -> JSON:
    """States.MathAdd(a, b): the integer sum."""
    return expect_integer("States.MathAdd", args[0], 1) + expect_integer(
        "States.MathAdd", args[1], 2
    )


SPECS: dict[str, Spec] = {
    "States.MathRandom": Spec(math_random, 2, 3),
    "States.MathAdd": Spec(math_add, 2, 2),
}
