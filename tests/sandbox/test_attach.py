"""ATTACH details (RTL4k, RTL4l, RTL4m): default and requested modes, enforcement of the granted
modes, the ``modes`` param, invalid channel names (40010, connection stays up), and params."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.sandbox.conftest import WS, connected, key_of
from tokenlab.sandbox import Sandbox

PRESENCE, PUBLISH, SUBSCRIBE, PRESENCE_SUBSCRIBE = 1 << 16, 1 << 17, 1 << 18, 1 << 19
ANNOTATION_PUBLISH, ANNOTATION_SUBSCRIBE = 1 << 21, 1 << 22


async def _attach(client: WS, name: str, **fields: Any) -> dict[str, Any]:
    await client.send({"action": 10, "channel": name, **fields})
    return await client.recv()


async def test_default_modes_include_annotation_publish(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full(), clientId="m")
    flags = (await _attach(client, "d"))["flags"]
    want = PRESENCE | PUBLISH | SUBSCRIBE | PRESENCE_SUBSCRIBE | ANNOTATION_PUBLISH
    assert flags & 0xFFFF0000 == want
    await client.close()


async def test_requested_modes_are_granted_and_enforced(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full(), clientId="m")
    attached = await _attach(client, "e", flags=PUBLISH | PRESENCE_SUBSCRIBE)
    assert attached["flags"] & 0xFFFF0000 == PUBLISH | PRESENCE_SUBSCRIBE
    await client.send({"action": 14, "channel": "e", "msgSerial": 0, "presence": [{"action": 2}]})
    nack = await client.expect(2)
    assert nack["error"]["code"] == 40160 and "presence mode" in nack["error"]["message"]
    await client.send({"action": 15, "channel": "e", "msgSerial": 1, "messages": [{"data": 1}]})
    assert (await client.expect(1))["msgSerial"] == 1
    by_param = await _attach(client, "f", params={"modes": "subscribe", "delta": "vcdiff"})
    assert by_param["flags"] & 0xFFFF0000 == SUBSCRIBE
    assert by_param["params"] == {"modes": "subscribe", "delta": "vcdiff"}
    await client.close()


async def test_invalid_names_fail_the_channel_not_the_connection(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    for name in (":hell", "[meta]log", "", "x" * 2000):
        error = await _attach(client, name)
        assert (error["action"], error["error"]["code"]) == (9, 40010), error
    assert (await _attach(client, "fine"))["action"] == 11
    await client.close()
