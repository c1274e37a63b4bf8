"""Channels on a realtime connection: clientId enforcement (RSA8f), channel capability
(RTL14), delivery, echo, presence with SYNC, and message-size limits."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.sandbox.conftest import WS, connected, key_of, token
from tokenlab.sandbox import Sandbox

ENTER, LEAVE, UPDATE, PRESENT = 2, 3, 4, 1


async def attach(client: WS, name: str, flags: int | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"action": 10, "channel": name}
    if flags is not None:
        frame["flags"] = flags
    await client.send(frame)
    return await client.expect(11)


def message(serial: int, channel: str = "room", **fields: Any) -> dict[str, Any]:
    return {"action": 15, "channel": channel, "msgSerial": serial, "messages": [fields]}


def presence(serial: int, action: int, channel: str = "room", **fields: Any) -> dict[str, Any]:
    item = {"action": action, **fields}
    return {"action": 14, "channel": channel, "msgSerial": serial, "presence": [item]}


async def ack_or_nack(client: WS) -> dict[str, Any]:
    """The ACK/NACK, skipping our own echoed MESSAGE/PRESENCE."""
    while True:
        frame = await client.recv()
        if frame["action"] in (1, 2):
            return frame


# -- case 12 ---------------------------------------------------------------------------------------
async def test_identified_client_stamping_and_mismatch_nack(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    alice, _ = await connected(sb, http, accessToken=token(sb, client_id="alice"))
    watcher, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(alice, "room")
    await attach(watcher, "room")
    await alice.send(message(0, data="hello"))
    got = await watcher.expect(15)
    assert got["messages"][0]["clientId"] == "alice"
    assert got["messages"][0]["connectionId"] and got["messages"][0]["id"]
    assert (await ack_or_nack(alice)) == {
        "action": 1,
        "msgSerial": 0,
        "count": 1,
        "res": [{"serials": [got["messages"][0]["id"]]}],
    }
    await alice.send(message(1, clientId="mallory", data="spoof"))
    nack = await ack_or_nack(alice)
    assert nack["action"] == 2 and nack["msgSerial"] == 1 and nack["error"]["code"] == 40012
    await alice.send(message(2, clientId="alice", data="ok again"))  # connection still usable
    assert (await ack_or_nack(alice))["action"] == 1
    assert (await watcher.expect(15))["messages"][0]["data"] == "ok again"


async def test_wildcard_may_publish_as_anyone_and_anonymous_may_not(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wild, _ = await connected(sb, http, accessToken=token(sb, client_id="*"))
    anon, _ = await connected(sb, http, accessToken=token(sb))
    await wild.send(message(0, clientId="anyone"))
    assert (await ack_or_nack(wild))["action"] == 1
    await anon.send(message(0, clientId="someone"))
    nack = await ack_or_nack(anon)
    assert (nack["action"], nack["error"]["code"]) == (2, 40012)
    await anon.send(message(1, data="no id is fine"))
    assert (await ack_or_nack(anon))["action"] == 1


async def test_basic_auth_client_id_query_identifies(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, frame = await connected(sb, http, key=key_of(sb).full(), clientId="kim")
    assert frame["connectionDetails"]["clientId"] == "kim"
    await attach(client, "room")
    await client.send(message(0, data="x"))
    assert (await client.expect(15))["messages"][0]["clientId"] == "kim"
    assert (await client.expect(1))["msgSerial"] == 0
    await client.send(message(1, clientId="lee"))
    assert (await ack_or_nack(client))["error"]["code"] == 40012


@pytest.mark.parametrize(("creds", "code"), [("anonymous", 91000), ("wildcard", 91000)])
async def test_presence_without_identity_is_91000(
    sb: Sandbox, http: aiohttp.ClientSession, creds: str, code: int
) -> None:
    client_id = "*" if creds == "wildcard" else None
    client, _ = await connected(sb, http, accessToken=token(sb, client_id=client_id))
    await client.send(presence(0, ENTER))
    nack = await ack_or_nack(client)
    assert (nack["action"], nack["error"]["code"]) == (2, code)


async def test_presence_with_mismatched_client_id_is_40012(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, client_id="amy"))
    await client.send(presence(0, ENTER, clientId="bea"))
    nack = await ack_or_nack(client)
    assert (nack["action"], nack["error"]["code"]) == (2, 40012)


async def test_presence_without_capability_is_40160(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, "subscribe", client_id="s"))
    await client.send(presence(0, ENTER))
    nack = await ack_or_nack(client)
    assert (nack["action"], nack["error"]["code"]) == (2, 40160)


async def test_presence_enter_update_leave_broadcast_and_sync(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    amy, _ = await connected(sb, http, accessToken=token(sb, client_id="amy"))
    watcher, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(watcher, "room")
    await amy.send(presence(0, ENTER, data="hi"))
    seen = await watcher.expect(14)
    assert [(p["action"], p["clientId"], p["data"]) for p in seen["presence"]] == [
        (ENTER, "amy", "hi")
    ]
    await amy.send(presence(1, UPDATE, data="busy"))
    assert (await watcher.expect(14))["presence"][0]["action"] == UPDATE
    late, _ = await connected(sb, http, key=key_of(sb).full())
    attached = await attach(late, "room")
    assert attached["flags"] & 1  # HAS_PRESENCE
    sync = await late.expect(16)
    assert [(p["action"], p["clientId"], p["data"]) for p in sync["presence"]] == [
        (PRESENT, "amy", "busy")
    ]
    assert sync["channelSerial"].endswith(":")
    await amy.send(presence(2, LEAVE))
    left = await watcher.expect(14)
    assert (left["presence"][0]["action"], left["presence"][0]["clientId"]) == (LEAVE, "amy")


async def test_wildcard_may_enter_on_behalf_of_a_client(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wild, _ = await connected(sb, http, accessToken=token(sb, client_id="*"))
    await wild.send(presence(0, ENTER, clientId="proxy-user"))
    assert (await ack_or_nack(wild))["action"] == 1
    assert sb.connections()[0].identity == "wildcard"


async def test_closing_a_connection_makes_its_members_leave(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    amy, _ = await connected(sb, http, accessToken=token(sb, client_id="amy"))
    watcher, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(watcher, "room")
    await amy.send(presence(0, ENTER))
    await watcher.expect(14)
    assert (await amy.expect(1))["msgSerial"] == 0
    await amy.send({"action": 7})
    await amy.expect(8)
    left = await watcher.expect(14)
    assert left["presence"][0]["action"] == LEAVE


# -- case 13 --------------------------------------------------------------------------------------
async def test_attach_without_capability_is_a_channel_error(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, "chat"))
    await client.send({"action": 10, "channel": "news"})
    error = await client.expect_error(9, 40160)
    assert error["channel"] == "news" and error["error"]["statusCode"] == 401
    await client.send({"action": 0, "id": "up?"})
    assert (await client.expect(0))["id"] == "up?"  # the connection stays up
    assert (await attach(client, "chat:a"))["channel"] == "chat:a"


async def test_publish_without_publish_capability_is_nack_40160(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, "subscribe"))
    await attach(client, "room")
    await client.send(message(0, data="x"))
    nack = await ack_or_nack(client)
    assert (nack["action"], nack["error"]["code"]) == (2, 40160)


async def test_attached_flags_reflect_capability_and_requested_modes(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    sub, _ = await connected(sb, http, accessToken=token(sb, "subscribe"))
    flags = (await attach(sub, "room"))["flags"]
    assert flags & (1 << 18) and flags & (1 << 19) and not flags & (1 << 17)
    full, _ = await connected(sb, http, key=key_of(sb).full())
    flags = (await attach(full, "room", flags=1 << 17))["flags"]  # publish only
    assert flags & (1 << 17) and not flags & (1 << 18)
    await sub.close()


async def test_publish_only_mode_receives_nothing(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    publisher, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(publisher, "room", flags=1 << 17)
    await publisher.send(message(0, data="x"))
    assert (await publisher.recv())["action"] == 1  # ACK, and no echo of our own message


# -- delivery ------------------------------------------------------------------------------------
async def test_echo_false_suppresses_own_messages(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    quiet, _ = await connected(sb, http, key=key_of(sb).full(), echo="false")
    other, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(quiet, "room")
    await attach(other, "room")
    await quiet.send(message(0, data="mine"))
    assert (await quiet.recv())["action"] == 1
    assert (await other.expect(15))["messages"][0]["data"] == "mine"
    await other.send(message(0, data="theirs"))
    assert (await quiet.expect(15))["messages"][0]["data"] == "theirs"


async def test_msgpack_and_json_clients_interoperate(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    binary, _ = await connected(sb, http, binary=True, key=key_of(sb).full())
    text, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(binary, "room")
    await attach(text, "room")
    await binary.send(message(0, data=b"\x01\x02", name="bin"))
    got = await text.expect(15)
    assert (got["messages"][0]["data"], got["messages"][0]["encoding"]) == ("AQI=", "base64")
    assert (await binary.expect(15))["messages"][0]["data"] == b"\x01\x02"


async def test_detach_stops_delivery(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    listener, _ = await connected(sb, http, key=key_of(sb).full())
    talker, _ = await connected(sb, http, key=key_of(sb).full(), echo="false")
    await attach(listener, "room")
    await listener.send({"action": 12, "channel": "room"})
    assert (await listener.expect(13))["channel"] == "room"
    await talker.send(message(0, data="anyone?"))
    assert (await talker.recv())["action"] == 1
    with pytest.raises(asyncio.TimeoutError):
        await listener.recv(timeout=0.3)


async def test_message_over_max_message_size_is_nack_40009(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send(message(0, data="x" * 70_000))
    nack = await ack_or_nack(client)
    assert (nack["action"], nack["error"]["code"]) == (2, 40009)
    await client.send(message(1, data="small"))
    assert (await ack_or_nack(client))["action"] == 1


async def test_history_over_rest_sees_realtime_messages(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, client_id="h"))
    await client.send(message(0, channel="logged", name="n", data="d"))
    assert (await ack_or_nack(client))["action"] == 1
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    async with http.get(f"{sb.rest_url}/channels/logged/messages", headers=headers) as r:
        items = await r.json()
    assert [(m["name"], m["clientId"]) for m in items] == [("n", "h")]


async def test_channels_are_scoped_by_app(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    other_app = sb.create_app("other")
    other_key = sb.create_key(other_app)
    mine, _ = await connected(sb, http, key=key_of(sb).full())
    theirs, _ = await connected(sb, http, key=other_key.full(), echo="false")
    await attach(mine, "room")
    await attach(theirs, "room")
    await theirs.send(message(0, data="private"))
    assert (await theirs.recv())["action"] == 1
    with pytest.raises(asyncio.TimeoutError):
        await mine.recv(timeout=0.3)


async def test_a_resent_serial_is_answered_again_not_applied_twice(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    # RTN19a: after a resume a client resends what it had no ACK/NACK for, with the same serial
    denied, _ = await connected(sb, http, accessToken=token(sb, "subscribe"))
    await attach(denied, "room")
    for _ in range(2):
        await denied.send(message(0, data="x"))
        nack = await ack_or_nack(denied)
        assert (nack["action"], nack["msgSerial"], nack["error"]["code"]) == (2, 0, 40160)
    sender, _ = await connected(sb, http, key=key_of(sb).full(), echo="false")
    reader, _ = await connected(sb, http, key=key_of(sb).full())
    await attach(sender, "room")
    await attach(reader, "room")
    for data in ("once", "once", "next"):
        await sender.send(message(0 if data == "once" else 1, data=data))
        assert (await ack_or_nack(sender))["action"] == 1
    delivered = [(await reader.expect(15))["messages"][0]["data"] for _ in range(2)]
    assert delivered == ["once", "next"]
