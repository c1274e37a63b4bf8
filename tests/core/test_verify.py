"""The one verification module: Ably JWTs (UTF-8 secret, kid), TokenRequest MACs, general JWTs."""

from __future__ import annotations

import base64

from tokenlab.core import jws
from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.core.verify import (
    Status,
    verify_ably_jwt,
    verify_general_jwt,
    verify_token_request,
    verify_with_key_text,
    verify_with_secret,
)

KEY = ApiKey("appId", "keyId", "s3cr3t")
OTHER = ApiKey("appId", "other", "s3cr3t")
NOW_S = 1_700_000_000


def _jwt(key: ApiKey = KEY) -> str:
    return mint_ably_jwt(key, iat_s=NOW_S, ttl_s=3600, capability='{"*":["*"]}')


def test_ably_jwt_valid_wrong_secret_and_kid() -> None:
    assert verify_ably_jwt(_jwt(), KEY).status is Status.VALID
    bad = verify_ably_jwt(_jwt(), ApiKey("appId", "keyId", "other"))
    assert bad.status is Status.INVALID and not bad.valid and bad.severity == "error"
    kid = verify_ably_jwt(_jwt(), OTHER)  # same secret, but kid names keyId
    assert kid.status is Status.KID_MISMATCH and "kid" in kid.message


def test_ably_secret_is_utf8_not_base64() -> None:
    b64_secret = base64.b64encode(b"raw-bytes").decode()
    key = ApiKey("appId", "keyId", b64_secret)
    token = _jwt(key)
    assert verify_with_secret(token, b64_secret).valid
    assert not verify_with_secret(token, b64_secret, base64=True).valid


def test_token_request_mac() -> None:
    request = create_token_request(KEY, TokenParams(client_id="a", timestamp=1, nonce="n" * 16))
    assert verify_token_request(request, "s3cr3t").status is Status.VALID
    assert verify_token_request(request.to_json(), "nope").status is Status.INVALID
    assert verify_with_secret(request.to_json(), "s3cr3t", base64=True).status is Status.UNUSABLE
    assert verify_token_request("{not json", "s3cr3t").status is Status.UNUSABLE
    assert verify_token_request(request.with_mac(None), "s3cr3t").status is Status.UNSIGNED


def test_general_jwt_with_jwk_and_garbage() -> None:
    key = jws.key_from_secret("a-shared-secret-of-at-least-32-bytes!!")
    token = jws.mint_jwt({"sub": "x"}, key, algorithm="HS384").token
    assert verify_general_jwt(token, key).status is Status.VALID
    jwk = '{"kty":"oct","k":"' + base64.urlsafe_b64encode(b"a" * 48).decode() + '"}'
    assert verify_with_key_text(token, jwk).status is Status.INVALID
    assert verify_general_jwt("not-a-jwt", key).status is Status.UNUSABLE
    assert verify_with_key_text(token, "-----BEGIN nonsense").status is Status.UNUSABLE
