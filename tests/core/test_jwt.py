"""Ably JWT minting/decoding (ably_jwt) and general JWTs (jws)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given
from hypothesis import strategies as st

from tokenlab.core import jws
from tokenlab.core.ably_jwt import (
    DecodedJwt,
    b64_decode_lenient,
    decode_jwt,
    looks_like_jwt,
    mint_ably_jwt,
    mint_embedded_jwt,
    verify_hs256,
)
from tokenlab.core.errors import TokenFormatError, UserError
from tokenlab.core.keys import ApiKey

GOLDEN = (
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiIsImtpZCI6ImFwcElkLmtleUlkIn0."
    "eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMCwieC1hYmx5LWNhcGFiaWxpdHkiOiJ7XCIqXCI6W1wi"
    "KlwiXX0iLCJ4LWFibHktY2xpZW50SWQiOiJ1c2VyQGV4YW1wbGUuY29tIn0."
    "PeGHxxBkAtR9oHmf7CeQPrG7A2Z1yzqcV0mOZuqCqtk"
)
KEY = ApiKey("appId", "keyId", "s3cr3t")


def _std_b64(segment: str) -> str:
    """Re-encode a base64url segment as standard base64 with padding."""
    return base64.b64encode(b64_decode_lenient(segment)).decode()


def test_golden_example_reproduces_byte_for_byte() -> None:
    token = mint_ably_jwt(
        KEY, iat_s=1_700_000_000, ttl_s=3600, capability='{"*":["*"]}', client_id="user@example.com"
    )
    assert token == GOLDEN


def test_decode_golden() -> None:
    decoded = decode_jwt(GOLDEN)
    assert decoded.header == {"typ": "JWT", "alg": "HS256", "kid": "appId.keyId"}
    assert decoded.claims["x-ably-capability"] == '{"*":["*"]}'
    assert decoded.claims["exp"] - decoded.claims["iat"] == 3600
    (h0, h1), (c0, c1), (s0, s1) = decoded.segments
    assert GOLDEN[h0:h1] + "." + GOLDEN[c0:c1] == decoded.signing_input
    assert GOLDEN[s0:s1] == GOLDEN.rsplit(".", 1)[1]
    assert s1 == len(GOLDEN)
    assert decoded.kid == "appId.keyId" and decoded.alg == "HS256"


def test_verify_hs256() -> None:
    decoded = decode_jwt(GOLDEN)
    assert verify_hs256(decoded, "s3cr3t")
    assert not verify_hs256(decoded, "s3cr3T")


def test_golden_agrees_with_pyjwt() -> None:
    claims = pyjwt.decode(
        GOLDEN, b"s3cr3t" * 6, algorithms=["HS256"], options={"verify_signature": False}
    )
    assert claims["x-ably-clientId"] == "user@example.com"


def test_tampered_claims_fail_verification() -> None:
    head, body, sig = GOLDEN.split(".")
    claims = json.loads(b64_decode_lenient(body))
    claims["x-ably-clientId"] = "mallory"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert not verify_hs256(decode_jwt(f"{head}.{forged_body}.{sig}"), "s3cr3t")


def test_lenient_standard_base64_segments() -> None:
    head, body, sig = GOLDEN.split(".")
    token = ".".join(_std_b64(s) for s in (head, body, sig))
    assert "=" in token or "+" in token or "/" in token
    decoded = decode_jwt(token)
    assert decoded.claims == decode_jwt(GOLDEN).claims
    assert decoded.signature == decode_jwt(GOLDEN).signature
    assert looks_like_jwt(token)


def test_decode_strips_whitespace_and_keeps_ranges() -> None:
    decoded = decode_jwt(f"  {GOLDEN}\n")
    assert decoded.raw == GOLDEN
    assert decoded.segments[0] == (0, GOLDEN.index("."))


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("abc", "jwt.segments"),
        ("a.b.c.d.e", "jwt.encrypted"),
        ("!!!.e30.sig", "jwt.header_undecodable"),
        ("WzFd.e30.c2ln", "jwt.header_not_object"),  # header is [1]
        ("e30.bm90IGpzb24.c2ln", "jwt.claims_undecodable"),  # claims "not json"
        ("e30.e30.***", "jwt.signature_undecodable"),
    ],
)
def test_decode_errors_are_token_format_errors(token: str, code: str) -> None:
    with pytest.raises(TokenFormatError) as info:
        decode_jwt(token)
    assert info.value.code == code
    assert info.value.ably_code == 40144


@pytest.mark.parametrize(
    "text", ["", "a.b", "hello.world.again", "e30", "appId.keyId:secret", "x..y"]
)
def test_looks_like_jwt_rejects_non_jwts(text: str) -> None:
    assert not looks_like_jwt(text)


def test_mint_optional_claims_order_and_extra() -> None:
    token = mint_ably_jwt(
        KEY,
        iat_s=10,
        ttl_s=5,
        capability='{"chat":["publish"]}',
        client_id="*",
        revocation_key="group1",
        client_type="server",
        extra_claims={"ably.channel.chat": '{"role":"mod"}'},
    )
    decoded = decode_jwt(token)
    assert list(decoded.claims) == [
        "iat",
        "exp",
        "x-ably-capability",
        "x-ably-clientId",
        "x-ably-revocation-key",
        "x-ably-clientType",
        "ably.channel.chat",
    ]
    assert decoded.claims["exp"] == 15
    assert verify_hs256(decoded, KEY.secret)


def test_mint_without_capability_omits_claim() -> None:
    decoded = decode_jwt(mint_ably_jwt(KEY, iat_s=1, ttl_s=60))
    assert decoded.claims == {"iat": 1, "exp": 61}


@pytest.mark.parametrize(("iat", "ttl"), [(1, 0), (1, -5), (1.5, 10), (1, True)])
def test_mint_rejects_bad_times(iat: object, ttl: object) -> None:
    with pytest.raises(TokenFormatError) as info:
        mint_ably_jwt(KEY, iat_s=iat, ttl_s=ttl)  # type: ignore[arg-type]
    assert info.value.ably_code == 40003


@pytest.mark.parametrize("in_header", [True, False])
def test_mint_embedded(in_header: bool) -> None:
    inner = mint_ably_jwt(KEY, iat_s=100, ttl_s=3600)
    outer = mint_embedded_jwt(
        inner, outer_secret="customer", iat_s=100, exp_s=200, in_header=in_header
    )
    decoded = decode_jwt(outer)
    where = decoded.header if in_header else decoded.claims
    assert where["x-ably-token"] == inner
    assert "kid" not in decoded.header
    assert verify_hs256(decoded, "customer")


def test_mint_embedded_rejects_empty_inner() -> None:
    with pytest.raises(TokenFormatError):
        mint_embedded_jwt(" ", outer_secret="x", iat_s=1, exp_s=2)


@given(
    iat=st.integers(0, 2**40),
    ttl=st.integers(1, 10**6),
    client_id=st.none() | st.text(max_size=30),
    capability=st.none() | st.text(max_size=40),
)
def test_mint_decode_round_trip(
    iat: int, ttl: int, client_id: str | None, capability: str | None
) -> None:
    token = mint_ably_jwt(KEY, iat_s=iat, ttl_s=ttl, client_id=client_id, capability=capability)
    decoded = decode_jwt(token)
    assert isinstance(decoded, DecodedJwt)
    assert decoded.claims["exp"] == iat + ttl
    assert decoded.claims.get("x-ably-clientId") == client_id
    assert decoded.claims.get("x-ably-capability") == capability
    assert verify_hs256(decoded, KEY.secret)
    # pyjwt agrees on the signature
    pyjwt.api_jws.PyJWS().decode_complete(
        token, KEY.secret.encode() * 6, algorithms=["HS256"], options={"verify_signature": False}
    )


# ---- general JWTs (jws) ---------------------------------------------------------------------


def test_short_hmac_secret_is_reported_not_warned() -> None:
    minted = jws.mint_jwt({"sub": "x"}, jws.key_from_secret("short"), algorithm="HS256")
    assert minted.key_warning is not None and "5 bytes" in minted.key_warning
    result = jws.verify_jwt(minted.token, jws.key_from_secret("short"))
    assert result.valid and result.key_warning is not None


def test_long_secret_has_no_warning_and_matches_pyjwt() -> None:
    secret = "k" * 48
    minted = jws.mint_jwt({"sub": "x"}, jws.key_from_secret(secret), algorithm="HS384")
    assert minted.key_warning is None
    assert pyjwt.decode(minted.token, secret, algorithms=["HS384"]) == {"sub": "x"}


def test_base64_secret() -> None:
    raw = bytes(range(40))
    b64 = base64.b64encode(raw).decode()
    key = jws.key_from_secret(b64, base64_encoded=True)
    assert key.material == raw
    token = jws.mint_jwt({"a": 1}, key).token
    assert pyjwt.decode(token, raw, algorithms=["HS256"]) == {"a": 1}
    assert not jws.verify_jwt(token, jws.key_from_secret(b64)).valid  # as text it differs
    with pytest.raises(UserError):
        jws.key_from_secret("not base64!!", base64_encoded=True)


def _rsa_pem() -> tuple[bytes, bytes]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pub = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return priv, pub


def test_rsa_pem_sign_and_verify() -> None:
    priv, pub = _rsa_pem()
    minted = jws.mint_jwt(
        {"sub": "a"}, jws.key_from_pem(priv), algorithm="RS256", headers={"kid": "k1"}
    )
    assert decode_jwt(minted.token).header == {"typ": "JWT", "alg": "RS256", "kid": "k1"}
    assert jws.verify_jwt(minted.token, jws.key_from_pem(pub)).valid
    assert jws.verify_jwt(minted.token, jws.key_from_pem(priv)).valid
    _other_priv, other_pub = _rsa_pem()
    assert not jws.verify_jwt(minted.token, jws.key_from_pem(other_pub)).valid
    with pytest.raises(UserError):
        jws.mint_jwt({"sub": "a"}, jws.key_from_pem(pub), algorithm="RS256")


def test_key_family_must_match_algorithm() -> None:
    priv, pub = _rsa_pem()
    token = jws.mint_jwt({"sub": "a"}, jws.key_from_pem(priv), algorithm="RS256").token
    assert not jws.verify_jwt(token, jws.key_from_secret("x" * 40)).valid
    # the PEM text typed into the secret field is still not treated as an RSA key
    as_secret = jws.verify_jwt(token, jws.key_from_secret(pub.decode()))
    assert not as_secret.valid and "public key" in as_secret.message


def test_algorithm_confusion_is_refused() -> None:
    """An HS256 token 'signed' with the public key's PEM bytes must not verify with that PEM."""
    _priv, pub = _rsa_pem()
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(b'{"sub":"admin"}').rstrip(b"=").decode()
    sig = hmac.new(pub, f"{head}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{head}.{body}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    result = jws.verify_jwt(forged, jws.key_from_pem(pub))
    assert not result.valid and "HMAC secret" in result.message


def test_ec_jwk() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk_private = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(private))
    jwk_public = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    token = jws.mint_jwt({"x": 1}, jws.key_from_jwk(jwk_private), algorithm="ES256").token
    assert jws.verify_jwt(token, jws.key_from_jwk(json.dumps(jwk_public))).valid
    assert not jws.verify_jwt(token, jws.key_from_jwk(jwk_public), algorithm="HS256").valid


