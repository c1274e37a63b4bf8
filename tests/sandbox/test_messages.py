"""Idempotent publishing (RSL1k): a repeated message id is stored and delivered once; message
ids must be strings; a REST ``connectionKey`` must name a live connection (40006)."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.sandbox.conftest import connected, key_of
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.history import HistoryQuery


async def _post(sb: Sandbox, http: aiohttp.ClientSession, body: Any) -> tuple[int, Any]:
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    url = f"{sb.rest_url}/channels/i/messages"
    async with http.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_repeated_id_is_published_once(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, first = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 10, "channel": "i"})
    await client.expect(11)
    for _ in range(2):
        assert (await _post(sb, http, {"id": "same", "data": "x"}))[0] == 201
    for serial in range(2):
        frame = {"action": 15, "channel": "i", "msgSerial": serial, "messages": [{"id": "rt"}]}
        await client.send(frame)
    key = first["connectionDetails"]["connectionKey"]
    assert (await _post(sb, http, {"data": "behalf", "connectionKey": key}))[0] == 201
    seen = []
    while len(seen) < 3:
        frame = await client.recv()
        if frame["action"] == 15:
            seen.append(frame["messages"][0])
    assert [m["id"] for m in seen[:2]] == ["same", "rt"]
    assert seen[2]["connectionId"] == first["connectionId"]
    items, _ = sb.ctx.hub.history(sb.demo_app_id or "", "i", HistoryQuery())
    assert [m["id"] for m in items][1:] == ["rt", "same"]
    await client.close()


async def test_bad_id_and_unknown_connection_key(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await _post(sb, http, {"id": 7, "data": "x"})
    assert (status, body["error"]["code"]) == (400, 40000)
    status, body = await _post(sb, http, {"data": "x", "connectionKey": "no!such"})
    assert (status, body["error"]["code"]) == (400, 40006)
