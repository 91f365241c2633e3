"""JSON intrinsics: StringToJson, JsonToString, JsonMerge
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-json-manipulate)."""

from __future__ import annotations

import json

from ferry.expr.intrinsics.common import Spec, expect_object, expect_string, fail
from ferry.jsontypes import JSON, dumps


def string_to_json(args: list[JSON]) -> JSON:
    """States.StringToJson(text): the parsed JSON; blank text gives null, as AWS answers."""
    text = expect_string("States.StringToJson", args[0], 1)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise fail(f"Invalid JSON text for States.StringToJson: '{text}'") from None


def json_to_string(args: list[JSON]) -> JSON:
    """States.JsonToString(value): compact JSON text, as AWS prints it."""
    return dumps(args[0])


def json_merge(args: list[JSON]) -> JSON:
    """States.JsonMerge(a, b, deep): ``a`` shallow-merged with ``b`` (``b`` wins).

    AWS supports only the shallow mode; ``deep`` must be ``false``.
    """
    left = expect_object("States.JsonMerge", args[0], 1)
    right = expect_object("States.JsonMerge", args[1], 2)
    if args[2] is not False:
        raise fail(
            "Invalid argument 3 for States.JsonMerge: only shallow merging is supported, "
            "the deep flag must be false"
        )
    return {**left, **right}


SPECS: dict[str, Spec] = {
    "States.StringToJson": Spec(string_to_json, 1, 1),
    "States.JsonToString": Spec(json_to_string, 1, 1),
    "States.JsonMerge": Spec(json_merge, 3, 3),
}
