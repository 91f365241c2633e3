"""The Step Functions-compatible HTTP API (AWS JSON 1.0): boto3 and the AWS CLI talk to Ferry.

- :mod:`ferry.api.protocol` — the wire protocol: targets, bodies, error responses.
- :mod:`ferry.api.params`, :mod:`ferry.api.arns`, :mod:`ferry.api.inputs` — request checks.
- :mod:`ferry.api.machines`, :mod:`~ferry.api.executions`, :mod:`~ferry.api.history`,
  :mod:`~ferry.api.tasks`, :mod:`~ferry.api.tags` — one action table per aggregate.
- :mod:`ferry.api.app` — :func:`create_app` merges the tables into an ASGI app;
  :mod:`ferry.api.server` runs it with uvicorn next to the durable runner's loop.
"""

from ferry.api.app import create_app
from ferry.api.context import ApiSettings
from ferry.api.server import ApiServer

__all__ = ["ApiServer", "ApiSettings", "create_app"]
