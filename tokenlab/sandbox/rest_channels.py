"""REST routes that read channels: history, presence and presence history (RSL2, RSP3, RSP4).

``GET /channels/{name}/messages`` and ``GET /channels/{name}/presence/history`` answer one page of
a ``HistoryQuery`` with a ``Link`` header to the next; ``GET /channels/{name}/presence`` lists
the members present now (``limit``, ``clientId``, ``connectionId`` filters). Reading history
needs the ``history`` capability, presence the ``subscribe`` capability (or ``presence``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tokenlab.core.errors import AblyError
from tokenlab.sandbox.context import CONTEXT
from tokenlab.sandbox.history import HistoryQuery, link_header
from tokenlab.sandbox.httpwire import respond, wants_msgpack
from tokenlab.sandbox.protocol import for_json
from tokenlab.sandbox.rest import api_version, authenticate


def _encoded(request: web.Request, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return items if wants_msgpack(request) else [for_json(m) for m in items]


async def _history(request: web.Request, *, presence: bool) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    name = request.match_info["name"]
    creds, _ = authenticate(ctx, request)
    if creds.capability.allows(name, "history") is None:
        raise AblyError(40160, f"History of channel {name!r} is not permitted by the capability.")
    query = HistoryQuery.parse(request.query)
    items, following = ctx.hub.history(creds.app_id, name, query, presence=presence)
    response = respond(request, _encoded(request, items))
    resource = "history" if presence else "messages"
    response.headers["Link"] = link_header(resource, query, following)
    return response


async def history(request: web.Request) -> web.Response:
    return await _history(request, presence=False)


async def presence_history(request: web.Request) -> web.Response:
    return await _history(request, presence=True)


async def presence(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    name = request.match_info["name"]
    creds, _ = authenticate(ctx, request)
    if not any(creds.capability.allows(name, op) for op in ("subscribe", "presence")):
        raise AblyError(40160, f"Presence of channel {name!r} is not permitted by the capability.")
    limit = HistoryQuery.parse({"limit": request.query.get("limit", "100")}).limit
    members = ctx.hub.members(creds.app_id, name)
    for field in ("clientId", "connectionId"):
        wanted = request.query.get(field)
        if wanted is not None:
            members = [m for m in members if m.get(field) == wanted]
    return respond(request, _encoded(request, members[:limit]))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/channels/{name}/messages", history)
    app.router.add_get("/channels/{name}/presence", presence)
    app.router.add_get("/channels/{name}/presence/history", presence_history)
