"""Heartbeats, CLOSE and DISCONNECT (spec RTN13, RTN23, RTN12)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.sandbox.conftest import FakeClock, config, connected, key_of
from tokenlab.sandbox import Sandbox


@pytest.mark.parametrize("heartbeats", [None, "false", "true"])
async def test_protocol_heartbeats_within_max_idle_interval(
    clock: FakeClock, http: aiohttp.ClientSession, heartbeats: str | None
) -> None:
    async with Sandbox(config(clock, max_idle_interval_ms=400)) as sb:
        query = {"key": key_of(sb).full()}
        if heartbeats is not None:
            query["heartbeats"] = heartbeats
        client, frame = await connected(sb, http, params=query)
        assert frame["connectionDetails"]["maxIdleInterval"] == 400
        loop = asyncio.get_running_loop()
        last = loop.time()
        for _ in range(3):
            beat = await client.recv(timeout=0.6, heartbeats=True)
            assert beat == {"action": 0}
            now = loop.time()
            assert now - last <= 0.45
            last = now
        await client.close()


async def test_client_heartbeat_is_echoed_with_its_id(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    for ping_id in ("UEA1bcwM", "1234567890123456"):
        await client.send({"action": 0, "id": ping_id})
        assert await client.expect(0) == {"action": 0, "id": ping_id}
    await client.close()


async def test_close_gives_closed_and_discards_state(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, first = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 7})
    assert await client.expect(8) == {"action": 8}
    assert await client.closed()
    assert sb.connections() == []
    key = first["connectionDetails"]["connectionKey"]
    again, frame = await connected(sb, http, key=key_of(sb).full(), resume=key)
    assert frame["error"]["code"] == 80008 and frame["connectionId"] != first["connectionId"]
    await again.close()


async def test_disconnect_gives_disconnected_and_keeps_state(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, first = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 5})
    assert (await client.expect(6))["action"] == 6
    assert await client.closed()
    [info] = sb.connections()
    assert info.connection_id == first["connectionId"] and not info.connected
