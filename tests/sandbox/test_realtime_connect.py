"""Realtime connect: CONNECTED, formats, versions, params (RTN2, RTN6) and connect failures
(RTN14), plus the clientId rules (RSA7, RSA15) at connect time."""

from __future__ import annotations

import aiohttp
import pytest

from tests.sandbox.conftest import FakeClock, connect, connected, key_of, token
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import MAX_TOKEN_LENGTH
from tokenlab.sandbox import Sandbox

DETAIL_FIELDS = (
    "connectionKey",
    "clientId",
    "maxIdleInterval",
    "connectionStateTtl",
    "maxMessageSize",
    "maxFrameSize",
    "serverId",
)


@pytest.mark.parametrize("how", ["key", "token", "jwt"])
@pytest.mark.parametrize("binary", [False, True])
async def test_connected_has_full_details(
    sb: Sandbox, http: aiohttp.ClientSession, how: str, binary: bool
) -> None:
    if how == "key":
        query = {"key": key_of(sb).full(), "clientId": "k"}
    elif how == "token":
        query = {"access_token": token(sb, client_id="k")}
    else:
        query = {"accessToken": sb.mint_jwt(key_of(sb).name, client_id="k")}
    client, frame = await connected(sb, http, binary=binary, params=query)
    details = frame["connectionDetails"]
    assert all(field in details for field in DETAIL_FIELDS), details
    assert frame["connectionId"] and details["connectionKey"].startswith(frame["connectionId"])
    assert details["clientId"] == "k"
    assert details["maxIdleInterval"] == 15_000 and details["connectionStateTtl"] == 3_000
    assert details["maxMessageSize"] == 65_536
    await client.close()


@pytest.mark.parametrize("version", ["2", "5", "6"])
async def test_versions_2_to_6_and_unknown_params(
    sb: Sandbox, http: aiohttp.ClientSession, version: str
) -> None:
    client, _ = await connected(
        sb,
        http,
        key=key_of(sb).full(),
        v=version,
        heartbeats="false",
        agent="x/1",
        scenario="whatever",
    )
    await client.close()


async def test_format_absent_means_json(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    ws = await http.ws_connect(f"{sb.ws_url}?key={key_of(sb).full()}")  # no path, no v, no format
    msg = await ws.receive(timeout=30)
    assert msg.type == aiohttp.WSMsgType.TEXT and '"action":4' in msg.data
    await ws.close()


@pytest.mark.parametrize("version", ["1", "abc"])
async def test_bad_version_is_40017(sb: Sandbox, http: aiohttp.ClientSession, version: str) -> None:
    client = await connect(sb, http, key=key_of(sb).full(), v=version)
    await client.expect_error(9, 40017)
    assert await client.closed()


async def test_a_newer_version_is_accepted(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client = await connect(sb, http, key=key_of(sb).full(), v="7")
    await client.expect(4)
    await client.close()


async def test_unsupported_format_is_refused(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client = await connect(sb, http, key=key_of(sb).full(), format="xml")
    await client.expect_error(9, 40000)
    assert await client.closed()


# -- case 9 -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad_key", ["this.is:wrong", "js9de7r.nokey:08sdnuvfasd", "js9de7r:08sdnuvfasd", "WRONGSECRET"]
)
async def test_wrong_key_or_secret_is_40101(
    sb: Sandbox, http: aiohttp.ClientSession, bad_key: str
) -> None:
    if bad_key == "WRONGSECRET":
        bad_key = f"{key_of(sb).name}:wrongsecret"
    client = await connect(sb, http, key=bad_key)
    frame = await client.expect_error(9, 40101)
    assert frame["error"]["statusCode"] == 401
    assert await client.closed()


async def test_malformed_key_is_40005(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client = await connect(sb, http, key="not a key")
    await client.expect_error(9, 40005)
    assert await client.closed()


@pytest.mark.parametrize(
    "garbage", ["Sdnurv_some_invalid_token_nkds9r7", "invalid-token", "invalid token"]
)
async def test_garbage_token_is_40101(
    sb: Sandbox, http: aiohttp.ClientSession, garbage: str
) -> None:
    client = await connect(sb, http, accessToken=garbage)
    await client.expect_error(9, 40101)
    assert await client.closed()


async def test_no_credentials_is_40101(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client = await connect(sb, http)
    await client.expect_error(9, 40101)


async def test_token_over_128_kib_is_40005(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client = await connect(sb, http, accessToken="a." + "x" * MAX_TOKEN_LENGTH)
    await client.expect_error(9, 40005)


async def test_expired_token_then_renewed_token_connects(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    old = token(sb, client_id="r", ttl_ms=1_000)
    clock.advance(1_500)
    client = await connect(sb, http, accessToken=old)
    frame = await client.expect_error(9, 40142)
    assert frame["error"]["statusCode"] == 401
    assert await client.closed()
    client, connected_frame = await connected(sb, http, accessToken=token(sb, client_id="r"))
    assert connected_frame["connectionDetails"]["clientId"] == "r"
    await client.close()


async def test_client_id_conflicting_with_token_is_40102(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client = await connect(sb, http, accessToken=token(sb, client_id="alice"), clientId="bob")
    frame = await client.expect_error(9, 40102)
    assert frame["error"]["statusCode"] == 401
    assert await client.closed()


async def test_anonymous_token_with_client_id_query_is_40102(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client = await connect(sb, http, accessToken=token(sb), clientId="bob")
    await client.expect_error(9, 40102)


@pytest.mark.parametrize("client_id", ["*", ""])
async def test_wildcard_or_empty_client_id_option_is_40012(
    sb: Sandbox, http: aiohttp.ClientSession, client_id: str
) -> None:
    client = await connect(sb, http, key=key_of(sb).full(), clientId=client_id)
    await client.expect_error(9, 40012)


@pytest.mark.parametrize(
    ("token_client_id", "query_client_id", "effective"),
    [("*", None, "*"), ("*", "zoe", "zoe"), (None, None, None), ("amy", "amy", "amy")],
)
async def test_effective_client_id_in_connection_details(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    token_client_id: str | None,
    query_client_id: str | None,
    effective: str | None,
) -> None:
    query = {"accessToken": token(sb, client_id=token_client_id)}
    if query_client_id is not None:
        query["clientId"] = query_client_id
    client, frame = await connected(sb, http, params=query)
    assert frame["connectionDetails"]["clientId"] == effective
    await client.close()


async def test_revoked_key_cannot_connect(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    sb.revoke_key(key_of(sb, "chat").name)
    client = await connect(sb, http, key=key_of(sb, "chat").full())
    await client.expect_error(9, 40131)


async def test_jwt_for_key_of_deleted_app_fails(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    app_id = sb.create_app("short-lived")
    key = sb.create_key(app_id)
    jwt = sb.mint_jwt(key.name)
    sb.delete_app(app_id)
    client = await connect(sb, http, accessToken=jwt)
    await client.expect_error(9, 40400)
    stranger = ApiKey(app_id, key.key_id, key.secret)
    client = await connect(sb, http, key=stranger.full())
    await client.expect_error(9, 40101)
