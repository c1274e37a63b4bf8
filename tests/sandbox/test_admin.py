"""The embedding/admin API the GUI's Sandbox tab uses: listings, keys, connections, drop
network, reauth, settings and the event feed."""

from __future__ import annotations

import aiohttp
import pytest

from tests.sandbox.conftest import connected, key_of, token
from tokenlab.core.errors import AblyError, UserError
from tokenlab.sandbox import Sandbox, SandboxEvent


async def test_listings(sb: Sandbox) -> None:
    [app] = sb.list_apps()
    assert app.demo and app.app_id == sb.demo_app_id and len(app.key_names) == 4
    assert [k.label for k in sb.list_keys()] == ["full", "subscribe", "chat", "revocable"]
    assert sb.api_key(key_of(sb).name) == key_of(sb)
    assert all("••••" in k.masked for k in sb.list_keys())
    with pytest.raises(AblyError):
        sb.api_key("no.such")


async def test_create_key_is_usable_with_its_capability(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = sb.create_key(capability='{"room":["subscribe"]}', revocable=True, label="room-reader")
    info = next(k for k in sb.list_keys() if k.key_name == key.name)
    assert (info.label, info.revocable, info.capability) == (
        "room-reader",
        True,
        '{"room":["subscribe"]}',
    )
    client, _ = await connected(sb, http, key=key.full())
    await client.send({"action": 10, "channel": "room"})
    await client.expect(11)
    await client.send({"action": 10, "channel": "other"})
    await client.expect_error(9, 40160)
    with pytest.raises(UserError):
        sb.create_key(capability='{"room":["fly"]}')


async def test_issued_tokens_show_hints_not_tokens(sb: Sandbox) -> None:
    details = sb.issue_token(key_of(sb).name, client_id="who", ttl_ms=60_000)
    jwt = sb.mint_jwt(key_of(sb).name, client_id="jwt-who")
    tokens = sb.issued_tokens()
    assert [t.kind for t in tokens[:2]] in (["jwt", "ably"], ["ably", "jwt"])
    ably = next(t for t in tokens if t.kind == "ably")
    assert ably.client_id == "who" and ably.expires - ably.issued == 60_000
    assert details.token not in repr(tokens) and jwt not in repr(tokens)


async def test_connections_show_identity_and_expiry(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    details = sb.issue_token(key_of(sb).name, client_id="ann", ttl_ms=60_000)
    client, frame = await connected(sb, http, accessToken=details.token, format="json")
    await client.send({"action": 10, "channel": "a"})
    await client.expect(11)
    [conn] = sb.connections()
    assert conn.connection_id == frame["connectionId"] and conn.client_id == "ann"
    assert conn.identity == "identified" and conn.token_expires == details.expires
    assert conn.connected and conn.channels == ("a",) and conn.credential == "Ably token"
    await client.close()


async def test_drop_connection_is_abrupt_and_resumable(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, frame = await connected(sb, http, key=key_of(sb).full())
    assert sb.drop_connection(frame["connectionId"])
    msg = await client.ws.receive(timeout=30)
    assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)  # no CLOSE frame
    assert not sb.connections()[0].connected
    resumed, again = await connected(
        sb, http, key=key_of(sb).full(), resume=frame["connectionDetails"]["connectionKey"]
    )
    assert again["connectionId"] == frame["connectionId"]
    assert not sb.drop_connection("nope")
    await resumed.close()


async def test_request_reauth_sends_auth(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, frame = await connected(sb, http, accessToken=token(sb))
    assert sb.request_reauth(frame["connectionId"])
    assert await client.expect(17) == {"action": 17}
    await client.close()


async def test_settings(sb: Sandbox) -> None:
    before = sb.now_ms()
    settings = sb.update_settings(reauth_lead_ms=5_000, clock_skew_ms=60_000)
    assert settings.reauth_lead_ms == 5_000 and sb.settings.clock_skew_ms == 60_000
    assert sb.now_ms() - before >= 59_000
    with pytest.raises(UserError):
        sb.update_settings(reauth_lead_ms=-1)


async def test_event_feed_and_journal(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    seen: list[SandboxEvent] = []
    unsubscribe = sb.subscribe(seen.append)
    client, frame = await connected(sb, http, accessToken=token(sb, client_id="ev"))
    await client.send({"action": 7})
    await client.expect(8)
    unsubscribe()
    sb.issue_token(key_of(sb).name)
    kinds = [e.kind for e in seen]
    assert kinds == ["token.issued", "connection.opened", "connection.closed"], kinds
    opened = seen[1]
    assert opened.connection_id == frame["connectionId"] and opened.client_id == "ev"
    journal = [e.kind for e in sb.events()]
    assert journal[-4:] == [
        "token.issued",
        "connection.opened",
        "connection.closed",
        "token.issued",
    ]


async def test_a_failing_subscriber_does_not_break_the_server(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    def broken(event: SandboxEvent) -> None:
        raise RuntimeError("subscriber bug")

    sb.subscribe(broken)
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.close()


async def test_subscribe_before_start_sees_provisioning() -> None:
    seen: list[SandboxEvent] = []
    sandbox = Sandbox()
    sandbox.subscribe(seen.append)
    async with sandbox:
        assert sandbox.rest_url.startswith("http://127.0.0.1:")
        assert sandbox.ws_url == sandbox.rest_url.replace("http", "ws")
    assert [e.kind for e in seen][:2] == ["app.created", "key.created"]
    with pytest.raises(RuntimeError):
        _ = sandbox.port