def test_oct_jwk_is_hmac() -> None:
    secret = b"0123456789abcdef0123456789abcdef"
    jwk = {"kty": "oct", "k": base64.urlsafe_b64encode(secret).rstrip(b"=").decode()}
    key = jws.key_from_jwk(jwk)
    assert key.is_hmac
    token = jws.mint_jwt({"x": 1}, key, algorithm="HS512").token
    assert jws.verify_jwt(token, key).valid


@pytest.mark.parametrize("text", ["not json", "[1]", '{"kty":"nope"}', '{"k":"abc"}'])
def test_bad_jwk(text: str) -> None:
    with pytest.raises(UserError):
        jws.key_from_jwk(text)


def test_bad_pem() -> None:
    with pytest.raises(UserError):
        jws.key_from_pem("hello")
    with pytest.raises(UserError):
        jws.key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_alg_none() -> None:
    token = jws.mint_jwt({"x": 1}, jws.NO_KEY, algorithm="none").token
    assert token.endswith(".")
    result = jws.verify_jwt(token, jws.key_from_secret("x" * 40))
    assert not result.valid and "unsigned" in result.message


def test_unknown_algorithm() -> None:
    with pytest.raises(UserError):
        jws.mint_jwt({}, jws.key_from_secret("x"), algorithm="HS999")
    head = base64.urlsafe_b64encode(b'{"alg":"HS999"}').rstrip(b"=").decode()
    result = jws.verify_jwt(f"{head}.e30.c2ln", jws.key_from_secret("x"))
    assert not result.valid and "not supported" in result.message


