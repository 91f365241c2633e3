"""An S3 endpoint for the Distributed Map tests: moto's server on loopback (never a patch).

``moto_endpoint`` is the server's URL for the whole module; ``s3_client`` a plain boto3 S3
client on it. The server and its fake credentials come from ``integrations.test_aws_moto``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from integrations.test_aws_moto import REGION, moto_server


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto server on 127.0.0.1, shared by one test module."""
    with moto_server() as url:
        yield url


@pytest.fixture
def s3_client(moto_endpoint: str) -> Any:
    """A boto3 S3 client on the moto server (Any: no S3 stubs are installed)."""
    return boto3.client("s3", region_name=REGION, endpoint_url=moto_endpoint)
