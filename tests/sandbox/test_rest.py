"""REST routes: /time (RSC16), publish and history with the clientId rules (RSL1m, RSA8f),
token auth forms (RSA3b), error format (TI1), versions, oversized input, and the DNS-rebinding
guard."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import aiohttp
import msgpack
import pytest

from tests.sandbox.conftest import FakeClock, config, key_of, token
from tokenlab.core.errors import UserError
from tokenlab.core.tokens import MAX_TOKEN_LENGTH
from tokenlab.sandbox import Sandbox


def bearer(tok: str, *, encode: bool = True) -> dict[str, str]:
    value = base64.b64encode(tok.encode()).decode() if encode else tok
    return {"Authorization": f"Bearer {value}"}


async def publish(
    sb: Sandbox, http: aiohttp.ClientSession, channel: str, body: Any, headers: dict[str, str]
) -> tuple[int, Any]:
    url = f"{sb.rest_url}/channels/{channel}/messages"
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def history(
    sb: Sandbox, http: aiohttp.ClientSession, channel: str, headers: dict[str, str]
) -> tuple[int, Any]:
    async with http.get(f"{sb.rest_url}/channels/{channel}/messages", headers=headers) as r:
        return r.status, await r.json()


# -- case 7 -----------------------------------------------------------------------------------
async def test_time_in_json_and_msgpack_without_auth(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sb.rest_url}/time") as response:
        assert response.headers["Content-Type"] == "application/json"
        (value,) = await response.json()
    assert abs(value - sb.now_ms()) < 1_000
    headers = {"Accept": "application/x-msgpack"}
    async with http.get(f"{sb.rest_url}/time", headers=headers) as response:
        assert response.headers["Content-Type"] == "application/x-msgpack"
        (packed,) = msgpack.unpackb(await response.read())
    assert abs(packed - sb.now_ms()) < 1_000


async def test_time_follows_the_clock_skew_setting(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    sb.update_settings(clock_skew_ms=-600_000)
    async with http.get(f"{sb.rest_url}/time") as response:
        (value,) = await response.json()
    assert abs(value + 600_000 - sb.config.now_ms()) < 1_000


# -- error format ------------------------------------------------------------------------------
async def test_error_body_and_headers_are_exactly_as_ably(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sb.rest_url}/channels/x/messages") as response:
        raw = await response.read()
        assert response.status == 401
        assert response.headers["Content-Type"] == "application/json"  # no charset
        assert response.headers["X-Ably-ErrorCode"] == "40101"
        assert response.headers["X-Ably-ErrorMessage"]
    error = json.loads(raw)["error"]
    assert error["code"] == 40101 and error["statusCode"] == 401
    assert error["href"] == "https://help.ably.io/error/40101" and error["message"]


async def test_unknown_route_is_an_ably_404(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{sb.rest_url}/no/such/route") as response:
        body = await response.json()
        assert response.headers["Content-Type"] == "application/json"
    assert (response.status, body["error"]["code"]) == (404, 40400)


@pytest.mark.parametrize("version", ["1", "x"])
async def test_unsupported_version_is_40017(
    sb: Sandbox, http: aiohttp.ClientSession, version: str
) -> None:
    headers = {"X-Ably-Version": version}
    async with http.get(f"{sb.rest_url}/time", headers=headers) as response:
        body = await response.json()
    assert (response.status, body["error"]["code"]) == (400, 40017)


# -- token auth forms ---------------------------------------------------------------------------
@pytest.mark.parametrize("encode", [True, False])
async def test_bearer_ably_token_raw_and_base64(
    sb: Sandbox, http: aiohttp.ClientSession, encode: bool
) -> None:
    status, body = await history(sb, http, "c", bearer(token(sb), encode=encode))
    assert status == 200, body


async def test_query_fallbacks_key_and_access_token(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    for query in ({"key": key_of(sb).full()}, {"access_token": token(sb)}):
        async with http.get(f"{sb.rest_url}/channels/c/messages", params=query) as response:
            assert response.status == 200, await response.text()


@pytest.mark.parametrize(
    ("auth", "status", "code"),
    [
        ("Bearer invalid-token", 401, 40101),
        ("Bearer " + base64.b64encode(b"garbage.token").decode(), 401, 40101),
        ("Digest abc", 401, 40101),
        ("Basic !!!", 401, 40101),
    ],
)
async def test_bad_credentials(
    sb: Sandbox, http: aiohttp.ClientSession, auth: str, status: int, code: int
) -> None:
    got, body = await history(sb, http, "c", {"Authorization": auth})
    assert (got, body["error"]["code"]) == (status, code)


async def test_basic_auth_wrong_secret_and_unknown_key(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb)
    wrong = base64.b64encode(f"{key.name}:wrongsecret".encode()).decode()
    status, body = await history(sb, http, "c", {"Authorization": f"Basic {wrong}"})
    assert (status, body["error"]["code"]) == (401, 40101)
    unknown = base64.b64encode(f"{key.app_id}.nokey:secret".encode()).decode()
    status, body = await history(sb, http, "c", {"Authorization": f"Basic {unknown}"})
    assert (status, body["error"]["code"]) == (401, 40400)


async def test_expired_token_on_rest_is_40142(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    tok = token(sb, ttl_ms=1_000)
    clock.advance(2_000)
    status, body = await history(sb, http, "c", bearer(tok))
    assert (status, body["error"]["code"]) == (401, 40142)


async def test_token_longer_than_128_kib_is_40005(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    huge = "a." + "x" * MAX_TOKEN_LENGTH
    status, body = await history(sb, http, "c", bearer(huge, encode=False))
    assert (status, body["error"]["code"]) == (400, 40005)


# -- publish / history and the clientId rules (case 12, REST) ------------------------------------
async def test_publish_then_history(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    headers = bearer(token(sb, client_id="alice"))
    status, reply = await publish(sb, http, "room", {"name": "greet", "data": "hi"}, headers)
    assert status == 201, reply
    status, items = await history(sb, http, "room", headers)
    assert status == 200
    assert [(m["name"], m["data"], m["clientId"]) for m in items] == [("greet", "hi", "alice")]


async def test_publish_a_list_and_history_is_newest_first(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    body = [{"name": "one"}, {"name": "two"}]
    status, _ = await publish(sb, http, "list", body, headers)
    assert status == 201
    _, items = await history(sb, http, "list", headers)
    assert [m["name"] for m in items] == ["two", "one"]


async def test_rest_client_id_rules(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    alice = bearer(token(sb, client_id="alice"))
    assert (await publish(sb, http, "r", {"clientId": "alice"}, alice))[0] == 201
    status, body = await publish(sb, http, "r", {"clientId": "mallory"}, alice)
    assert (status, body["error"]["code"]) == (400, 40012)
    anonymous = bearer(token(sb))
    status, body = await publish(sb, http, "r", {"clientId": "anyone"}, anonymous)
    assert (status, body["error"]["code"]) == (400, 40012)
    wildcard = bearer(token(sb, client_id="*"))
    assert (await publish(sb, http, "r", {"clientId": "anyone"}, wildcard))[0] == 201
    basic = {"Authorization": key_of(sb).basic_auth_header()}
    assert (await publish(sb, http, "r", {"clientId": "whoever"}, basic))[0] == 201
    _, items = await history(sb, http, "r", basic)
    assert [m.get("clientId") for m in items] == ["whoever", "anyone", "alice"]


async def test_x_ably_client_id_identifies_a_basic_auth_client(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    headers = {
        "Authorization": key_of(sb).basic_auth_header(),
        "X-Ably-ClientId": base64.b64encode(b"carol").decode(),
    }
    assert (await publish(sb, http, "x", {"name": "n"}, headers))[0] == 201
    status, body = await publish(sb, http, "x", {"clientId": "dave"}, headers)
    assert (status, body["error"]["code"]) == (400, 40012)
    _, items = await history(sb, http, "x", headers)
    assert items[0]["clientId"] == "carol"


async def test_token_client_id_conflicting_with_header_is_40102(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    headers = bearer(token(sb, client_id="alice"))
    headers["X-Ably-ClientId"] = base64.b64encode(b"bob").decode()
    status, body = await publish(sb, http, "x", {"name": "n"}, headers)
    assert (status, body["error"]["code"]) == (401, 40102)


async def test_publish_and_history_need_capability(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    subscriber = bearer(token(sb, "subscribe"))
    status, body = await publish(sb, http, "news", {"name": "n"}, subscriber)
    assert (status, body["error"]["code"]) == (401, 40160)
    status, body = await history(sb, http, "news", subscriber)
    assert (status, body["error"]["code"]) == (401, 40160)


async def test_oversized_message_and_bad_bodies(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    status, body = await publish(sb, http, "big", {"data": "x" * 70_000}, headers)
    assert (status, body["error"]["code"]) == (400, 40009)
    status, body = await publish(sb, http, "bad", "just a string", headers)
    assert (status, body["error"]["code"]) == (400, 40001)
    url = f"{sb.rest_url}/channels/bad/messages"
    async with http.post(
        url, data=b"{oops", headers={**headers, "Content-Type": "application/json"}
    ) as r:
        assert (r.status, (await r.json())["error"]["code"]) == (400, 40001)
    async with http.post(url, data=io.BytesIO(b"x" * 1_100_000), headers=headers) as r:
        assert (r.status, (await r.json())["error"]["code"]) == (413, 40009)


async def test_msgpack_publish_and_history(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    headers = {
        "Authorization": key_of(sb).basic_auth_header(),
        "Content-Type": "application/x-msgpack",
        "Accept": "application/x-msgpack",
    }
    url = f"{sb.rest_url}/channels/bin/messages"
    body = msgpack.packb({"name": "b", "data": b"\x00\x01"}, use_bin_type=True)
    async with http.post(url, data=body, headers=headers) as response:
        assert response.status == 201
    async with http.get(url, headers=headers) as response:
        items = msgpack.unpackb(await response.read(), raw=False)
    assert items[0]["data"] == b"\x00\x01"
    async with http.get(url, headers={"Authorization": headers["Authorization"]}) as response:
        (item,) = await response.json()
    assert (item["data"], item["encoding"]) == ("AAE=", "base64")


# -- DNS-rebinding guard ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{"Host": "evil.example:80"}, {"Origin": "http://evil.example"}, {"Origin": "null"}],
)
async def test_non_local_host_or_origin_is_refused(
    sb: Sandbox, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with http.get(f"{sb.rest_url}/time", headers=headers) as response:
        body = await response.json()
    assert (response.status, body["error"]["code"]) == (403, 40300)


async def test_websocket_upgrade_is_guarded_too(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    query = f"key={key_of(sb).full()}"
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await http.ws_connect(f"{sb.ws_url}/?{query}", headers={"Origin": "http://evil.example"})
    assert info.value.status == 403


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]:8080", "app.localhost"])
async def test_local_names_pass_and_get_cors(
    sb: Sandbox, http: aiohttp.ClientSession, host: str
) -> None:
    headers = {"Host": host, "Origin": f"http://{host}"}
    async with http.get(f"{sb.rest_url}/time", headers=headers) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == f"http://{host}"


async def test_remote_opt_in_keeps_the_guard_on(
    clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with (
        Sandbox(config(clock, allow_remote=True)) as sb,
        http.get(f"{sb.rest_url}/time", headers={"Host": "class.example"}) as r,
    ):
        assert r.status == 403


async def test_non_loopback_bind_without_opt_in_refuses_to_start(clock: FakeClock) -> None:
    with pytest.raises(UserError, match="allow_remote"):
        async with Sandbox(config(clock, host="0.0.0.0")):
            pass


async def test_cors_preflight(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    headers = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    async with http.options(f"{sb.rest_url}/keys/a.b/requestToken", headers=headers) as r:
        assert r.status == 204
        assert "POST" in r.headers["Access-Control-Allow-Methods"]


async def test_protocol_edges_newer_version_msgpack_errors_wrong_method_app_less_key(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{sb.rest_url}/time", headers={"X-Ably-Version": "9"}) as response:
        assert response.status == 200  # a newer version is accepted, as Ably does
    accept = {"Accept": "application/x-msgpack"}
    async with http.post(f"{sb.rest_url}/time", headers=accept) as response:
        assert response.headers["Content-Type"] == "application/x-msgpack"
        body = msgpack.unpackb(await response.read())
    assert (response.status, body["error"]["code"]) == (404, 40400)
    app_less = f"{key_of(sb).key_id}:{key_of(sb).secret}"
    basic = {"Authorization": "Basic " + base64.b64encode(app_less.encode()).decode()}
    status, body = await history(sb, http, "c", basic)
    assert (status, body["error"]["code"]) == (401, 40101)