def test_verify_garbage_never_raises() -> None:
    result = jws.verify_jwt("garbage", jws.key_from_secret("x"))
    assert not result.valid
    assert "three" in result.message


def test_algorithms_lists_common_ones() -> None:
    names = jws.algorithms()
    for name in ("HS256", "RS256", "ES256", "EdDSA", "none"):
        assert name in names


@pytest.mark.parametrize(
    ("make", "algs", "label"),
    [
        (
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
            ("RS256", "PS512"),
            "RSA",
        ),
        (lambda: ec.generate_private_key(ec.SECP384R1()), ("ES384",), "EC"),
        (ed25519.Ed25519PrivateKey.generate, ("EdDSA",), "EdDSA"),
    ],
)
def test_pem_families(make: Any, algs: tuple[str, ...], label: str) -> None:
    private = make()
    priv_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = jws.key_from_pem(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    key = jws.key_from_pem(priv_pem)
    assert label in key.label and "private" in key.label and "public" in pub.label
    assert jws.mint_jwt({"a": 1}, key).token.count(".") == 2  # default algorithm of the family
    for alg in algs:
        token = jws.mint_jwt({"a": 1}, key, algorithm=alg).token
        assert jws.verify_jwt(token, pub).valid
    hs = jws.mint_jwt({"a": 1}, jws.key_from_secret("x" * 32)).token
    assert not jws.verify_jwt(hs, pub).valid
