"""Pure pieces of the realtime client: framing, auth-result reading, redaction, retry timing."""

from __future__ import annotations

import json

import httpx
import msgpack
import pytest

from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenDetails, TokenRequest
from tokenlab.realtime.authresult import interpret_auth_url_response, interpret_callback_result
from tokenlab.realtime.options import ClientOptions, Endpoint, KeyAuth, TokenAuth
from tokenlab.realtime.protocol import (
    ErrorInfo,
    action_name,
    decode_frame,
    encode_frame,
    flag_names,
)
from tokenlab.realtime.redact import redact_text, redact_value
from tokenlab.realtime.state import retry_delay_ms
from tokenlab.realtime.transport import build_url, connect_params

JWT = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFwcElkLmtleUlkIn0.eyJpYXQiOjE3MDAwMDAw"
    "MDAsImV4cCI6MTcwMDAwMzYwMH0.PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
)


def test_frames_round_trip_in_json_and_msgpack() -> None:
    message = {"action": 15, "channel": "c", "messages": [{"name": "n", "data": "d"}]}
    text = encode_frame(message, "json")
    assert isinstance(text, str) and json.loads(text) == message
    packed = encode_frame(message, "msgpack")
    assert isinstance(packed, bytes) and msgpack.unpackb(packed) == message
    assert decode_frame(text) == message == decode_frame(packed)
    with pytest.raises(AblyError) as info:
        decode_frame("{nope")
    assert info.value.ably_code == 40000


def test_names_and_error_meanings() -> None:
    assert action_name(4) == "CONNECTED" and action_name(99) == "UNKNOWN(99)"
    assert flag_names((1 << 0) | (1 << 17)) == ["HAS_PRESENCE", "PUBLISH"]
    info = ErrorInfo.from_wire({"code": 40142, "statusCode": 401, "message": "Token expired"})
    assert info.meaning.startswith("40142 Token expired")
    assert ErrorInfo.from_wire("garbage").code == 50000


def _response(status: int, content_type: str | None, body: bytes) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return httpx.Response(status, headers=headers, content=body)


def test_auth_url_response_by_content_type() -> None:
    td = {"token": "app.abc", "issued": 1, "expires": 2}
    assert isinstance(
        interpret_auth_url_response(
            _response(200, "application/json; charset=utf-8", json.dumps(td).encode())
        ),
        TokenDetails,
    )
    tr = {"keyName": "a.b", "timestamp": 1, "nonce": "0123456789abcdef", "mac": "m"}
    assert isinstance(
        interpret_auth_url_response(_response(200, "application/json", json.dumps(tr).encode())),
        TokenRequest,
    )
    assert interpret_auth_url_response(_response(200, "text/plain", b"app.tok\n")) == "app.tok"
    assert interpret_auth_url_response(_response(200, "application/jwt", JWT.encode())) == JWT


@pytest.mark.parametrize(
    ("status", "ctype", "body", "fragment"),
    [
        (200, "text/html", b"<html>", "text/html"),
        (200, None, b"app.tok", "no Content-Type"),
        (200, "text/plain", b"", "empty"),
        (200, "text/plain", b'{"token":"x"}', "double-encoded"),
        (200, "application/json", b"{oops", "not valid JSON"),
        (200, "application/json", b'{"foo":1}', "neither TokenDetails"),
        (500, "text/plain", b"boom", "HTTP 500"),
    ],
)
def test_auth_url_rejections_are_40170(
    status: int, ctype: str | None, body: bytes, fragment: str
) -> None:
    with pytest.raises(AblyError) as info:
        interpret_auth_url_response(_response(status, ctype, body))
    assert info.value.ably_code == 40170
    assert fragment in info.value.message


def test_auth_url_403_keeps_its_status() -> None:
    with pytest.raises(AblyError) as info:
        interpret_auth_url_response(_response(403, "text/plain", b"go away"))
    assert info.value.status == 403


def test_callback_results() -> None:
    assert interpret_callback_result("  tok  ") == "tok"
    details = {"token": "t", "issued": 1, "expires": 2}
    assert isinstance(interpret_callback_result(details), TokenDetails)
    for bad in (
        "null",
        "undefined",
        42,
        "x" * 200_000,
        {"token": "t"},
        {"token": "t", "issued": 1},
    ):
        with pytest.raises(AblyError):
            interpret_callback_result(bad)


def test_redaction_of_keys_jwt_macs_connection_keys() -> None:
    text = (
        '{"key":"app1.key1:SuperSecretValue123","mac":"abc=","connectionKey":"c!k",'
        f'"accessToken":"{JWT}","token":"app1.opaquepart"}}'
    )
    out = redact_text(text)
    assert "SuperSecretValue123" not in out and "app1.key1:••••" in out
    assert "abc=" not in out and "c!k" not in out
    assert "PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk" not in out
    assert JWT.rsplit(".", 1)[0] in out  # header and claims stay readable
    assert "opaquepart" not in out and "app1.opaq" in out
    url = "ws://h:1/?key=app1.key1%3ASuperSecretValue123&resume=c1%21abc&v=6"
    assert "SuperSecret" not in redact_text(url) and "c1%21abc" not in redact_text(url)
    deep = redact_value({"x": [{"connectionKey": "k!1", "note": "app.k:SuperSecretValue123"}]})
    assert deep == {"x": [{"connectionKey": "••••", "note": "app.k:••••"}]}


def test_connect_url_follows_ably() -> None:
    params = connect_params(
        auth={"accessToken": "t"},
        fmt="msgpack",
        version=6,
        client_id="bob",
        echo=False,
        resume="k!1",
        agent="tokenlab",
        extra={"x": "1"},
    )
    url = build_url("wss://main.realtime.ably.net", params)
    assert url.startswith("wss://main.realtime.ably.net/?accessToken=t&clientId=bob")
    for part in ("format=msgpack", "v=6", "heartbeats=true", "echo=false", "resume=k%211", "x=1"):
        assert part in url


def test_retry_backoff_rtb1() -> None:
    assert retry_delay_ms(1000, 1, 0.0) == 1000
    assert retry_delay_ms(1000, 4, 0.0) == 2000
    assert retry_delay_ms(1000, 10, 1.0) == 1600


def test_endpoints() -> None:
    prod = Endpoint.production()
    assert prod.ws_url == "wss://main.realtime.ably.net"
    assert prod.rest_url == "https://main.realtime.ably.net"
    ep = Endpoint.from_url("ws://127.0.0.1:8081")
    assert ep.rest_url == "http://127.0.0.1:8081" and not ep.tls
    with pytest.raises(Exception, match="Endpoint URL"):
        Endpoint.from_url("ftp://x")


def test_client_id_option_checks() -> None:
    from tokenlab.core.keys import ApiKey

    key = ApiKey("app", "key", "secretsecret")
    for bad in ("*", ""):
        with pytest.raises(AblyError) as info:
            ClientOptions(
                endpoint=Endpoint.production(), auth=KeyAuth(key), client_id=bad
            ).validate()
        assert info.value.ably_code == 40012
    with pytest.raises(AblyError):
        ClientOptions(endpoint=Endpoint.production(), auth=TokenAuth()).validate()
