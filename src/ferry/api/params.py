"""Request parameters, checked against the constraints of the Step Functions API model.

AWS reports a broken constraint as ``ValidationException`` in one fixed style, e.g. (recorded
on AWS, ListStateMachines): "1 validation error detected: Value '1001' at 'maxResults' failed to
satisfy constraint: Member must have value less than or equal to 1000". A value of the wrong
JSON type cannot be deserialised at all, which AWS reports as ``SerializationException``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ferry.api.errors import ApiError, validation_error
from ferry.jsontypes import JSON

JSONObject = dict[str, JSON]


def _constraint(value: object, name: str, rule: str) -> ApiError:
    shown = "null" if value is None else f"'{value}'"
    return validation_error(f"Value {shown} at '{name}' failed to satisfy constraint: {rule}")


def _wrong_type(name: str, expected: str) -> ApiError:
    return ApiError("SerializationException", f"Unexpected value type for '{name}': {expected}")


class Params:
    """The decoded body of one request, read field by field with the model's constraints."""

    def __init__(self, body: JSONObject) -> None:
        self.body = body

    def raw(self, name: str) -> JSON:
        """The value as sent (None when absent)."""
        return self.body.get(name)

    def string(
        self, name: str, *, required: bool = False, min_len: int = 0, max_len: int | None = None
    ) -> str | None:
        """A string field; None when absent and not required."""
        value = self.body.get(name)
        if value is None:
            if required:
                raise _constraint(None, name, "Member must not be null")
            return None
        if not isinstance(value, str):
            raise _wrong_type(name, "expected a string")
        if len(value) < min_len:
            rule = f"Member must have length greater than or equal to {min_len}"
            raise _constraint(value, name, rule)
        if max_len is not None and len(value) > max_len:
            rule = f"Member must have length less than or equal to {max_len}"
            raise _constraint(value, name, rule)
        return value

    def required(self, name: str, *, max_len: int | None = None) -> str:
        """A required non-empty string field."""
        value = self.string(name, required=True, min_len=1, max_len=max_len)
        assert value is not None
        return value

    def integer(self, name: str, *, minimum: int = 0, maximum: int | None = None) -> int | None:
        """An integer field within ``[minimum, maximum]``; None when absent."""
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong_type(name, "expected an integer")
        if value < minimum:
            rule = f"Member must have value greater than or equal to {minimum}"
            raise _constraint(value, name, rule)
        if maximum is not None and value > maximum:
            rule = f"Member must have value less than or equal to {maximum}"
            raise _constraint(value, name, rule)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        """A boolean field, ``default`` when absent."""
        value = self.body.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise _wrong_type(name, "expected a boolean")
        return value

    def enum(self, name: str, allowed: Sequence[str]) -> str | None:
        """A string field that must be one of ``allowed``; None when absent."""
        value = self.string(name)
        if value is not None and value not in allowed:
            rule = f"Member must satisfy enum value set: [{', '.join(allowed)}]"
            raise _constraint(value, name, rule)
        return value

    def objects(self, name: str) -> list[JSONObject]:
        """A list of JSON objects (e.g. ``tags``); empty when absent."""
        value = self.body.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _wrong_type(name, "expected a list of objects")
        return [v for v in value if isinstance(v, dict)]

    def strings(self, name: str, *, required: bool = False) -> list[str]:
        """A list of strings (e.g. ``tagKeys``)."""
        value = self.body.get(name)
        if value is None:
            if required:
                raise _constraint(None, name, "Member must not be null")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _wrong_type(name, "expected a list of strings")
        return [v for v in value if isinstance(v, str)]

    def page(self, token_max: int) -> tuple[int, str | None]:
        """``maxResults`` (0..1000, 0 is the default page) and ``nextToken``."""
        max_results = self.integer("maxResults", minimum=0, maximum=1000) or 0
        token = self.string("nextToken", min_len=1, max_len=token_max)
        return max_results, token
