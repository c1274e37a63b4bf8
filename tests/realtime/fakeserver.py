"""A tiny scripted Ably-like WebSocket server (aiohttp) for behaviours the sandbox never shows,
such as a server that ignores AUTH. Binds 127.0.0.1 on a free port; stopped by the fixture."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import WSMsgType, web

Handler = Callable[[dict[str, Any]], list[dict[str, Any]]]


def connected(
    conn_id: str = "fake-conn", client_id: str | None = None, max_idle: int = 15_000
) -> dict[str, Any]:
    return {
        "action": 4,
        "connectionId": conn_id,
        "connectionDetails": {
            "connectionKey": f"{conn_id}!secretkey",
            "clientId": client_id,
            "maxIdleInterval": max_idle,
            "connectionStateTtl": 120_000,
        },
    }


class FakeAbly:
    """Answers each upgrade with ``hello`` and each client frame with ``handler(frame)``."""

    def __init__(self, hello: Callable[[web.Request], list[dict[str, Any]]], handler: Handler):
        self.hello = hello
        self.handler = handler
        self.received: list[dict[str, Any]] = []
        self.queries: list[dict[str, str]] = []
        self.url = ""

    async def ws(self, request: web.Request) -> web.WebSocketResponse:
        self.queries.append(dict(request.query))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        for frame in self.hello(request):
            await ws.send_str(json.dumps(frame))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            self.received.append(frame)
            for out in self.handler(frame):
                await ws.send_str(json.dumps(out))
        return ws


@asynccontextmanager
async def fake_ably(
    hello: Callable[[web.Request], list[dict[str, Any]]], handler: Handler
) -> AsyncIterator[FakeAbly]:
    fake = FakeAbly(hello, handler)
    app = web.Application()
    app.router.add_get("/", fake.ws)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"ws://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
