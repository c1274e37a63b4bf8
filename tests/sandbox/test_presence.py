"""Presence details (RTP17, RTP19): extras are kept, a dropped connection's members leave after
~15 s (or ``remainPresentFor``) rather than after connectionStateTtl, and a client SYNC request
is answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.sandbox.conftest import WS, FakeClock, config, connected, key_of
from tokenlab.sandbox import Sandbox

ENTER, LEAVE, SYNC = 2, 3, 16


@pytest.fixture
async def long_ttl(clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(config(clock, connection_state_ttl_ms=120_000)) as sandbox:
        yield sandbox


async def _member(sb: Sandbox, http: aiohttp.ClientSession, **query: str) -> tuple[WS, str]:
    client, frame = await connected(sb, http, key=key_of(sb).full(), clientId="ann", **query)
    await client.send({"action": 10, "channel": "p"})
    await client.expect(11)
    item = {"action": ENTER, "data": "hi", "extras": {"headers": {"k": "v"}}}
    await client.send({"action": 14, "channel": "p", "msgSerial": 0, "presence": [item]})
    return client, frame["connectionId"]


async def _watcher(sb: Sandbox, http: aiohttp.ClientSession) -> WS:
    watcher, _ = await connected(sb, http, key=key_of(sb).full())
    await watcher.send({"action": 10, "channel": "p"})
    await watcher.expect(11)
    return watcher


async def _next_presence(client: WS) -> dict[str, object]:
    while True:
        frame = await client.recv()
        if frame["action"] in (14, SYNC):
            return frame


async def test_drop_leaves_after_15_s_and_extras_are_kept(
    long_ttl: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    watcher = await _watcher(long_ttl, http)
    _, connection_id = await _member(long_ttl, http)
    entered = await _next_presence(watcher)
    assert entered["presence"][0]["extras"] == {"headers": {"k": "v"}}  # type: ignore[index]
    assert long_ttl.drop_connection(connection_id)
    clock.advance(10_000)
    with pytest.raises(asyncio.TimeoutError):
        await watcher.recv(timeout=0.3)
    clock.advance(5_500)
    left = await _next_presence(watcher)
    assert left["presence"][0]["action"] == LEAVE  # type: ignore[index]
    assert long_ttl.connections()  # the connection itself is still resumable
    await watcher.close()


async def test_remain_present_for_and_sync_request(
    long_ttl: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    watcher = await _watcher(long_ttl, http)
    _, connection_id = await _member(long_ttl, http, remainPresentFor="2000")
    await _next_presence(watcher)
    await watcher.send({"action": SYNC, "channel": "p"})
    sync = await _next_presence(watcher)
    assert sync["action"] == SYNC and len(sync["presence"]) == 1  # type: ignore[arg-type]
    assert long_ttl.drop_connection(connection_id)
    clock.advance(2_500)
    left = await _next_presence(watcher)
    assert left["presence"][0]["action"] == LEAVE  # type: ignore[index]
    await watcher.send({"action": SYNC, "channel": "p"})
    empty = await _next_presence(watcher)
    assert empty["action"] == SYNC and empty["presence"] == []
    await watcher.send({"action": SYNC, "channel": "not-attached"})
    assert (await watcher.expect(9))["error"]["code"] == 90001
    await watcher.close()
