"""AWS's wording of JSONata failures (``States.QueryEvaluationError``).

AWS quotes the expression and the field it sits in, then says what went wrong::

    The JSONata expression '$x' specified for the field 'Output/error' returned nothing (undefined).
    The JSONata expression '$f()' specified for the field 'Arguments' threw an error during
    evaluation. T1006: Attempted to invoke a non-function
    The JSONata expression '$v' specified for the field 'Items' returned an unexpected result
    type. Expected 'array', but was 'boolean' for value: true

(texts recorded on AWS; ../shared/conformance cases ``test_map_catch_error``,
``test_math_random_seeded``, ``test_map_state_items_eval_jsonata_variable_sampling_fail``).
The engine prefixes "An error occurred while executing the state 'X' (entered at the event
id #N). ".

AWS runs the reference JSONata (2.0.6), so the ``<code>: <message>`` detail is the reference's
text. The library we use words a few errors differently; ``normalise_detail`` maps those back.
"""

from __future__ import annotations

import re

from ferry.expr.errors import ExprError
from ferry.jsontypes import JSON, dumps, type_name

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

RETURNED_UNDEFINED = "returned nothing (undefined)."
RETURNED_UNSUPPORTED = "returned an unsupported result type."

# The reference implementation's texts for codes whose message takes no argument: where the
# library adds detail (T1006 names the function), AWS shows only the reference text.
_FIXED_TEXTS = {
    "T1006": "Attempted to invoke a non-function",
    "T1008": "Attempted to partially apply a non-function",
    "T2003": "The left side of the range operator (..) must evaluate to an integer",
    "T2004": "The right side of the range operator (..) must evaluate to an integer",
    "T2006": "The right side of the function application operator ~> must be a function",
    "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
    "D1004": "Regular expression matches zero length string",
    "D3001": "Attempting to invoke string function on Infinity or NaN",
    "D3010": "Second argument of replace function cannot be an empty string",
    "D3011": "Fourth argument of replace function must evaluate to a positive number",
    "D3012": "Attempted to replace a matched string with a non-string value",
    "D3020": "Third argument of split function must evaluate to a positive number",
    "D3040": "Third argument of match function must evaluate to a positive number",
    "D3050": "The second argument of reduce function must be a function with at least two "
    "arguments",
    "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
}

# The library may put context first ("Parse error: Invalid number: S0102: ..."): the detail
# starts at the first error code.
_CODED = re.compile(r"^(?:.*?: )??([A-Z]\d{4}): (.*)$", re.DOTALL)
_HOST_FUNCTION = re.compile(r"^host function raised \w+: (.*)$", re.DOTALL)


class JsonataError(ExprError):
    """A JSONata expression failed or returned what its field cannot hold.

    ``expression`` is the expression as written between ``{%`` and ``%}``; ``problem`` is the
    end of AWS's sentence ("threw an error during evaluation. T1006: ..."). ``message`` is
    worded for ``field`` ("" until the caller knows it); ``for_field`` rewords it.
    """

    def __init__(self, expression: str, problem: str, field: str = "") -> None:
        super().__init__(
            QUERY_EVALUATION_ERROR, query_evaluation_message(expression, field, problem)
        )
        self.expression = expression
        self.problem = problem
        self.field = field

    def for_field(self, field: str) -> JsonataError:
        """The same failure, worded for ``field`` (``Output/error``, ``Items``...)."""
        return JsonataError(self.expression, self.problem, field)


def query_evaluation_message(expression: str, field: str, problem: str) -> str:
    """AWS's cause text for a failed JSONata expression in ``field``."""
    if not field:
        return f"The JSONata expression '{expression}' {problem}"
    return f"The JSONata expression '{expression}' specified for the field '{field}' {problem}"


def threw(detail: str) -> str:
    """The problem text for an evaluation error: ``detail`` is ``<code>: <message>``."""
    return f"threw an error during evaluation. {detail}"


def unexpected_type(expected: str, value: JSON) -> str:
    """The problem text for a result of the wrong JSON type (``expected`` as AWS names it)."""
    return (
        f"returned an unexpected result type. Expected '{expected}', but was "
        f"'{type_name(value)}' for value: {dumps(value)}"
    )


def unexpected_type_error(expression: str, field: str, expected: str, value: JSON) -> JsonataError:
    """``States.QueryEvaluationError`` for a result that is not of the ``expected`` type."""
    return JsonataError(expression, unexpected_type(expected, value), field)


def normalise_detail(raw: str) -> str:
    """Turn the library's error text into the reference's ``<code>: <message>``."""
    host = _HOST_FUNCTION.match(raw)
    if host:
        raw = host.group(1)
    coded = _CODED.match(raw)
    if coded is None:
        return raw
    code, message = coded.groups()
    return f"{code}: {_FIXED_TEXTS.get(code, message)}"


def error_code(detail: str) -> str | None:
    """The JSONata error code at the start of ``detail``, if any."""
    coded = _CODED.match(detail)
    return coded.group(1) if coded else None
