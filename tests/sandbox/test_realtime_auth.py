"""Token lifetime on live connections and in-band AUTH (RTN22, RTC8),
and resume (RTN15b, RTN15c)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.sandbox.conftest import FakeClock, config, connected, key_of, token
from tokenlab.sandbox import Sandbox


# -- case 10 ------------------------------------------------------------------------------------
async def test_short_token_gets_40142_at_expiry_then_resume(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    # A token shorter than the 30 s lead gets no AUTH hint (RTN22 as Ably does it): only
    # DISCONNECTED 40142 at expiry, and a resume with a fresh token keeps the connectionId.
    client, first = await connected(sb, http, accessToken=token(sb, client_id="e", ttl_ms=5_000))
    clock.advance(3_000)
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=0.3)
    clock.advance(2_100)
    frame = await client.expect_error(6, 40142)
    assert frame["error"]["statusCode"] == 401
    assert await client.closed()
    key = first["connectionDetails"]["connectionKey"]
    client, again = await connected(sb, http, accessToken=token(sb, client_id="e"), resume=key)
    assert again["connectionId"] == first["connectionId"]
    assert "error" not in again
    assert again["connectionDetails"]["connectionKey"] != key
    await client.close()


async def test_default_lead_sends_auth_30_s_before_expiry_when_ahead(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    assert sb.settings.reauth_lead_ms == 30_000
    client, _ = await connected(sb, http, accessToken=token(sb, ttl_ms=60_000))
    clock.advance(28_000)  # the hint is due at expires - 30 s: nothing yet
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=0.3)
    clock.advance(2_100)
    auth = await client.expect(17)
    assert "auth" not in auth
    clock.advance(30_000)
    await client.expect_error(6, 40142)


async def test_a_20_second_token_gets_no_auth_only_40142(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, ttl_ms=20_000))
    clock.advance(18_000)  # expires - 30 s was already past at connect: no hint at all
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=0.3)
    clock.advance(2_100)
    await client.expect_error(6, 40142)


async def test_reauth_lead_setting_applies(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    sb.update_settings(reauth_lead_ms=1_000)
    client, _ = await connected(sb, http, accessToken=token(sb, ttl_ms=60_000))
    clock.advance(58_500)
    await client.expect(17)
    await client.close()


async def test_answering_auth_keeps_the_connection(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    sb.update_settings(reauth_lead_ms=600)  # a lesson's short lead: the hint lies ahead
    client, first = await connected(sb, http, accessToken=token(sb, client_id="k", ttl_ms=1_200))
    await client.expect(17)
    await client.send({"action": 17, "auth": {"accessToken": token(sb, client_id="k")}})
    renewed = await client.expect(4)
    assert renewed["connectionId"] == first["connectionId"]
    with pytest.raises(asyncio.TimeoutError):
        await client.recv(timeout=1.0)  # past the old expiry: no DISCONNECTED
    await client.close()


# -- case 11 ------------------------------------------------------------------------------------
async def test_in_band_auth_gives_connected_with_same_id(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, first = await connected(sb, http, accessToken=token(sb, client_id="u"))
    fresh = sb.mint_jwt(key_of(sb).name, client_id="u", ttl_ms=120_000)  # token kinds may differ
    await client.send({"action": 17, "auth": {"accessToken": fresh}})
    again = await client.expect(4)
    assert again["connectionId"] == first["connectionId"]
    assert again["connectionDetails"]["clientId"] == "u"
    conn = next(c for c in sb.connections() if c.connection_id == first["connectionId"])
    assert conn.credential == "Ably JWT"
    await client.close()


async def test_capability_downgrade_fails_only_the_lost_channels(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb))
    for name in ("news", "chat:lobby"):
        await client.send({"action": 10, "channel": name})
        await client.expect(11)
    narrower = token(sb, capability='{"chat:*":["subscribe","publish"]}')
    await client.send({"action": 17, "auth": {"accessToken": narrower}})
    await client.expect(4)
    error = await client.expect_error(9, 40160)
    assert error["channel"] == "news" and error["error"]["statusCode"] == 401
    await client.send(
        {
            "action": 15,
            "channel": "chat:lobby",
            "msgSerial": 0,
            "messages": [{"data": "still here"}],
        }
    )
    delivered = await client.expect(15)
    assert delivered["channel"] == "chat:lobby"
    await client.expect(1)
    await client.close()


@pytest.mark.parametrize(
    ("original", "replacement"),
    [
        ({"client_id": "alice"}, {"client_id": "bob"}),
        ({"client_id": "alice"}, {"client_id": "alice", "label": "chat"}),
    ],
)
async def test_incompatible_reauth_is_error_40102_and_close(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    original: dict[str, str],
    replacement: dict[str, str],
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, **original))
    label = replacement.pop("label", "full")
    await client.send({"action": 17, "auth": {"accessToken": token(sb, label, **replacement)}})
    await client.expect_error(9, 40102)
    assert await client.closed()


async def test_reauth_with_an_expired_token_is_disconnected_40142(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    stale = token(sb, ttl_ms=1_000)
    clock.advance(1_500)
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 17, "auth": {"accessToken": stale}})
    await client.expect_error(6, 40142)


async def test_auth_without_token_is_refused(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 17})
    await client.expect_error(9, 40101)
    assert await client.closed()


# -- resume ------------------------------------------------------------------------------------
async def test_disconnect_keeps_state_for_resume(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, first = await connected(sb, http, key=key_of(sb).full(), clientId="d")
    await client.send({"action": 5})
    await client.expect(6)
    assert await client.closed()
    resumed, again = await connected(
        sb,
        http,
        key=key_of(sb).full(),
        clientId="d",
        resume=first["connectionDetails"]["connectionKey"],
    )
    assert again["connectionId"] == first["connectionId"]
    await resumed.close()


async def test_resume_with_unknown_key_is_80018(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, frame = await connected(sb, http, key=key_of(sb).full(), resume="nope!nope")
    assert frame["error"]["code"] == 80018 and frame["connectionId"]
    await client.close()


async def test_resume_after_close_or_ttl_is_80008(
    clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with Sandbox(config(clock, connection_state_ttl_ms=300)) as sb:
        client, first = await connected(sb, http, key=key_of(sb).full())
        await client.send({"action": 5})
        assert await client.closed()
        clock.advance(400)  # past connectionStateTtl on the sandbox's clock
        async with asyncio.timeout(30):  # the sweeper discards it on its next tick
            while any(c.connection_id == first["connectionId"] for c in sb.connections()):
                await asyncio.sleep(0.01)
        key = first["connectionDetails"]["connectionKey"]
        client, again = await connected(sb, http, key=key_of(sb).full(), resume=key)
        assert again["error"]["code"] == 80008
        assert again["connectionId"] != first["connectionId"]
        await client.close()


async def test_resume_with_incompatible_identity_is_80011(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, first = await connected(sb, http, accessToken=token(sb, client_id="a"))
    await client.send({"action": 5})
    assert await client.closed()
    key = first["connectionDetails"]["connectionKey"]
    client, again = await connected(sb, http, accessToken=token(sb, client_id="b"), resume=key)
    assert again["error"]["code"] == 80011
    assert again["connectionId"] != first["connectionId"]
    await client.close()


async def test_resume_kicks_a_still_open_old_socket(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    old, first = await connected(sb, http, key=key_of(sb).full())
    key = first["connectionDetails"]["connectionKey"]
    new, again = await connected(sb, http, key=key_of(sb).full(), resume=key)
    assert again["connectionId"] == first["connectionId"]
    assert await old.closed()
    await new.send({"action": 0, "id": "still-alive"})
    assert (await new.expect(0))["id"] == "still-alive"
    await new.close()


async def test_connect_with_recover(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, first = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 5})
    assert await client.closed()
    key = first["connectionDetails"]["connectionKey"]
    client, again = await connected(sb, http, key=key_of(sb).full(), recover=key)
    assert again["connectionId"] == first["connectionId"]
    await client.close()
