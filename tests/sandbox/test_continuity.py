"""Continuity on resume and recover (RTN15c6, RTL4c1, RTL15b): a re-ATTACH that names the last
channelSerial the client saw gets ATTACHED with RESUMED and the frames it missed, in order, once."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.sandbox.conftest import WS, connected, key_of
from tokenlab.sandbox import Sandbox

RESUMED = 1 << 2


async def rest_publish(sb: Sandbox, http: aiohttp.ClientSession, channel: str, data: str) -> None:
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    url = f"{sb.rest_url}/channels/{channel}/messages"
    async with http.post(url, json={"name": "n", "data": data}, headers=headers) as resp:
        assert resp.status == 201, await resp.text()


async def attach(client: WS, name: str, **fields: Any) -> dict[str, Any]:
    await client.send({"action": 10, "channel": name, **fields})
    return await client.expect(11)


async def test_resume_delivers_what_was_missed_in_order_once(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb).full()
    client, first = await connected(sb, http, key=key)
    attached = await attach(client, "room")
    assert not attached["flags"] & RESUMED
    await rest_publish(sb, http, "room", "before")
    seen = await client.expect(15)
    assert seen["messages"][0]["data"] == "before"
    assert sb.drop_connection(first["connectionId"])
    for index in range(3):
        await rest_publish(sb, http, "room", f"missed {index}")
    conn_key = first["connectionDetails"]["connectionKey"]
    client, again = await connected(sb, http, key=key, resume=conn_key)
    assert again["connectionId"] == first["connectionId"]
    reattached = await attach(client, "room", channelSerial=seen["channelSerial"])
    assert reattached["flags"] & RESUMED
    got = [(await client.expect(15))["messages"][0]["data"] for _ in range(3)]
    assert got == ["missed 0", "missed 1", "missed 2"]
    await rest_publish(sb, http, "room", "live")
    assert (await client.expect(15))["messages"][0]["data"] == "live"  # no duplicates before it
    await client.close()


async def test_unknown_serial_or_fresh_attach_is_not_resumed(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await rest_publish(sb, http, "r2", "one")
    fresh = await attach(client, "r2")
    assert not fresh["flags"] & RESUMED
    stale = await attach(client, "r3", channelSerial="elsewhere@00000001")
    assert not stale["flags"] & RESUMED
    same = await attach(client, "r2", channelSerial=fresh["channelSerial"])
    assert same["flags"] & RESUMED  # nothing missed since the serial it names
    await client.close()
