"""Helpers of the sandbox attack suite (test_attacks*.py): HTTP calls that return the Ably code,
hand-built JWTs (whose claims may hold NaN or 1e400) and token-authenticated TokenRequests."""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp

from tests.sandbox.conftest import (
    key_of,
    post_token_request,
    signed,
)
from tokenlab.core.ably_jwt import b64url_encode, hs256, mint_ably_jwt
from tokenlab.sandbox import Sandbox

Reply = tuple[int, Any]
NON_STRING_OPS = ['{"x":[{}]}', '{"x":[["publish"]]}', '{"x":[1]}']


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + base64.b64encode(tok.encode()).decode()}


async def call(http: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Reply:
    async with http.request(method, url, **kw) as response:
        raw = await response.read()
        assert response.content_type in ("application/json", "application/jwt", "text/plain")
        if response.content_type != "application/json":
            return response.status, raw.decode()
        return response.status, json.loads(raw)


def code_of(reply: Reply) -> tuple[int, int]:
    status, body = reply
    return status, int(body["error"]["code"])


def raw_jwt(secret: str, header: dict[str, Any], claims_text: str) -> str:
    """A JWT whose claims are the exact JSON text given (so it may hold NaN or 1e400)."""
    head = b64url_encode(json.dumps(header).encode())
    signing_input = head + "." + b64url_encode(claims_text.encode())
    return signing_input + "." + b64url_encode(hs256(secret, signing_input))


def ably_jwt(sb: Sandbox, label: str = "full", *, ahead_s: int = 0, **kw: Any) -> str:
    iat = sb.now_ms() // 1000 + ahead_s
    return mint_ably_jwt(key_of(sb, label), iat_s=iat, ttl_s=600, **kw)


async def unsigned_request(
    sb: Sandbox, http: aiohttp.ClientSession, presenting: str, label: str = "full", **params: Any
) -> Reply:
    request = signed(sb, label, **params).with_mac(None).to_dict()
    return await post_token_request(sb, http, request, headers=bearer(presenting))
