"""Encoding and hashing intrinsics: Base64Encode, Base64Decode, Hash and UUID
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-data-encode-decode)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid

from ferry.expr.intrinsics.common import Spec, expect_short_string, expect_string, fail
from ferry.jsontypes import JSON

# The algorithm names AWS accepts, mapped to hashlib's.
ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def base64_encode(args: list[JSON]) -> JSON:
    """States.Base64Encode(text): the Base64 of the UTF-8 bytes of ``text``."""
    text = expect_short_string("States.Base64Encode", args[0], 1)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def base64_decode(args: list[JSON]) -> JSON:
    """States.Base64Decode(text): the UTF-8 text that the Base64 ``text`` encodes."""
    text = expect_short_string("States.Base64Decode", args[0], 1)
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise fail(f"Invalid Base64 input for States.Base64Decode: '{text}'") from None


def hash_(args: list[JSON]) -> JSON:
    """States.Hash(data, algorithm): the hex digest of the UTF-8 bytes of ``data``."""
    data = expect_short_string("States.Hash", args[0], 1)
    algorithm = expect_string("States.Hash", args[1], 2)
    name = ALGORITHMS.get(algorithm)
    if name is None:
        raise fail(
            f"Invalid hash algorithm '{algorithm}' for States.Hash; use one of "
            + ", ".join(ALGORITHMS)
        )
    return hashlib.new(name, data.encode("utf-8")).hexdigest()


def uuid_(args: list[JSON]) -> JSON:
    """States.UUID(): a random version 4 UUID."""
    del args
    return str(uuid.uuid4())


SPECS: dict[str, Spec] = {
    "States.Base64Encode": Spec(base64_encode, 1, 1),
    "States.Base64Decode": Spec(base64_decode, 1, 1),
    "States.Hash": Spec(hash_, 2, 2),
    "States.UUID": Spec(uuid_, 0, 0),
}
