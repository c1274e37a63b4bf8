"""The red-team attack families replayed against a real sandbox, each asserting the Ably code.

Identity and authority here (token-authenticated requestToken, the demo auth server, the
Host/Origin guard, connectionId and clientId spoofing, revocation of post-dated JWTs) and the
families the review found holding (MAC forgery, nonce replay, TTL caps, JWT alg/kid tricks ...).
Hostile input is in test_attacks_input.py; frames, headers and memory in
test_attacks_realtime.py.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request

from tests.sandbox.attacks import (
    Reply,
    ably_jwt,
    bearer,
    call,
    code_of,
    raw_jwt,
    unsigned_request,
)
from tests.sandbox.conftest import (
    FakeClock,
    config,
    connect,
    connected,
    key_of,
    post_token_request,
    signed,
    token,
)
from tokenlab.commands.sandbox import print_banner, remote_warning
from tokenlab.core.ably_jwt import b64url_encode, mint_ably_jwt
from tokenlab.core.keys import ApiKey
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.httpwire import guard_violation


# -- 1. a token-authenticated requestToken never widens the presenting token ------------------
@pytest.mark.parametrize(
    ("presenting_id", "wanted_id", "ok"),
    [
        ("alice", "bob", False),
        ("alice", None, False),
        (None, "mallory", False),
        ("*", "bob", True),
        ("alice", "alice", True),
        (None, None, True),
    ],
)
async def test_token_auth_request_token_keeps_the_client_id(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    presenting_id: str | None,
    wanted_id: str | None,
    ok: bool,
) -> None:
    presenting = token(sb, client_id=presenting_id)
    status, body = await unsigned_request(sb, http, presenting, client_id=wanted_id)
    if ok:
        assert status == 200 and body.get("clientId") == wanted_id, body
    else:
        assert code_of((status, body)) == (401, 40102)


async def test_token_auth_request_token_cannot_outlive_the_presenting_token(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    presenting = sb.issue_token(key_of(sb).name, ttl_ms=60_000)
    reply = await unsigned_request(sb, http, presenting.token, ttl=3_600_000)
    assert code_of(reply) == (400, 40003)
    status, child = await unsigned_request(sb, http, presenting.token)  # default ttl: cut
    assert status == 200 and child["expires"] <= presenting.expires


async def test_token_minted_from_a_revocable_token_stays_revocable(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    presenting = ably_jwt(sb, "revocable", client_id="carol", revocation_key="group-7")
    status, child = await unsigned_request(sb, http, presenting, "revocable", client_id="carol")
    assert status == 200, child
    clock.advance(5)
    sb.revoke_revocation_key(key_of(sb, "revocable").name, "group-7")
    url = f"{sb.rest_url}/channels/c/messages"
    assert code_of(await call(http, "GET", url, headers=bearer(child["token"]))) == (401, 40141)


# -- 2. the demo auth server signs only for the demo app, and validates like /auth/token ------
async def test_auth_server_never_signs_for_provisioned_apps(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    status, app = await call(http, "POST", f"{sb.rest_url}/apps", json={"keys": [{}]})
    assert status == 201
    other = app["keys"][0]["keyName"]
    for kind in ("token", "token-request", "jwt"):
        reply = await call(http, "GET", f"{sb.rest_url}/auth/{kind}", params={"key": other})
        assert code_of(reply) == (404, 40400), kind
    status, _ = await call(http, "GET", f"{sb.rest_url}/auth/token", params={"key": "full"})
    assert status == 200


@pytest.mark.parametrize("ttl", ["999999999999", "-5", "86400001"])
async def test_auth_server_jwt_validates_the_ttl(
    sb: Sandbox, http: aiohttp.ClientSession, ttl: str
) -> None:
    reply = await call(http, "GET", f"{sb.rest_url}/auth/jwt", params={"ttl": ttl})
    assert code_of(reply) == (400, 40003)


async def test_auth_mode_needs_the_admin_credential(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    url = f"{sb.rest_url}/auth/mode"
    for headers in ({}, {"X-Tokenlab-Admin": "guess"}, {"X-Tokenlab-Admin": "é" * 32}):
        reply = await call(http, "POST", url, json={"mode": "500"}, headers=headers)
        assert code_of(reply) == (401, 40101)
        assert code_of(await call(http, "GET", url, headers=headers)) == (401, 40101)
    assert sb.settings.auth_server_mode is None
    headers = {"X-Tokenlab-Admin": sb.admin_token}
    assert await call(http, "POST", url, json={"mode": "500"}, headers=headers) == (
        200,
        {"mode": "500"},
    )


async def test_banner_prints_the_admin_credential(sb: Sandbox) -> None:
    for as_json in (False, True):
        out = io.StringIO()
        print_banner(sb, ":memory:", out, as_json=as_json)
        assert sb.admin_token in out.getvalue() and len(sb.admin_token) >= 20


# -- 3. a remote opt-in keeps the DNS-rebinding guard and CORS tight ----------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/apps"), ("GET", "/auth/token"), ("POST", "/auth/mode"), ("GET", "/time")],
)
async def test_remote_sandbox_refuses_foreign_hosts_and_origins(
    clock: FakeClock, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    async with Sandbox(config(clock, allow_remote=True)) as sb:
        for headers in ({"Origin": "http://evil.example"}, {"Host": "rebound.example"}):
            async with http.request(method, f"{sb.rest_url}{path}", headers=headers) as r:
                assert (r.status, (await r.json())["error"]["code"]) == (403, 40300)
                assert "Access-Control-Allow-Origin" not in r.headers


class _Transport:
    def __init__(self, sockname: tuple[str, int]) -> None:
        self.sockname = sockname

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.sockname if name == "sockname" else default


@pytest.mark.parametrize(
    ("bound", "arrived_on", "headers", "admitted"),
    [
        ("0.0.0.0", "192.0.2.7", {"Host": "192.0.2.7:8080"}, True),
        ("0.0.0.0", "192.0.2.7", {"Host": "192.0.2.7", "Origin": "http://192.0.2.7:3000"}, True),
        ("::", "::ffff:192.0.2.7", {"Host": "192.0.2.7:8080"}, True),
        ("0.0.0.0", "192.0.2.7", {"Host": "192.0.2.8:8080"}, False),
        ("0.0.0.0", "192.0.2.7", {"Host": "rebound.example"}, False),
        ("0.0.0.0", "192.0.2.7", {"Host": "192.0.2.7", "Origin": "http://evil.example"}, False),
        ("0.0.0.0", "192.0.2.7", {"Host": "0.0.0.0"}, False),
        ("class.example", "192.0.2.7", {"Host": "class.example:80"}, True),
        ("0.0.0.0", "192.0.2.7", {"Host": "localhost:8080"}, True),
    ],
)
def test_guard_admits_the_served_addresses_and_nothing_else(
    bound: str, arrived_on: str, headers: dict[str, str], admitted: bool
) -> None:
    request = make_mocked_request(
        "GET", "/time", headers=headers, transport=_Transport((arrived_on, 8080))
    )
    assert (guard_violation(request, bound) is None) is admitted


def test_remote_warning_says_what_a_browser_page_can_reach() -> None:
    warning = remote_warning("0.0.0.0") or ""
    assert "localhost" in warning and "refused" in warning and "DNS-rebinding" in warning


def test_unspecified_ipv6_host_prints_a_connectable_url() -> None:
    sandbox = Sandbox(config(FakeClock(), host="::", allow_remote=True))
    assert sandbox._url_host == "[::1]"


# -- 4. clientId and connectionId spoofing --------------------------------------------------------
async def test_rest_publish_overwrites_a_spoofed_connection_id(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb)
    subscriber, _ = await connected(sb, http, key=key.full())
    await subscriber.send({"action": 10, "channel": "spoof"})
    await subscriber.expect(11)
    headers = {"Authorization": key.basic_auth_header()}
    url = f"{sb.rest_url}/channels/spoof/messages"
    body = {"name": "n", "data": "d", "connectionId": "victim-connection"}
    assert (await call(http, "POST", url, json=body, headers=headers))[0] == 201
    frame = await subscriber.expect(15)
    assert frame.get("connectionId") != "victim-connection"
    assert all(m.get("connectionId") != "victim-connection" for m in frame["messages"])
    status, items = await call(http, "GET", url, headers=headers)
    assert status == 200 and all(m.get("connectionId") != "victim-connection" for m in items)
    await subscriber.close()


async def test_non_string_client_id_is_40012_on_rest_and_realtime(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb)
    headers = {"Authorization": key.basic_auth_header()}
    url = f"{sb.rest_url}/channels/c/messages"
    assert code_of(await call(http, "POST", url, json={"clientId": 7}, headers=headers)) == (
        400,
        40012,
    )
    client, _ = await connected(sb, http, key=key.full())
    await client.send({"action": 15, "channel": "c", "msgSerial": 0, "messages": [{"clientId": 7}]})
    await client.expect_error(2, 40012)
    await client.send(
        {"action": 14, "channel": "c", "msgSerial": 1, "presence": [{"action": 2, "clientId": []}]}
    )
    await client.expect_error(2, 40012)
    await client.close()


# -- 5. revocation reaches post-dated JWTs; embedded tokens need a numeric outer exp ------------
async def test_revocation_applies_to_a_jwt_with_iat_in_the_future(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    by_client = ably_jwt(sb, "revocable", ahead_s=4, client_id="dave")
    by_key = ably_jwt(sb, "revocable", ahead_s=4, revocation_key="rk")
    url = f"{sb.rest_url}/channels/c/messages"
    assert (await call(http, "GET", url, headers=bearer(by_client)))[0] == 200
    clock.advance(5)
    name = key_of(sb, "revocable").name
    sb.revoke_client_id(name, "dave")
    sb.revoke_revocation_key(name, "rk")
    for jwt in (by_client, by_key):
        assert code_of(await call(http, "GET", url, headers=bearer(jwt))) == (401, 40141)
        client = await connect(sb, http, accessToken=jwt)
        await client.expect_error(9, 40141)
        await client.close()


@pytest.mark.parametrize("outer_exp", ['"9999999999"', "true", "[1]", "NaN", "1e400"])
async def test_embedded_token_with_a_non_numeric_outer_exp_is_40144(
    sb: Sandbox, http: aiohttp.ClientSession, outer_exp: str
) -> None:
    inner = token(sb, ttl_ms=60_000)
    now_s = sb.now_ms() // 1000
    header = {"typ": "JWT", "alg": "HS256", "x-ably-token": inner}
    outer = raw_jwt("customer-secret", header, f'{{"iat":{now_s},"exp":{outer_exp}}}')
    url = f"{sb.rest_url}/channels/c/messages"
    status, code = code_of(await call(http, "GET", url, headers=bearer(outer)))
    assert code == 40144 and status in (400, 401)


# -- the families the review found holding: replayed so that they keep holding ----------------
async def _forged_mac(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    body = signed(sb).to_dict()
    body["mac"] = base64.b64encode(b"\0" * 32).decode()
    return await post_token_request(sb, http, body)


async def _replayed_nonce(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    body = signed(sb, nonce="n" * 16).to_dict()
    await post_token_request(sb, http, body)
    return await post_token_request(sb, http, body)


async def _stale_timestamp(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    return await post_token_request(sb, http, signed(sb, timestamp=sb.now_ms() - 121_000).to_dict())


async def _ttl_over_cap(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    return await post_token_request(sb, http, signed(sb, "revocable", ttl=3_600_001).to_dict())


async def _escalation(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    body = signed(sb, "chat", capability='{"admin":["publish"]}').to_dict()
    return await post_token_request(sb, http, body)


async def _jwt_alg_none(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    head = b64url_encode(json.dumps({"alg": "none", "kid": key_of(sb).name}).encode())
    now_s = sb.now_ms() // 1000
    body = b64url_encode(json.dumps({"iat": now_s, "exp": now_s + 60}).encode())
    url = f"{sb.rest_url}/channels/c/messages"
    return await call(http, "GET", url, headers=bearer(f"{head}.{body}."))


async def _jwt_unknown_app(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    fake = ApiKey.parse("nosuchapp.k3y:s3cr3t")
    jwt = mint_ably_jwt(fake, iat_s=sb.now_ms() // 1000, ttl_s=60)
    return await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(jwt))


async def _jwt_cross_app(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    other = sb.create_key(sb.create_app("other"))
    forged = ApiKey(other.app_id, other.key_id, key_of(sb).secret)  # kid of B, secret of A
    jwt = mint_ably_jwt(forged, iat_s=sb.now_ms() // 1000, ttl_s=60)
    return await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(jwt))


async def _client_id_masquerade(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    url = f"{sb.rest_url}/channels/c/messages"
    headers = bearer(token(sb, client_id="alice"))
    return await call(http, "POST", url, json={"clientId": "bob", "data": 1}, headers=headers)


async def _deleted_app(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    app_id = sb.create_app("doomed")
    key = sb.create_key(app_id)
    tok = sb.issue_token(key.name).token
    sb.delete_app(app_id)
    return await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(tok))


async def _malformed_body(sb: Sandbox, http: aiohttp.ClientSession) -> Reply:
    url = f"{sb.rest_url}/keys/{key_of(sb).name}/requestToken"
    headers = {"Content-Type": "application/json"}
    return await call(http, "POST", url, data='{"keyName":', headers=headers)


FAMILIES = {
    "mac forgery": (_forged_mac, (401, 40101)),
    "nonce replay": (_replayed_nonce, (401, 40105)),
    "timestamp outside ±2 min": (_stale_timestamp, (401, 40104)),
    "revocable ttl cap": (_ttl_over_cap, (400, 40003)),
    "capability escalation": (_escalation, (401, 40160)),
    "jwt alg none": (_jwt_alg_none, (401, 40144)),
    "jwt kid of an unknown app": (_jwt_unknown_app, (404, 40400)),
    "jwt kid of another app": (_jwt_cross_app, (401, 40144)),
    "clientId masquerade": (_client_id_masquerade, (400, 40012)),
    "token of a deleted app": (_deleted_app, (401, 40101)),
    "malformed body": (_malformed_body, (400, 40001)),
}


@pytest.mark.parametrize("family", list(FAMILIES))
async def test_attack_families_that_hold_keep_holding(
    sb: Sandbox, http: aiohttp.ClientSession, family: str
) -> None:
    attack, expected = FAMILIES[family]
    assert code_of(await attack(sb, http)) == expected
