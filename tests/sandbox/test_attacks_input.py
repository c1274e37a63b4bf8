"""Attack families of hostile input against a real sandbox: capabilities whose operations are
not strings, non-finite and out-of-range numbers, non-ASCII digits, messages that cannot cross
wire formats, and lone surrogates. Each asserts the Ably code, never a 500 or a hung socket."""

from __future__ import annotations

import json

import aiohttp
import msgpack
import pytest

from tests.sandbox.attacks import (
    NON_STRING_OPS,
    ably_jwt,
    bearer,
    call,
    code_of,
    raw_jwt,
)
from tests.sandbox.conftest import (
    connect,
    connected,
    key_of,
    post_token_request,
    signed,
)
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import create_token_request
from tokenlab.sandbox import Sandbox


# -- 6. capabilities whose operations are not strings: 40000 on every path ---------------------
@pytest.mark.parametrize("capability", NON_STRING_OPS)
async def test_non_string_capability_ops_are_40000_everywhere(
    sb: Sandbox, http: aiohttp.ClientSession, capability: str
) -> None:
    status, body = await post_token_request(sb, http, signed(sb, capability=capability).to_dict())
    assert code_of((status, body)) == (400, 40000)
    for kind in ("token", "token-request", "jwt"):
        params = {"capability": capability}
        reply = await call(http, "GET", f"{sb.rest_url}/auth/{kind}", params=params)
        assert code_of(reply) == (400, 40000), kind
    apps = {"keys": [{"capability": capability}]}
    assert code_of(await call(http, "POST", f"{sb.rest_url}/apps", json=apps)) == (400, 40000)
    jwt = ably_jwt(sb, capability=capability)
    client = await connect(sb, http, accessToken=jwt)
    await client.expect_error(9, 40000)
    await client.close()
    reply = await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(jwt))
    assert code_of(reply) == (400, 40000)


# -- 7. non-finite and out-of-range numbers ----------------------------------------------------
@pytest.mark.parametrize(
    ("claim", "value"),
    [("exp", "NaN"), ("exp", "Infinity"), ("exp", "1e400"), ("iat", "-Infinity"), ("iat", "1e400")],
)
async def test_non_finite_jwt_times_are_40144(
    sb: Sandbox, http: aiohttp.ClientSession, claim: str, value: str
) -> None:
    now_s = sb.now_ms() // 1000
    times = {"iat": str(now_s), "exp": str(now_s + 600), claim: value}
    key = key_of(sb)
    header = {"typ": "JWT", "alg": "HS256", "kid": key.name}
    jwt = raw_jwt(key.secret, header, f'{{"iat":{times["iat"]},"exp":{times["exp"]}}}')
    reply = await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(jwt))
    assert code_of(reply) == (400, 40144)
    client = await connect(sb, http, accessToken=jwt)
    await client.expect_error(9, 40144)
    assert await client.closed()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("ttl", "NaN", 40003),
        ("ttl", "Infinity", 40003),
        ("ttl", "1e400", 40003),
        ("ttl", "1" + "0" * 5000, 40001),  # beyond what the JSON decoder reads: bad body
        ("timestamp", "NaN", 40001),
        ("timestamp", '"' + "1" * 5000 + '"', 40001),
    ],
)
async def test_non_finite_token_request_numbers_are_refused(
    sb: Sandbox, http: aiohttp.ClientSession, field: str, value: str, code: int
) -> None:
    body = signed(sb).with_mac(None).to_dict()
    body[field] = "@@"
    text = json.dumps(body).replace('"@@"', value)
    headers = {"Authorization": key_of(sb).basic_auth_header(), "Content-Type": "application/json"}
    url = f"{sb.rest_url}/keys/{key_of(sb).name}/requestToken"
    assert code_of(await call(http, "POST", url, data=text, headers=headers)) == (400, code)


# -- 8. numeric query and mode parameters are strict ASCII digits, bounded -----------------------
@pytest.mark.parametrize("limit", ["²", "١٢", "1" * 5000, "+5", " 5", "0", "1001"])
async def test_history_limit_is_strict(
    sb: Sandbox, http: aiohttp.ClientSession, limit: str
) -> None:
    headers = {"Authorization": key_of(sb).basic_auth_header()}
    for route in ("messages", "presence"):
        url = f"{sb.rest_url}/channels/c/{route}"
        reply = await call(http, "GET", url, params={"limit": limit}, headers=headers)
        assert code_of(reply) == (400, 40003)


@pytest.mark.parametrize("mode", ["delay:²", "delay:" + "9" * 5000, "delay:-1", "delay:"])
async def test_auth_server_delay_is_strict(
    sb: Sandbox, http: aiohttp.ClientSession, mode: str
) -> None:
    reply = await call(http, "GET", f"{sb.rest_url}/auth/token", params={"fail": mode})
    assert code_of(reply) == (400, 40003)


# -- 9. message data that cannot survive the other wire format is refused at publish -----------
@pytest.mark.parametrize(
    "data",
    ["NaN", "Infinity", "-Infinity", "1e400", str(2**64), str(-(2**63) - 1), '{"a":[NaN]}'],
)
async def test_rest_publish_of_json_only_numbers_is_40000(
    sb: Sandbox, http: aiohttp.ClientSession, data: str
) -> None:
    headers = {"Authorization": key_of(sb).basic_auth_header(), "Content-Type": "application/json"}
    url = f"{sb.rest_url}/channels/c/messages"
    for field in ("data", "extras"):
        text = f'{{"name":"x","{field}":{data}}}'
        assert code_of(await call(http, "POST", url, data=text, headers=headers)) == (400, 40000)
    status, items = await call(http, "GET", url, headers=headers)
    assert (status, items) == (200, [])


