"""µs per evaluation of 10 ASL-style JSONata expressions through Ferry's interface.

Run: ``.venv/bin/python tests/expr/jsonata_suite/bench.py``. A measurement, not a test: it
prints the median over rounds of the mean time per evaluation (compiled once, as the engine does).
"""

from __future__ import annotations

import statistics
import time

from ferry.expr.jsonata import compile_jsonata

EXPRESSIONS = [
    "$states.input.order.id",
    "$states.input.order.items[price > 10].sku",
    "$sum($states.input.order.items.(price * qty))",
    "{'id': $states.input.order.id, 'total': $total, 'count': $count($states.input.order.items)}",
    "$states.input.order.status = 'PAID' and $total > 100",
    "$partition($states.input.order.items, 2)",
    "$uppercase($states.input.order.customer.name) & '-' & $string($states.input.order.id)",
    "$states.result.Payload.body ? $parse($states.result.Payload.body).ok : false",
    "$map($states.input.order.items, function($i) { $i.sku & ':' & $string($i.qty) })",
    "$states.context.Execution.Id & '/' & $states.context.State.Name",
]

STATES = {
    "input": {
        "order": {
            "id": 42,
            "status": "PAID",
            "customer": {"name": "ada"},
            "items": [{"sku": f"S{n}", "price": n * 3.5, "qty": n % 4 + 1} for n in range(8)],
        }
    },
    "result": {"Payload": {"body": '{"ok": true}'}},
    "context": {"Execution": {"Id": "arn:aws:states:::execution:m:e"}, "State": {"Name": "S"}},
}
VARIABLES = {"total": 120.5}


def main(rounds: int = 7, loops: int = 2000) -> None:
    compiled = [compile_jsonata(text) for text in EXPRESSIONS]
    per_eval = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(loops):
            for expression in compiled:
                expression.evaluate(STATES, VARIABLES)
        per_eval.append((time.perf_counter() - start) / (loops * len(compiled)) * 1e6)
    print(f"median {statistics.median(per_eval):.1f} µs/eval over {rounds} rounds")


if __name__ == "__main__":
    main()
