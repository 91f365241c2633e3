"""``nextToken``/``maxResults`` paging, as the Step Functions List/Get APIs define it.

AWS: "maxResults ... The default is 100 and the max allowed page size is 1000. A value of 0
uses the default." (API reference: ListExecutions, ListStateMachines, GetExecutionHistory.)
Tokens are opaque to clients: here the base64 of the last row's sort key, so a page is a
keyset query (no OFFSET scans) and rows inserted meanwhile do not shift later pages.
"""

from __future__ import annotations

import base64
import binascii
import json

from ferry.jsontypes import JSON, dumps
from ferry.store.errors import InvalidPageTokenError

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page_size(max_results: int) -> int:
    """The page size ``max_results`` asks for: 0 means the default, above 1000 is clamped.

    Rejecting an out-of-range size is the API layer's validation, not the store's.
    """
    if max_results <= 0:
        return DEFAULT_PAGE_SIZE
    return min(max_results, MAX_PAGE_SIZE)


def encode_token(key: list[JSON]) -> str:
    """An opaque token for the sort key of the last row of a page."""
    return base64.urlsafe_b64encode(dumps(key).encode("utf-8")).decode("ascii")


def decode_token(token: str, arity: int) -> list[JSON]:
    """The sort key inside ``token``.

    Raises:
        InvalidPageTokenError: The token was not made by :func:`encode_token` for this listing.
    """
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidPageTokenError(f"Invalid Token: '{token}'") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidPageTokenError(f"Invalid Token: '{token}'")
    return key
