"""The Step Functions API as an ASGI application, built from action tables.

Each aggregate module (``machines``, ``executions``, ``history``, ``tasks``, ``tags``,
``activities``) exports an ``ACTIONS`` table; :func:`create_app` merges them with any extra
tables a caller passes (versions, TestState...), so a new action is a new module, not an edit
here::

    app = create_app(runner, ApiSettings(region="eu-west-1"), extra=[versions.ACTIONS])
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.routing import Route

from ferry.api import (
    activities,
    aliases,
    executions,
    history,
    machines,
    map_runs,
    tags,
    tasks,
    test_state,
    versions,
)
from ferry.api.context import ApiContext, ApiSettings
from ferry.api.protocol import Actions, Handler, endpoint
from ferry.runner.durable import DurableRunner

CORE_ACTIONS: tuple[Actions, ...] = (
    machines.ACTIONS,
    executions.ACTIONS,
    history.ACTIONS,
    tasks.ACTIONS,
    tags.ACTIONS,
    activities.ACTIONS,
    # Versions wrap the core Create/Update/Describe/ListExecutions handlers: keep them after.
    versions.ACTIONS,
    aliases.ACTIONS,
    map_runs.ACTIONS,
    test_state.ACTIONS,
)


def action_table(extra: Iterable[Actions] = ()) -> dict[str, Handler]:
    """The core actions and ``extra`` ones (a later table overrides an earlier name)."""
    table: dict[str, Handler] = {}
    for actions in (*CORE_ACTIONS, *extra):
        table.update(actions)
    return table


def create_app(
    runner: DurableRunner,
    settings: ApiSettings | None = None,
    *,
    extra: Iterable[Actions] = (),
) -> Starlette:
    """An ASGI app serving the Step Functions API over ``runner`` (and its store and clock).

    The runner's loop (:meth:`DurableRunner.serve`) must run elsewhere, e.g. on a thread
    (see :mod:`ferry.api.server`); handlers only start, signal and read executions.
    """
    context = ApiContext(runner, settings or ApiSettings())
    serve = endpoint(action_table(extra), context)
    return Starlette(routes=[Route("/", serve, methods=["POST"])])
