"""Bad input never takes the sandbox down: each gets an Ably error with a code, and other
connections carry on."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import websockets.asyncio.client

from tests.sandbox.conftest import WS, connected, key_of
from tokenlab.sandbox import Sandbox


async def alive(client: WS) -> None:
    await client.send({"action": 0, "id": "probe"})
    assert (await client.expect(0))["id"] == "probe"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not json at all", 40000),
        ("[1, 2, 3]", 40000),
        ('{"no": "action"}', 40000),
        ('{"action": "ten"}', 40000),
        (b"\xc1\xff\x00", 40000),  # not msgpack
        (b"\x93\x01\x02\x03", 40000),  # msgpack, but an array
        ('{"action": 99}', 40000),  # unknown action, no msgSerial
    ],
)
async def test_bad_frames_get_error_and_close_only_that_connection(
    sb: Sandbox, http: aiohttp.ClientSession, payload: str | bytes, code: int
) -> None:
    victim, _ = await connected(sb, http, key=key_of(sb).full())
    bystander, _ = await connected(sb, http, key=key_of(sb).full())
    if isinstance(payload, bytes):
        await victim.ws.send_bytes(payload)
    else:
        await victim.ws.send_str(payload)
    await victim.expect_error(9, code)
    assert await victim.closed()
    await alive(bystander)


async def test_unknown_action_with_msg_serial_is_nacked(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 21, "channel": "c", "msgSerial": 0, "annotations": []})
    nack = await client.expect_error(2, 40000)
    assert nack["msgSerial"] == 0
    await alive(client)


async def test_frame_over_max_frame_size_is_40009(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    victim, _ = await connected(sb, http, key=key_of(sb).full())
    bystander, _ = await connected(sb, http, key=key_of(sb).full())
    await victim.ws.send_str(
        '{"action":15,"channel":"c","messages":[{"data":"' + "x" * 600_000 + '"}]}'
    )
    await victim.expect_error(9, 40009)
    assert await victim.closed()
    await alive(bystander)


@pytest.mark.parametrize(
    "frame",
    [
        {"action": 10},
        {"action": 10, "channel": ""},
        {"action": 10, "channel": 42},
        {"action": 15, "channel": "c", "msgSerial": 0, "messages": "nope"},
        {"action": 14, "channel": "c", "msgSerial": 0, "presence": [{"action": 9}]},
        {"action": 15, "msgSerial": 0, "messages": [{}]},
    ],
)
async def test_malformed_channel_frames_get_scoped_errors(
    sb: Sandbox, http: aiohttp.ClientSession, frame: dict[str, object]
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full(), clientId="m")
    await client.send(frame)
    reply = await client.recv()
    assert reply["action"] in (2, 9) and reply["error"]["code"] in (40000, 40010), reply
    if reply["action"] == 9:
        assert "channel" in reply  # channel-scoped, the connection stays up
    await alive(client)


async def test_abrupt_client_disconnects_leave_the_server_healthy(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    for _ in range(5):
        raw = await websockets.asyncio.client.connect(f"{sb.ws_url}/?key={key_of(sb).full()}")
        assert '"action":4' in str(await asyncio.wait_for(raw.recv(), 5))
        await raw.send('{"action":10,"channel":"room"}')
        raw.transport.abort()  # no close frame: a network failure
    survivor, _ = await connected(sb, http, key=key_of(sb).full())
    await alive(survivor)
    async with http.get(f"{sb.rest_url}/time") as response:
        assert response.status == 200


async def test_plain_get_on_the_websocket_path_is_harmless(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sb.rest_url}/") as response:
        assert response.status == 200
        assert "realtime" in await response.json()
