"""The JSONata workload (issue 5): an inline Map over 1,000 items computing with JSONata, next to
the same computation written in JSONPath (Parameters and intrinsic functions).

Both definitions do the same work per item, so their rates compare the two query languages and
nothing else: one Pass state builds an object from the item with an addition, a string made from
two fields, a string split and an array. ``tests/benchmarks/test_bench_jsonata.py`` checks that
both produce the same output. They are measured exactly as the runtime workloads of
``workloads.py`` (``run.py`` adds them to that list): every engine gets the same JSON, and every
run's status and output are checked against ``expected_output``.

State entries per execution: the Map state, then one Pass per item, so ``1 + items``
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-executions.html).
"""

from __future__ import annotations

from typing import Any

from workloads import FULL_MAP_ITEMS, QUICK_SIZE, Workload

JSON = Any

#: What the JSONata Pass computes per item (AWS: a JSONata Pass state's ``Output`` is its output,
#: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
JSONATA_OUTPUT = (
    "{% {"
    "'id': $states.input.id, "
    "'label': $states.input.name & '/' & $string($states.input.id), "
    "'sum': $states.input.price + $states.input.qty, "
    "'parts': $split($states.input.name, '-'), "
    "'pair': [$states.input.id, $states.input.qty]"
    "} %}"
)

#: The same object with JSONPath Parameters and intrinsic functions
#: (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
JSONPATH_PARAMETERS = {
    "id.$": "$.id",
    "label.$": "States.Format('{}/{}', $.name, $.id)",
    "sum.$": "States.MathAdd($.price, $.qty)",
    "parts.$": "States.StringSplit($.name, '-')",
    "pair.$": "States.Array($.id, $.qty)",
}


def items(count: int) -> list[dict[str, JSON]]:
    """The Map's input items: integers only, as ``States.MathAdd`` takes integers."""
    return [
        {"id": i, "name": f"sku-{i:04d}", "price": 100 + i % 37, "qty": 1 + i % 9}
        for i in range(count)
    ]


def expected(item: dict[str, JSON]) -> dict[str, JSON]:
    """What both definitions output for one item."""
    name = item["name"]
    return {
        "id": item["id"],
        "label": f"{name}/{item['id']}",
        "sum": item["price"] + item["qty"],
        "parts": name.split("-"),
        "pair": [item["id"], item["qty"]],
    }


def jsonata_definition() -> dict[str, JSON]:
    """``QueryLanguage: JSONata``: Map over ``{% $states.input.items %}``, a Pass per item."""
    compute = {"Type": "Pass", "Output": JSONATA_OUTPUT, "End": True}
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "Items": "{% $states.input.items %}",
                "ItemProcessor": _processor(compute),
                "End": True,
            }
        },
    }


def jsonpath_definition() -> dict[str, JSON]:
    """The JSONPath equivalent: Map over ``$.items``, a Pass with Parameters per item."""
    compute = {"Type": "Pass", "Parameters": JSONPATH_PARAMETERS, "End": True}
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": _processor(compute),
                "End": True,
            }
        },
    }


def _processor(compute: dict[str, JSON]) -> dict[str, JSON]:
    return {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "Compute",
        "States": {"Compute": compute},
    }


def jsonata_map(count: int = FULL_MAP_ITEMS) -> Workload:
    """1 execution, inline Map over ``count`` items, a JSONata Pass per item."""
    return _workload("jsonata_map", "JSONata", jsonata_definition(), count)


def jsonpath_map(count: int = FULL_MAP_ITEMS) -> Workload:
    """The same Map computing the same objects with JSONPath Parameters and intrinsics."""
    return _workload("jsonpath_map", "JSONPath", jsonpath_definition(), count)


def _workload(name: str, language: str, definition: dict[str, JSON], count: int) -> Workload:
    elements = items(count)
    return Workload(
        name=name,
        title=f"1 execution, inline Map over {count} items, a Pass computing with {language}",
        definition=definition,
        input={"items": elements},
        executions=1,
        transitions=1 + count,
        expected_output=[expected(element) for element in elements],
    )


def jsonata_workloads(*, quick: bool = False) -> list[Workload]:
    """The JSONata workload and its JSONPath twin, at full or (``quick``) smoke-test size."""
    count = QUICK_SIZE if quick else FULL_MAP_ITEMS
    return [jsonata_map(count), jsonpath_map(count)]
