"""ARNs and names as Step Functions shapes and checks them.

Shapes (API reference, "Amazon Resource Names"):
``arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`` and
``arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME``. AWS answers an ARN it cannot read with
``InvalidArn`` and texts such as (recorded on AWS, DescribeStateMachine)
"Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ferry.api.errors import ApiError

_PREFIX = re.compile(r"^arn:aws[a-z-]*:states:")
# Names (CreateStateMachine, StartExecution): no whitespace, brackets, wildcards, these special
# characters or control characters (API reference, CreateStateMachine "name").
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Arn:
    """A Step Functions ARN split at its colons."""

    region: str
    account: str
    resource_type: str
    parts: tuple[str, ...]


def invalid_arn(detail: str) -> ApiError:
    """AWS's ``InvalidArn`` error."""
    return ApiError("InvalidArn", f"Invalid Arn: '{detail}'")


def parse(arn: str, *types: str) -> Arn:
    """Split ``arn``; its resource type must be one of ``types``.

    Raises:
        ApiError: ``InvalidArn`` for a foreign prefix, a malformed ARN or another type.
    """
    if not _PREFIX.match(arn):
        raise invalid_arn(f"Invalid ARN prefix: {arn}")
    fields = arn.split(":")
    if len(fields) < 7 or not all(fields[3:7]):
        raise invalid_arn(f"Invalid ARN format: {arn}")
    parsed = Arn(fields[3], fields[4], fields[5], tuple(fields[6:]))
    if parsed.resource_type not in types:
        raise invalid_arn(f"Resource type not valid in this context: {parsed.resource_type}")
    return parsed


def machine_arn(region: str, account: str, name: str) -> str:
    """The ARN of state machine ``name``."""
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def check_name(name: str) -> str:
    """``name`` if AWS accepts it for a state machine or an execution.

    Raises:
        ApiError: ``InvalidName`` (AWS's text: "Invalid Name: 'NAME'").
    """
    if not name or len(name) > MAX_NAME or _BAD_NAME.search(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")
    return name
