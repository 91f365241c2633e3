"""ItemSelector for a Distributed Map: each child's input, from its item and the state's scope.

AWS ("ItemSelector (Map)", https://docs.aws.amazon.com/step-functions/latest/dg/
input-output-itemselector.html): the selector is evaluated once per item, with the context
object's ``Map.Item.Index`` and ``Map.Item.Value`` set to the item's position and value. In
JSONPath those are ``$$.Map.Item.Index`` / ``$$.Map.Item.Value`` and ``$`` is the Map state's
effective input; in JSONata they are ``$states.context.Map.Item.*``, ``$states.input`` is the
state's input and the workflow variables are visible. Without an ItemSelector the child's
input is the item itself (or its batch, built by the batcher).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ferry.expr.errors import ExprError
from ferry.expr.jsonata_template import JsonataTemplate, compile_jsonata_template
from ferry.expr.template import Template, compile_template
from ferry.jsontypes import JSON


class SelectorError(Exception):
    """The ItemSelector could not be compiled or evaluated: ``(error, cause)`` as AWS reports."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


@dataclass(frozen=True, slots=True)
class ItemSelector:
    """A compiled ItemSelector bound to the Map state's input, context and variables."""

    template: Template | JsonataTemplate | None
    selector_input: JSON
    context: Mapping[str, JSON]
    variables: Mapping[str, JSON]

    def select(self, index: int, value: JSON) -> JSON:
        """The input of the child for item ``index`` whose value is ``value``.

        Raises:
            SelectorError: A path found nothing, an intrinsic or JSONata expression failed.
        """
        if self.template is None:
            return value
        context = {**self.context, "Map": {"Item": {"Index": index, "Value": value}}}
        try:
            if isinstance(self.template, Template):
                return self.template.evaluate(self.selector_input, context, self.variables)
            states = {"input": self.selector_input, "context": context}
            return self.template.evaluate(states, self.variables)
        except ExprError as exc:
            raise SelectorError(exc.error, exc.message) from None


def compile_selector(
    raw: JSON,
    query_language: str,
    selector_input: JSON,
    context: JSON,
    variables: JSON,
) -> ItemSelector:
    """Compile the SPEC's ``itemSelector`` in the Map state's query language.

    Raises:
        SelectorError: The template does not compile (``States.Runtime``, naming where).
    """
    template: Template | JsonataTemplate | None = None
    try:
        if raw is not None and query_language == "JSONata":
            template = compile_jsonata_template(raw, "ItemSelector")
        elif raw is not None:
            template = compile_template(raw)
    except ValueError as exc:
        raise SelectorError("States.Runtime", f"ItemSelector: {exc}") from None
    return ItemSelector(
        template,
        selector_input,
        context if isinstance(context, dict) else {},
        variables if isinstance(variables, dict) else {},
    )
