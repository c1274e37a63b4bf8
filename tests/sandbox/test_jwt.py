"""Ably JWTs and embedded-token JWTs on REST and realtime (Ably's JWT docs)."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from tests.sandbox.conftest import connect, connected, key_of, token
from tokenlab.core.ably_jwt import mint_ably_jwt, mint_embedded_jwt
from tokenlab.core.keys import ApiKey
from tokenlab.sandbox import Sandbox


def jwt(
    sb: Sandbox,
    label: str = "full",
    *,
    back_s: int = 0,
    ttl_s: int = 600,
    capability: str | None = None,
    client_id: str | None = None,
) -> str:
    iat = sb.now_ms() // 1000 - back_s
    return mint_ably_jwt(
        key_of(sb, label), iat_s=iat, ttl_s=ttl_s, capability=capability, client_id=client_id
    )


async def rest_get(
    sb: Sandbox, http: aiohttp.ClientSession, auth: str, channel: str = "c"
) -> tuple[int, Any]:
    url = f"{sb.rest_url}/channels/{channel}/messages"
    async with http.get(url, headers={"Authorization": auth}) as response:
        return response.status, await response.json()


@pytest.mark.parametrize("encode", [False, True])
async def test_valid_jwt_on_rest_raw_and_base64(
    sb: Sandbox, http: aiohttp.ClientSession, encode: bool
) -> None:
    text = jwt(sb)
    bearer = base64.b64encode(text.encode()).decode() if encode else text
    status, body = await rest_get(sb, http, f"Bearer {bearer}")
    assert status == 200, body


@pytest.mark.parametrize("param", ["accessToken", "access_token"])
async def test_valid_jwt_on_realtime(sb: Sandbox, http: aiohttp.ClientSession, param: str) -> None:
    text = jwt(sb, client_id="jwt-user")
    if param == "accessToken":
        client, frame = await connected(sb, http, accessToken=text)
    else:
        client, frame = await connected(sb, http, access_token=text)
    assert frame["connectionDetails"]["clientId"] == "jwt-user"
    await client.close()


async def test_expired_jwt_is_40142(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    expired = jwt(sb, back_s=7_200, ttl_s=3_600)
    status, body = await rest_get(sb, http, f"Bearer {expired}")
    assert (status, body["error"]["code"]) == (401, 40142)
    client = await connect(sb, http, accessToken=expired)
    await client.expect_error(9, 40142)
    assert await client.closed()


async def test_unknown_app_is_404_40400(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    stranger = ApiKey("nosuch", "keyid", "s3cr3t-s3cr3t-s3cr3t")
    text = mint_ably_jwt(stranger, iat_s=sb.now_ms() // 1000, ttl_s=600)
    status, body = await rest_get(sb, http, f"Bearer {text}")
    assert (status, body["error"]["code"]) == (404, 40400)


async def test_bad_signature_and_malformed_are_40144(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb)
    forged = mint_ably_jwt(
        ApiKey(key.app_id, key.key_id, "not-the-secret"), iat_s=sb.now_ms() // 1000, ttl_s=600
    )
    for bad in (forged, "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"):
        status, body = await rest_get(sb, http, f"Bearer {bad}")
        assert (status, body["error"]["code"]) == (401, 40144), bad
    client = await connect(sb, http, accessToken=forged)
    await client.expect_error(9, 40144)


async def test_future_iat_is_40001(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    future = jwt(sb, back_s=-600)
    status, body = await rest_get(sb, http, f"Bearer {future}")
    assert (status, body["error"]["code"]) == (400, 40001)


async def test_jwt_ttl_limits(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await rest_get(sb, http, f"Bearer {jwt(sb, ttl_s=25 * 3600)}")
    assert (status, body["error"]["code"]) == (400, 40003)
    status, body = await rest_get(sb, http, f"Bearer {jwt(sb, 'revocable', ttl_s=7200)}")
    assert (status, body["error"]["code"]) == (400, 40003)


async def test_effective_capability_is_the_intersection_with_the_key(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    text = jwt(sb, "chat", capability='{"*":["*"]}')
    client, _ = await connected(sb, http, accessToken=text)
    await client.send({"action": 10, "channel": "news"})
    await client.expect_error(9, 40160)
    await client.send({"action": 10, "channel": "chat:lobby"})
    attached = await client.expect(11)
    assert attached["channel"] == "chat:lobby"
    await client.close()


async def test_capability_claim_outside_the_key_is_40160(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    text = jwt(sb, "chat", capability='{"news":["subscribe"]}')
    status, body = await rest_get(sb, http, f"Bearer {text}")
    assert (status, body["error"]["code"]) == (401, 40160)


# -- case 6: embedded tokens ------------------------------------------------------------------
@pytest.mark.parametrize("in_header", [True, False])
async def test_embedded_ably_token_is_honoured(
    sb: Sandbox, http: aiohttp.ClientSession, in_header: bool
) -> None:
    details = sb.issue_token(key_of(sb).name, client_id="inner", ttl_ms=600_000)
    now_s = sb.now_ms() // 1000
    outer = mint_embedded_jwt(
        details.token,
        outer_secret="customer-own-secret",
        iat_s=now_s,
        exp_s=now_s + 300,
        in_header=in_header,
    )
    status, body = await rest_get(sb, http, f"Bearer {outer}")
    assert status == 200, body
    client, frame = await connected(sb, http, accessToken=outer)
    assert frame["connectionDetails"]["clientId"] == "inner"
    await client.close()


async def test_embedded_ably_jwt_is_honoured(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    now_s = sb.now_ms() // 1000
    outer = mint_embedded_jwt(jwt(sb, ttl_s=600), outer_secret="x", iat_s=now_s, exp_s=now_s + 60)
    status, body = await rest_get(sb, http, f"Bearer {outer}")
    assert status == 200, body


async def test_outer_exp_later_than_inner_expiry_is_rejected(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    inner = token(sb, ttl_ms=60_000)
    now_s = sb.now_ms() // 1000
    outer = mint_embedded_jwt(inner, outer_secret="x", iat_s=now_s, exp_s=now_s + 3_600)
    status, body = await rest_get(sb, http, f"Bearer {outer}")
    assert (status, body["error"]["code"]) == (401, 40144)


async def test_embedded_garbage_is_refused(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    now_s = sb.now_ms() // 1000
    outer = mint_embedded_jwt(
        "Sdnurv_some_invalid_token", outer_secret="x", iat_s=now_s, exp_s=now_s + 60
    )
    status, body = await rest_get(sb, http, f"Bearer {outer}")
    assert (status, body["error"]["code"]) == (401, 40101)
