"""Token revocation and key revocation (spec RSA17) and the revocable TTL limit."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import pytest

from tests.sandbox.conftest import FakeClock, connect, connected, key_of, token
from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.errors import TokenRequestError
from tokenlab.sandbox import Sandbox


async def revoke(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    body: dict[str, Any],
    *,
    label: str = "revocable",
    auth: str | None = None,
    key_name: str | None = None,
) -> tuple[int, Any]:
    key = key_of(sb, label)
    tick(sb)  # issuedBefore is exclusive: tokens issued just now must be strictly earlier
    url = f"{sb.rest_url}/keys/{key_name or key.name}/revokeTokens"
    headers = {"Authorization": auth or key.basic_auth_header(), "X-Ably-Version": "5"}
    async with http.post(url, json=body, headers=headers) as response:
        result = response.status, await response.json()
    tick(sb)
    return result


def tick(sb: Sandbox) -> None:
    clock = sb.config.now_ms
    assert isinstance(clock, FakeClock)
    clock.advance(2)


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + base64.b64encode(tok.encode()).decode()}


async def test_revoke_by_client_id_batch_result_and_rest_40141(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    victim = token(sb, "revocable", client_id="x")
    bystander = token(sb, "revocable", client_id="y")
    status, body = await revoke(sb, http, {"targets": ["clientId:x"]})
    assert status == 201, body
    assert (body["successCount"], body["failureCount"]) == (1, 0)
    [result] = body["results"]
    assert result["target"] == "clientId:x"
    assert abs(result["appliesAt"] - sb.now_ms()) < 1_000 and result["issuedBefore"] <= sb.now_ms()
    url = f"{sb.rest_url}/channels/c/messages"
    async with http.get(url, headers=bearer(victim)) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (401, 40141)
    async with http.get(url, headers=bearer(bystander)) as response:
        assert response.status == 200
    fresh = token(sb, "revocable", client_id="x")  # issued after issuedBefore: fine
    async with http.get(url, headers=bearer(fresh)) as response:
        assert response.status == 200


async def test_connected_client_gets_disconnected_40141(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, "revocable", client_id="x"))
    other, _ = await connected(sb, http, accessToken=token(sb, "revocable", client_id="y"))
    await revoke(sb, http, {"targets": ["clientId:x"]})
    frame = await client.expect_error(6, 40141)
    assert frame["error"]["statusCode"] == 401
    assert await client.closed()
    await other.send({"action": 0, "id": "ok"})
    assert (await other.expect(0))["id"] == "ok"
    again = await connect(sb, http, accessToken=token(sb, "revocable", client_id="x"))
    await again.expect(4)


async def test_revoked_token_at_connect_is_40141(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    old = token(sb, "revocable", client_id="x")
    await revoke(sb, http, {"targets": ["clientId:x"]})
    client = await connect(sb, http, accessToken=old)
    await client.expect_error(9, 40141)


async def test_allow_reauth_margin_hints_then_enforces(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    stays, _ = await connected(sb, http, accessToken=token(sb, "revocable", client_id="x"))
    lazy, _ = await connected(sb, http, accessToken=token(sb, "revocable", client_id="x"))
    status, body = await revoke(sb, http, {"targets": ["clientId:x"], "allowReauthMargin": True})
    assert status == 201
    assert body["results"][0]["appliesAt"] - sb.now_ms() > 500  # margin is 800 ms in tests
    await stays.expect(17)
    await lazy.expect(17)
    await stays.send({"action": 17, "auth": {"accessToken": token(sb, "revocable", client_id="x")}})
    await stays.expect(4)
    await lazy.expect_error(6, 40141)
    with pytest.raises(asyncio.TimeoutError):
        await stays.recv(timeout=0.5)


async def test_revocation_key_matches_only_jwts_with_the_claim(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb, "revocable")
    now_s = sb.now_ms() // 1000
    tagged = mint_ably_jwt(key, iat_s=now_s - 2, ttl_s=600, revocation_key="group1")
    untagged = mint_ably_jwt(key, iat_s=now_s - 2, ttl_s=600)
    client, _ = await connected(sb, http, accessToken=tagged)
    status, _ = await revoke(sb, http, {"targets": ["revocationKey:group1"]})
    assert status == 201
    await client.expect_error(6, 40141)
    url = f"{sb.rest_url}/channels/c/messages"
    async with http.get(url, headers=bearer(untagged)) as response:
        assert response.status == 200


async def test_channel_target_matches_the_exact_resource(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    exact = token(sb, "revocable", capability='{"secret":["subscribe"]}')
    other = token(sb, "revocable", capability='{"public":["subscribe"]}')
    await revoke(sb, http, {"targets": ["channel:secret"]})
    async with http.get(f"{sb.rest_url}/time", headers=bearer(exact)) as response:
        assert response.status == 200  # /time needs no auth at all
    headers = bearer(exact)
    url = f"{sb.rest_url}/channels/secret/presence"
    async with http.get(url, headers=headers) as response:
        assert (await response.json())["error"]["code"] == 40141
    async with http.get(f"{sb.rest_url}/channels/public/presence", headers=bearer(other)) as r:
        assert r.status == 200


async def test_revoke_errors(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    tok = token(sb, "revocable")
    status, body = await revoke(
        sb, http, {"targets": ["clientId:x"]}, auth=bearer(tok)["Authorization"]
    )
    assert (status, body["error"]["code"]) == (401, 40162)
    wrong = key_of(sb).basic_auth_header()
    status, body = await revoke(sb, http, {"targets": ["clientId:x"]}, auth=wrong)
    assert (status, body["error"]["code"]) == (401, 40133)
    status, body = await revoke(sb, http, {"targets": ["clientId:x"]}, label="full")
    assert (status, body["error"]["code"]) == (401, 40164)
    status, body = await revoke(sb, http, {"targets": []})
    assert (status, body["error"]["code"]) == (400, 40001)
    status, body = await revoke(sb, http, {"targets": ["clientId:x"], "issuedBefore": 1})
    assert (status, body["error"]["code"]) == (400, 40003)


async def test_bad_target_type_is_a_per_target_error(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, body = await revoke(sb, http, {"targets": ["clientId:ok", "bogus:x", "nocolon"]})
    assert status == 201
    assert (body["successCount"], body["failureCount"]) == (1, 2)
    errors = [r["error"] for r in body["results"] if "error" in r]
    assert [e["statusCode"] for e in errors] == [400, 400]
    assert all(e["code"] == 40000 for e in errors)


async def test_revocable_keys_cap_ttl_at_one_hour(sb: Sandbox) -> None:
    with pytest.raises(TokenRequestError) as info:
        sb.issue_token(key_of(sb, "revocable").name, ttl_ms=3_600_001)
    assert info.value.ably_code == 40003


async def test_revoking_the_key_ends_its_connections_with_40131(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    by_key, _ = await connected(sb, http, key=key_of(sb, "chat").full())
    by_token, _ = await connected(sb, http, accessToken=token(sb, "chat"))
    unrelated, _ = await connected(sb, http, key=key_of(sb).full())
    assert sb.revoke_key(key_of(sb, "chat").name) == 2
    await by_key.expect_error(9, 40131)
    await by_token.expect_error(9, 40131)
    assert await by_key.closed() and await by_token.closed()
    await unrelated.send({"action": 0, "id": "fine"})
    assert (await unrelated.expect(0))["id"] == "fine"


async def test_admin_revoke_helpers(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, _ = await connected(sb, http, accessToken=token(sb, "revocable", client_id="gui"))
    tick(sb)
    [result] = sb.revoke_client_id(key_of(sb, "revocable").name, "gui")
    assert result.error is None and result.target == "clientId:gui"
    await client.expect_error(6, 40141)
    kinds = [e.kind for e in sb.events()]
    assert "revocation" in kinds
