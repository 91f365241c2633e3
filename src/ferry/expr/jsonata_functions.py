"""The functions AWS adds to JSONata, and the one it takes away.

"Transforming data with JSONata in Step Functions" (https://docs.aws.amazon.com/step-functions/
latest/dg/transforming-data.html, section "JSONata functions provided by Step Functions") lists
``$partition(array, size)``, ``$range(start, end, step)``, ``$hash(value, algorithm)`` (MD5,
SHA-1, SHA-256, SHA-384, SHA-512), ``$random([seed])``, ``$uuid()`` and ``$parse(json)``, and
says ``$eval`` is not available. They are registered on every compiled expression through
jsonatapy's host-function hook (``register`` / ``register_override``), so they run as Python.

Argument errors are worded as JSONata's own signature check words them
(``T0410: Argument 1 of function $partition does not match function signature``); AWS does not
document its texts for these functions, so only the code and shape are the reference's.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Callable

from ferry.jsontypes import JSON, is_number

HostFunction = Callable[..., JSON]

HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


class FunctionError(Exception):
    """Raised inside a host function; its text is ``<code>: <message>``."""


def _signature_error(name: str, index: int) -> FunctionError:
    return FunctionError(
        f"T0410: Argument {index} of function ${name} does not match function signature"
    )


def _check_arity(name: str, args: tuple[JSON, ...], least: int, most: int) -> None:
    if len(args) > most:
        raise _signature_error(name, most + 1)
    if len(args) < least:
        raise _signature_error(name, len(args) + 1)


def _integer(name: str, value: JSON, index: int) -> int:
    if not is_number(value) or value != int(value):
        raise _signature_error(name, index)
    return int(value)


def partition(*args: JSON) -> JSON:
    """``$partition(array, size)``: consecutive chunks of ``size`` items, the last maybe shorter."""
    _check_arity("partition", args, 2, 2)
    items, size_value = args
    if not isinstance(items, list):
        raise _signature_error("partition", 1)
    size = _integer("partition", size_value, 2)
    if size <= 0:
        raise FunctionError(f"D3141: The chunk size of $partition must be positive, got {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]


def range_(*args: JSON) -> JSON:
    """``$range(start, end, step)``: from ``start`` to ``end`` inclusive by ``step``."""
    _check_arity("range", args, 3, 3)
    start, end, step = (_integer("range", value, i + 1) for i, value in enumerate(args))
    if step == 0:
        raise FunctionError("D3141: The step of $range must not be zero")
    stop = end + (1 if step > 0 else -1)
    return list(range(start, stop, step))


def hash_(*args: JSON) -> JSON:
    """``$hash(value, algorithm)``: the hex digest of the UTF-8 bytes of the string ``value``."""
    _check_arity("hash", args, 2, 2)
    value, algorithm = args
    if not isinstance(value, str):
        raise _signature_error("hash", 1)
    if not isinstance(algorithm, str):
        raise _signature_error("hash", 2)
    digest = HASH_ALGORITHMS.get(algorithm)
    if digest is None:
        supported = ", ".join(HASH_ALGORITHMS)
        raise FunctionError(
            f"D3141: The hashing algorithm '{algorithm}' is not supported; use one of {supported}"
        )
    return hashlib.new(digest, value.encode("utf-8")).hexdigest()


def random_(*args: JSON) -> JSON:
    """``$random([seed])``: a number in [0, 1); the same for the same integer ``seed``."""
    _check_arity("random", args, 0, 1)
    if not args:
        return random.random()
    return random.Random(_integer("random", args[0], 1)).random()


def uuid_(*args: JSON) -> JSON:
    """``$uuid()``: a version 4 UUID."""
    _check_arity("uuid", args, 0, 0)
    return str(uuid.uuid4())


def parse(*args: JSON) -> JSON:
    """``$parse(json)``: the JSON value the string holds."""
    _check_arity("parse", args, 1, 1)
    (text,) = args
    if not isinstance(text, str):
        raise _signature_error("parse", 1)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise FunctionError(f"D3141: Unable to parse the JSON string: {text}") from None


def eval_(*_args: JSON) -> JSON:
    """``$eval`` is not part of AWS's JSONata: calling it fails as calling a non-function."""
    raise FunctionError("T1006: Attempted to invoke a non-function")


ADDED: dict[str, HostFunction] = {
    "partition": partition,
    "range": range_,
    "hash": hash_,
    "uuid": uuid_,
    "parse": parse,
}
"""Functions JSONata lacks, registered with ``register``."""

OVERRIDDEN: dict[str, HostFunction] = {"random": random_, "eval": eval_}
"""Built-ins AWS replaces, registered with ``register_override``."""