@pytest.mark.parametrize(
    "data",
    [msgpack.ExtType(5, b"\x00"), msgpack.Timestamp(1, 0), {1: "int key"}, float("nan")],
)
async def test_rest_publish_of_msgpack_only_values_is_40000(
    sb: Sandbox, http: aiohttp.ClientSession, data: object
) -> None:
    headers = {
        "Authorization": key_of(sb).basic_auth_header(),
        "Content-Type": "application/x-msgpack",
    }
    body = msgpack.packb({"name": "x", "data": data}, use_bin_type=True)
    url = f"{sb.rest_url}/channels/c/messages"
    assert code_of(await call(http, "POST", url, data=body, headers=headers)) == (400, 40000)


async def test_realtime_publish_of_unportable_data_is_nacked_and_others_carry_on(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    key = key_of(sb).full()
    json_sub, _ = await connected(sb, http, key=key)
    msgpack_pub, _ = await connected(sb, http, key=key, binary=True)
    for client in (json_sub, msgpack_pub):
        await client.send({"action": 10, "channel": "mix"})
        await client.expect(11)
    await json_sub.ws.send_str(
        '{"action":15,"channel":"mix","msgSerial":0,"messages":[{"data":Infinity}]}'
    )
    await json_sub.expect_error(2, 40000)
    await msgpack_pub.send(
        {
            "action": 15,
            "channel": "mix",
            "msgSerial": 0,
            "messages": [{"data": msgpack.ExtType(1, b"x")}],
        }
    )
    await msgpack_pub.expect_error(2, 40000)
    await msgpack_pub.send(
        {"action": 15, "channel": "mix", "msgSerial": 1, "messages": [{"data": 1}]}
    )
    assert (await json_sub.expect(15))["messages"][0]["data"] == 1
    for client in (json_sub, msgpack_pub):
        await client.close()


async def test_signed_request_token_round_trip_still_works(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    """Control: the hardening refuses attacks, not the ordinary exchange."""
    request = create_token_request(ApiKey.parse(key_of(sb).full()), now_ms=sb.now_ms)
    status, details = await post_token_request(sb, http, request.to_dict())
    assert status == 200 and details["token"]


# -- 6-9. lone surrogates (valid JSON escapes, invalid Unicode) and non-finite frame fields -------
SURROGATE = "\\ud800"  # as it appears in JSON text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/token", f'{{"clientId":"{SURROGATE}"}}'),
        ("/auth/jwt", f'{{"clientId":"x","revocationKey":"{SURROGATE}"}}'),
        ("/auth/token-request", f'{{"clientId":"{SURROGATE}"}}'),
        ("/apps", f'{{"keys":[{{"capability":"{{\\"{SURROGATE}\\":[\\"*\\"]}}"}}]}}'),
        ("/channels/c/messages", f'{{"name":"{SURROGATE}","data":1}}'),
    ],
)
async def test_lone_surrogates_in_bodies_are_40001(
    sb: Sandbox, http: aiohttp.ClientSession, path: str, body: str
) -> None:
    headers = {"Content-Type": "application/json", "Authorization": key_of(sb).basic_auth_header()}
    reply = await call(http, "POST", f"{sb.rest_url}{path}", data=body, headers=headers)
    assert code_of(reply) == (400, 40001)


async def test_lone_surrogate_in_a_token_request_is_40001(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    body = signed(sb).with_mac(None).to_dict()
    body["clientId"] = "@@"
    text = json.dumps(body).replace('"@@"', f'"{SURROGATE}"')
    headers = {"Authorization": key_of(sb).basic_auth_header(), "Content-Type": "application/json"}
    url = f"{sb.rest_url}/keys/{key_of(sb).name}/requestToken"
    assert code_of(await call(http, "POST", url, data=text, headers=headers)) == (400, 40001)


@pytest.mark.parametrize("claim", ["x-ably-clientId", "x-ably-revocation-key"])
async def test_jwt_claim_with_a_lone_surrogate_is_40144_not_a_hang(
    sb: Sandbox, http: aiohttp.ClientSession, claim: str
) -> None:
    key = key_of(sb)
    now_s = sb.now_ms() // 1000
    header = {"typ": "JWT", "alg": "HS256", "kid": key.name}
    jwt = raw_jwt(key.secret, header, f'{{"iat":{now_s},"exp":{now_s + 60},"{claim}":"\\ud800"}}')
    reply = await call(http, "GET", f"{sb.rest_url}/channels/c/messages", headers=bearer(jwt))
    assert code_of(reply) == (401, 40144)
    client = await connect(sb, http, accessToken=jwt)
    await client.expect_error(9, 40144)
    assert await client.closed()


@pytest.mark.parametrize(
    "frame",
    [
        '{"action":10,"channel":"\\ud800"}',
        '{"action":0,"id":"\\udfff"}',
        '{"action":0,"id":NaN}',
        '{"action":10,"channel":"c","params":{"a":Infinity}}',
        '{"action":15,"channel":"c","msgSerial":1e400,"messages":[{"data":1}]}',
        '{"action":15,"channel":"c","msgSerial":NaN,"messages":[{"data":1}]}',
    ],
)
async def test_frames_that_cannot_be_answered_in_json_are_40000(
    sb: Sandbox, http: aiohttp.ClientSession, frame: str
) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full(), clientId="x")
    await client.ws.send_str(frame)
    await client.expect_error(9, 40000)
    assert await client.closed()
