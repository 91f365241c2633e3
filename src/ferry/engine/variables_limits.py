"""Size limits on workflow variables, checked when a state's ``Assign`` is applied.

"Passing data between states with variables" (https://docs.aws.amazon.com/step-functions/latest/
dg/workflow-variables.html), section "Limits": a single variable holds at most 256 KiB, one
``Assign`` field stores at most 256 KiB in all, and an execution holds at most 10 MiB of
variables. Sizes are the UTF-8 bytes of the value's JSON text, as for the 256 KiB payload limit.

AWS documents the limits but not the error an execution fails with when an ``Assign`` breaks
one, nor its cause text. :data:`LIMIT_ERROR` is ``States.DataLimitExceeded``, the error AWS
gives for every other size quota ("a States.DataLimitExceeded exception will be thrown" for a
payload over the quota, concepts-error-handling.html); the causes below are Ferry's wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from ferry.errors import StatesError
from ferry.jsontypes import JSON, payload_size

KIB = 1024
MAX_VARIABLE_BYTES = 256 * KIB
MAX_ASSIGN_BYTES = 256 * KIB
MAX_EXECUTION_BYTES = 10 * KIB * KIB
MAX_NAME_LENGTH = 80

LIMIT_ERROR = StatesError.DATA_LIMIT_EXCEEDED


def check_assign_sizes(values: Mapping[str, JSON]) -> str | None:
    """Check the variables one ``Assign`` is about to store.

    Args:
        values: Each variable name with its evaluated value.

    Returns:
        ``None`` when within the limits, else the cause text to fail with :data:`LIMIT_ERROR`.
    """
    total = 0
    for name, value in values.items():
        size = payload_size(value)
        if size > MAX_VARIABLE_BYTES:
            return (
                f"The value assigned to the variable '{name}' is {size} bytes, exceeding the "
                f"maximum variable size of {MAX_VARIABLE_BYTES} bytes (256 KiB)."
            )
        total += size
    if total > MAX_ASSIGN_BYTES:
        return (
            f"The variables assigned by this state total {total} bytes, exceeding the maximum "
            f"of {MAX_ASSIGN_BYTES} bytes (256 KiB) for one Assign field."
        )
    return None


def check_execution_size(variables: Mapping[str, JSON]) -> str | None:
    """Check every variable an execution holds after an ``Assign`` (all scopes together).

    Returns:
        ``None`` when within 10 MiB, else the cause text to fail with :data:`LIMIT_ERROR`.
    """
    total = sum(payload_size(value) for value in variables.values())
    if total > MAX_EXECUTION_BYTES:
        return (
            f"The workflow variables of this execution total {total} bytes, exceeding the "
            f"maximum of {MAX_EXECUTION_BYTES} bytes (10 MiB) per execution."
        )
    return None
