"""The demo auth server (authUrl lessons): content types, parameters, defaults, misbehaviour."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.sandbox.conftest import connect, connected, key_of, post_token_request
from tokenlab.sandbox import Sandbox


def admin(sb: Sandbox) -> dict[str, str]:
    return {"X-Tokenlab-Admin": sb.admin_token}


async def get(
    sb: Sandbox, http: aiohttp.ClientSession, path: str, **params: str
) -> tuple[int, str, bytes]:
    async with http.get(f"{sb.rest_url}{path}", params=params) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


@pytest.mark.parametrize("param", ["clientId", "client_id"])
async def test_token_request_for_a_client_id(
    sb: Sandbox, http: aiohttp.ClientSession, param: str
) -> None:
    status, ctype, body = await get(sb, http, "/auth/token-request", **{param: "alice"})
    assert (status, ctype) == (200, "application/json")
    request = json.loads(body)
    assert {"keyName", "nonce", "mac", "timestamp"} <= set(request)
    assert request["keyName"] == key_of(sb).name and request["clientId"] == "alice"
    status, details = await post_token_request(sb, http, request)
    assert status == 200 and details["clientId"] == "alice"


async def test_post_form_with_ttl_capability_and_key(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    form = {"clientId": "bo", "ttl": "30000", "capability": '{"chat:a":["publish"]}', "key": "chat"}
    async with http.post(f"{sb.rest_url}/auth/token-request", data=form) as response:
        request = await response.json()
    assert request["keyName"] == key_of(sb, "chat").name
    status, details = await post_token_request(sb, http, request)
    assert status == 200, details
    assert details["expires"] - details["issued"] == 30_000
    assert details["capability"] == '{"chat:a":["publish"]}'


async def test_jwt_endpoint(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, ctype, body = await get(sb, http, "/auth/jwt", clientId="jo", ttl="60000")
    assert (status, ctype) == (200, "application/jwt")
    client, frame = await connected(sb, http, accessToken=body.decode())
    assert frame["connectionDetails"]["clientId"] == "jo"
    await client.close()


async def test_token_endpoint_plain_and_details(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, ctype, body = await get(sb, http, "/auth/token", clientId="tt")
    assert (status, ctype) == (200, "text/plain")
    client, frame = await connected(sb, http, accessToken=body.decode())
    assert frame["connectionDetails"]["clientId"] == "tt"
    await client.close()
    status, ctype, body = await get(sb, http, "/auth/token", format="details", ttl="5000")
    details = json.loads(body)
    assert ctype == "application/json" and details["expires"] - details["issued"] == 5_000
    assert sb.issued_tokens()[0].hint.startswith(key_of(sb).app_id + ".")


async def test_configured_defaults(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    sb.set_auth_server_defaults(client_id="teacher", ttl_ms=20_000, key_label="subscribe")
    _, _, body = await get(sb, http, "/auth/token", format="details")
    details = json.loads(body)
    assert details["clientId"] == "teacher" and details["capability"] == '{"*":["subscribe"]}'
    assert details["expires"] - details["issued"] == 20_000
    _, _, body = await get(sb, http, "/auth/token", format="details", client_id="student")
    assert json.loads(body)["clientId"] == "student"  # the request wins over defaults


async def test_unknown_key_label_is_404(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, _, body = await get(sb, http, "/auth/jwt", key="nosuchkey")
    assert (status, json.loads(body)["error"]["code"]) == (404, 40400)


@pytest.mark.parametrize(
    ("mode", "status", "ctype"),
    [
        ("500", 500, "application/json"),
        ("403", 403, "application/json"),
        ("garbage", 200, "application/json"),
        ("wrong-type", 200, "text/html"),
    ],
)
async def test_fail_modes(
    sb: Sandbox, http: aiohttp.ClientSession, mode: str, status: int, ctype: str
) -> None:
    got_status, got_type, body = await get(sb, http, "/auth/token-request", fail=mode)
    assert (got_status, got_type) == (status, ctype)
    if mode == "garbage":
        with pytest.raises(ValueError):
            json.loads(body)


async def test_delay_mode(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    status, _, _ = await get(sb, http, "/auth/jwt", fail="delay:300")
    assert status == 200 and loop.time() - start >= 0.3


async def test_expired_mode(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    _, _, body = await get(sb, http, "/auth/token-request", fail="expired")
    status, reply = await post_token_request(sb, http, json.loads(body))
    assert (status, reply["error"]["code"]) == (401, 40104)
    _, _, jwt = await get(sb, http, "/auth/jwt", fail="expired")
    client = await connect(sb, http, accessToken=jwt.decode())
    await client.expect_error(9, 40142)


async def test_persistent_mode_fails_then_heals(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.post(
        f"{sb.rest_url}/auth/mode", json={"mode": "500"}, headers=admin(sb)
    ) as response:
        assert (await response.json()) == {"mode": "500"}
    for _ in range(2):
        assert (await get(sb, http, "/auth/token"))[0] == 500
    async with http.post(
        f"{sb.rest_url}/auth/mode", json={"mode": None}, headers=admin(sb)
    ) as response:
        assert (await response.json()) == {"mode": None}
    assert (await get(sb, http, "/auth/token"))[0] == 200
    sb.set_auth_server_mode("403")
    assert (await get(sb, http, "/auth/jwt"))[0] == 403
    sb.set_auth_server_mode(None)
    assert (await get(sb, http, "/auth/jwt"))[0] == 200


@pytest.mark.parametrize("mode", ["explode", "delay:abc", "delay:999999"])
async def test_unknown_mode_is_40003(sb: Sandbox, http: aiohttp.ClientSession, mode: str) -> None:
    status, _, body = await get(sb, http, "/auth/token", fail=mode)
    assert (status, json.loads(body)["error"]["code"]) == (400, 40003)
    async with http.post(
        f"{sb.rest_url}/auth/mode", json={"mode": mode}, headers=admin(sb)
    ) as response:
        assert (await response.json())["error"]["code"] == 40003
