"""requestToken: the RSA9g MAC, round trip, rejections, capability intersection, the REST
requestToken validation order and codes, and Ably's TTL limits."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import aiohttp
import pytest

from tests.sandbox.conftest import (
    FakeClock,
    config,
    error_code,
    key_of,
    post_token_request,
    signed,
)
from tokenlab.core.tokens import TokenParams, compute_mac, create_token_request, sign_text
from tokenlab.sandbox import Sandbox

PY_STYLE_CAP = '{"*": ["*"]}'


# -- case 1: the MAC ------------------------------------------------------------------------
def test_published_mac_vector() -> None:
    text = sign_text("a_key_name", 1000, None, "a_id", 1000, "abcde100")
    assert compute_mac("a_secret", text) == "sYkCH0Un+WgzI7/Nhy0BoQIKq9HmjKynCRs4E3qAbGQ="


async def test_mac_is_verified_over_the_raw_python_style_capability(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    request = signed(sb, capability=PY_STYLE_CAP, ttl=60_000)
    status, body = await post_token_request(sb, http, request.to_dict())
    assert status == 200, body
    assert body["capability"] == '{"*":["*"]}'  # returned canonical


async def test_recanonicalised_capability_breaks_the_mac(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wire = signed(sb, capability=PY_STYLE_CAP).to_dict()
    wire["capability"] = '{"*":["*"]}'  # same meaning, different bytes than were signed
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (401, 40101)


# -- case 2: round trip ---------------------------------------------------------------------
@pytest.mark.parametrize("binary", [False, True])
async def test_round_trip_with_explicit_nulls(
    sb: Sandbox, http: aiohttp.ClientSession, binary: bool
) -> None:
    wire = signed(sb).to_dict()
    body = {
        "keyName": wire["keyName"],
        "clientId": None,
        "ttl": None,
        "nonce": wire["nonce"],
        "capability": None,
        "timestamp": wire["timestamp"],
        "mac": wire["mac"],
    }
    status, details = await post_token_request(sb, http, body, binary=binary)
    assert status == 200, details
    assert details["keyName"] == key_of(sb).name
    assert details["expires"] - details["issued"] == 3_600_000
    assert details["capability"] == '{"*":["*"]}'
    assert "clientId" not in details
    assert details["token"].startswith(key_of(sb).app_id + ".")


async def test_round_trip_with_ttl_client_id_and_capability(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    cap = '{"private":["subscribe","publish","presence"],"*":["subscribe"]}'
    request = signed(sb, ttl=123, client_id="alice", capability=cap)
    status, details = await post_token_request(sb, http, request.to_dict())
    assert status == 200, details
    assert details["expires"] == details["issued"] + 123
    assert details["clientId"] == "alice"
    assert (
        details["capability"] == '{"*":["subscribe"],"private":["presence","publish","subscribe"]}'
    )
    assert abs(details["issued"] - sb.now_ms()) < 1_000


async def test_form_body_with_numeric_string_ttl_is_accepted(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wire = {k: str(v) for k, v in signed(sb, ttl=5_000).to_dict().items()}
    url = f"{sb.rest_url}/keys/{wire['keyName']}/requestToken"
    async with http.post(url, data=wire) as response:  # application/x-www-form-urlencoded
        details = await response.json()
    assert response.status == 200, details
    assert details["expires"] - details["issued"] == 5_000


async def test_unsigned_request_with_basic_auth(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    key = key_of(sb)
    body = {"keyName": key.name, "timestamp": sb.now_ms(), "ttl": "3600000", "clientId": "bob"}
    headers = {"Authorization": key.basic_auth_header()}
    status, details = await post_token_request(sb, http, body, headers=headers)
    assert status == 200, details
    assert details["clientId"] == "bob"


async def test_msgpack_response_when_accept_asks(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, details = await post_token_request(sb, http, signed(sb).to_dict(), binary=True)
    assert status == 200 and isinstance(details, dict) and "token" in details


# -- case 3: rejections ---------------------------------------------------------------------
async def test_bad_mac_is_40101(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    wire = signed(sb).to_dict()
    wire["mac"] = base64.b64encode(b"x" * 32).decode()
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (401, 40101)


async def test_stale_timestamp_is_40104(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    wire = signed(sb, timestamp=sb.now_ms() - 30 * 60_000).to_dict()
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (401, 40104)


async def test_clock_skew_setting_makes_timestamps_stale(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wire = signed(sb).to_dict()
    sb.update_settings(clock_skew_ms=5 * 60_000)
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (401, 40104)


async def test_replayed_nonce_is_40105(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    wire = signed(sb).to_dict()
    first, _ = await post_token_request(sb, http, wire)
    status, body = await post_token_request(sb, http, wire)
    assert first == 200
    assert (status, error_code(body)) == (401, 40105)


@pytest.mark.parametrize("ttl", [365 * 86_400_000, -1, "notanumber"])
async def test_bad_ttl_is_40003(sb: Sandbox, http: aiohttp.ClientSession, ttl: object) -> None:
    request = signed(sb)
    text = sign_text(request.key_name, ttl, None, None, request.timestamp, request.nonce)  # type: ignore[arg-type]
    wire = dict(request.to_dict(), ttl=ttl, mac=compute_mac(key_of(sb).secret, text))
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (400, 40003)


async def test_unsigned_without_basic_auth_is_401(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    body = {"keyName": key_of(sb).name, "timestamp": sb.now_ms()}
    status, reply = await post_token_request(sb, http, body)
    assert (status, error_code(reply)) == (401, 40101)


async def test_unsigned_with_another_keys_basic_auth_is_40102(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    body = {"keyName": key_of(sb).name, "timestamp": sb.now_ms()}
    headers = {"Authorization": key_of(sb, "chat").basic_auth_header()}
    status, reply = await post_token_request(sb, http, body, headers=headers)
    assert (status, error_code(reply)) == (401, 40102)


async def test_signed_request_without_nonce_is_40001(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wire = signed(sb).to_dict()
    del wire["nonce"]
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (400, 40001)


async def test_short_nonce_is_refused(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await post_token_request(sb, http, signed(sb, nonce="short").to_dict())
    assert (status, error_code(body)) == (400, 40003)


async def test_body_that_is_not_a_token_request_is_40001(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    url = f"{sb.rest_url}/keys/{key_of(sb).name}/requestToken"
    for data, ctype in (
        (b"{nope", "application/json"),
        (b"\xc1\xc1", "application/x-msgpack"),
        (b"[1,2]", "application/json"),
        (b"", "application/json"),
    ):
        async with http.post(url, data=data, headers={"Content-Type": ctype}) as response:
            body = await response.json()
        assert (response.status, error_code(body)) == (400, 40001), data


async def test_unknown_app_is_404_and_unknown_key_401_40400(
    sb: Sandbox, http: aiohttp.ClientSession
) -> None:
    wire = signed(sb).to_dict()
    status, body = await post_token_request(sb, http, wire, key_name="nosuch.key")
    assert (status, error_code(body)) == (404, 40400)
    other = f"{key_of(sb).app_id}.nokey"
    status, body = await post_token_request(sb, http, dict(wire, keyName=other), key_name=other)
    assert (status, error_code(body)) == (401, 40400)


async def test_path_and_body_key_names_must_match(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body = await post_token_request(
        sb, http, signed(sb).to_dict(), key_name=key_of(sb, "chat").name
    )
    assert (status, error_code(body)) == (401, 40102)


async def test_empty_client_id_is_40012(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    request = signed(sb)
    text = sign_text(request.key_name, None, None, "", request.timestamp, request.nonce)
    wire = dict(request.to_dict(), clientId="", mac=compute_mac(key_of(sb).secret, text))
    status, body = await post_token_request(sb, http, wire)
    assert (status, error_code(body)) == (400, 40012)


async def test_revoked_key_is_40131(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    sb.revoke_key(key_of(sb, "chat").name)
    status, body = await post_token_request(sb, http, signed(sb, "chat").to_dict())
    assert (status, error_code(body)) == (401, 40131)


# -- TTL limits ------------------------------------------------------------------------------
async def test_ttl_limits_normal_and_revocable(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    ok, _ = await post_token_request(sb, http, signed(sb, ttl=86_400_000).to_dict())
    too_long, body = await post_token_request(sb, http, signed(sb, ttl=86_400_001).to_dict())
    assert ok == 200 and (too_long, error_code(body)) == (400, 40003)
    ok, _ = await post_token_request(sb, http, signed(sb, "revocable", ttl=3_600_000).to_dict())
    status, body = await post_token_request(
        sb, http, signed(sb, "revocable", ttl=3_600_001).to_dict()
    )
    assert ok == 200 and (status, error_code(body)) == (400, 40003)


async def test_one_ms_ttl_is_accepted(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, details = await post_token_request(sb, http, signed(sb, ttl=1).to_dict())
    assert status == 200 and details["expires"] - details["issued"] == 1


# -- case 4: capability intersection ----------------------------------------------------------
INTERSECTIONS = [
    (
        {
            "ns:*": ["publish", "subscribe", "presence"],
            "notifications": ["subscribe", "history"],
            "alerts": ["subscribe"],
        },
        {"ns:user-123": ["subscribe"], "notifications": ["*"], "private": ["publish", "subscribe"]},
        {"notifications": ["history", "subscribe"], "ns:user-123": ["subscribe"]},
    ),
    (
        {"channel2": ["publish", "subscribe"]},
        {"channel2": ["presence", "subscribe"]},
        {"channel2": ["subscribe"]},
    ),
    (
        {"channel2": ["publish", "subscribe"]},
        {"channel2": ["*"]},
        {"channel2": ["publish", "subscribe"]},
    ),
    (
        {"channel6": ["*"]},
        {"channel6": ["publish", "subscribe"]},
        {"channel6": ["publish", "subscribe"]},
    ),
    ({"*": ["subscribe"]}, {"cansubscribe:*": ["subscribe"]}, {"cansubscribe:*": ["subscribe"]}),
    (
        {"canpublish:*": ["publish"]},
        {"canpublish:check": ["publish"]},
        {"canpublish:check": ["publish"]},
    ),
    ({"chat:*": ["*"]}, {"*": ["*"]}, {"chat:*": ["*"]}),  # ably-go's client-side default
]


@pytest.mark.parametrize(("key_cap", "requested", "expected"), INTERSECTIONS)
async def test_intersection_table(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    key_cap: dict[str, list[str]],
    requested: dict[str, list[str]],
    expected: dict[str, list[str]],
) -> None:
    key = sb.create_key(capability=json.dumps(key_cap))
    request = create_token_request(
        key, TokenParams(capability=json.dumps(requested)), now_ms=sb.now_ms
    )
    status, details = await post_token_request(sb, http, request.to_dict())
    assert status == 200, details
    assert json.loads(details["capability"]) == expected


@pytest.mark.parametrize(
    ("key_cap", "requested"),
    [
        ({"canpublish:*": ["publish"]}, {"canpublish:test": ["subscribe"]}),
        ({"channel0": ["publish"], "channel6": ["*"]}, {"channelx": ["publish"]}),
        ({"ns": ["*"]}, {"other-ns": ["*"]}),
    ],
)
async def test_empty_intersection_is_401_40160(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    key_cap: dict[str, list[str]],
    requested: dict[str, list[str]],
) -> None:
    key = sb.create_key(capability=json.dumps(key_cap))
    request = create_token_request(
        key, TokenParams(capability=json.dumps(requested)), now_ms=sb.now_ms
    )
    status, body = await post_token_request(sb, http, request.to_dict())
    assert (status, error_code(body)) == (401, 40160)


@pytest.mark.parametrize(
    "capability", ['{"a":["publish_"]}', '{"a":["*","publish"]}', '{"a":[]}', "not json"]
)
async def test_invalid_capability_is_400(
    sb: Sandbox, http: aiohttp.ClientSession, capability: str
) -> None:
    status, body = await post_token_request(sb, http, signed(sb, capability=capability).to_dict())
    assert (status, error_code(body)) == (400, 40000)


async def test_token_issued_before_a_restart_still_works(
    clock: FakeClock, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    async with Sandbox(config(clock, db_path=db)) as first:
        key = first.demo_keys["full"]
        _, details = await post_token_request(first, http, signed(first, client_id="z").to_dict())
    async with Sandbox(config(clock, db_path=db)) as second:
        assert second.demo_keys["full"] == key  # same demo app and secrets
        headers = {"Authorization": f"Bearer {details['token']}"}
        url = f"{second.rest_url}/channels/anything/messages"
        async with http.get(url, headers=headers) as response:
            assert response.status == 200, await response.text()
