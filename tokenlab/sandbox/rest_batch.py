"""REST routes workshop code also touches: batch publish and presence, channel status, stats.

- ``POST /messages`` (RSC22, BSP): a spec ``{channels, messages}`` or a list of them; each answers
  a BatchResult ``{successCount, failureCount, results}`` with ``{channel, messageId}`` or
  ``{channel, error}`` per channel (a list of results for a list of specs).
- ``GET /presence?channels=a,b`` (RSC24): a BatchResult with ``{channel, presence}`` or
  ``{channel, error}`` per channel.
- ``GET /channels/{name}`` (RSL8): ChannelDetails with ``status.occupancy.metrics`` computed from
  the live attachments and presence set; needs the ``channel-metadata`` capability. The request
  itself makes the channel active (``isActive`` is true).
- ``GET /stats``: an empty page. The sandbox keeps no statistics (a documented stub).
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.wire import Flag
from tokenlab.sandbox.auth import Credentials
from tokenlab.sandbox.channels import Channel
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.history import HistoryQuery, link_header
from tokenlab.sandbox.httpwire import read_body, respond
from tokenlab.sandbox.ops import as_ably
from tokenlab.sandbox.rest import api_version, authenticate, messages_of, publish_messages

MAX_BATCH_CHANNELS = 100


def _batch(results: list[dict[str, Any]]) -> dict[str, Any]:
    failures = sum(1 for r in results if "error" in r)
    return {"successCount": len(results) - failures, "failureCount": failures, "results": results}


def _channels(raw: Any) -> list[str]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise AblyError(40000, "A batch spec needs 'channels': a channel name or a list of them.")
    if len(names) > MAX_BATCH_CHANNELS:
        raise AblyError(40000, f"A batch may name at most {MAX_BATCH_CHANNELS} channels.")
    return names


async def batch_publish(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    creds, identity = authenticate(ctx, request)
    body = await read_body(request)
    specs = body if isinstance(body, list) else [body]
    if not specs or not all(isinstance(s, dict) for s in specs):
        raise AblyError(40000, "Batch publish takes a {channels, messages} spec or a list of them.")
    parsed = [(_channels(s.get("channels")), messages_of(s.get("messages"))) for s in specs]
    answers = []
    for names, messages in parsed:
        results: list[dict[str, Any]] = []
        for name in names:
            try:
                items = copy.deepcopy(messages)  # each channel stamps its own copies
                prefix, _ = publish_messages(ctx, creds, identity, name, items)
                results.append({"channel": name, "messageId": prefix})
            except UserError as exc:
                results.append({"channel": name, "error": as_ably(exc).error_info()})
        answers.append(_batch(results))
    return respond(request, answers if isinstance(body, list) else answers[0], status=201)


async def batch_presence(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    creds, _ = authenticate(ctx, request)
    names = _channels([n for n in request.query.get("channels", "").split(",") if n])
    results: list[dict[str, Any]] = []
    for name in names:
        if not _may_read_presence(creds, name):
            error = AblyError(40160, f"Presence of channel {name!r} is not permitted.")
            results.append({"channel": name, "error": error.error_info()})
        else:
            results.append({"channel": name, "presence": ctx.hub.members(creds.app_id, name)})
    return respond(request, _batch(results))


def _may_read_presence(creds: Credentials, name: str) -> bool:
    return any(creds.capability.allows(name, op) for op in ("subscribe", "presence"))


def occupancy(channel: Channel | None) -> dict[str, int]:
    metrics = dict.fromkeys(
        (
            "connections",
            "publishers",
            "subscribers",
            "presenceConnections",
            "presenceMembers",
            "presenceSubscribers",
            "objectPublishers",
            "objectSubscribers",
        ),
        0,
    )
    if channel is None:
        return metrics
    for _, modes in channel.attached.values():
        metrics["connections"] += 1
        metrics["publishers"] += bool(modes & Flag.PUBLISH)
        metrics["subscribers"] += bool(modes & Flag.SUBSCRIBE)
        metrics["presenceConnections"] += bool(modes & Flag.PRESENCE)
        metrics["presenceSubscribers"] += bool(modes & Flag.PRESENCE_SUBSCRIBE)
    metrics["presenceMembers"] = len(channel.members)
    return metrics


async def channel_status(request: web.Request) -> web.Response:
    ctx: Context = request.app[CONTEXT]
    api_version(request)
    name = request.match_info["name"]
    creds, _ = authenticate(ctx, request)
    if creds.capability.allows(name, "channel-metadata") is None:
        raise AblyError(40160, f"Channel metadata of {name!r} is not permitted by the capability.")
    channel = ctx.hub.find(creds.app_id, name)
    metrics = occupancy(channel)
    details = {
        "channelId": name,
        "name": name,
        # UNCERTAIN: a status request finds the channel active even when nothing is attached
        # (ably-python's test_channel_status asserts isActive on a fresh channel).
        "status": {"isActive": True, "occupancy": {"metrics": metrics}},
    }
    return respond(request, details)


async def stats(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    api_version(request)
    authenticate(ctx, request)
    query = HistoryQuery.parse(request.query)
    response = respond(request, [])
    response.headers["Link"] = link_header("stats", query, None)
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_post("/messages", batch_publish)
    app.router.add_get("/presence", batch_presence)
    app.router.add_get("/channels/{name}", channel_status)
    app.router.add_get("/stats", stats)
