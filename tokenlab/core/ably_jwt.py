"""Ably JWTs: lenient decoding (no verification), HS256 verification, minting.

Owns the byte-exact Ably JWT format Ably documents: JOSE header
``{"typ":"JWT","alg":"HS256","kid":keyName}``, ``iat``/``exp`` in seconds, the capability as a JSON
*string*, and the embedded-token form. Ably JWTs are built here with ``hmac`` directly so
the header and claim order are exactly as documented (tests/core/test_jwt.py checks a golden JWT);
JWTs with other algorithms and key types live in ``tokenlab.core.jws`` (pyjwt).

Decoding is lenient on purpose: segments in standard base64 (``+``, ``/``, ``=`` padding), as
some docs pseudo-examples produce, decode too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tokenlab.core.errors import TokenFormatError

if TYPE_CHECKING:
    from tokenlab.core.keys import ApiKey

CLAIM_CAPABILITY = "x-ably-capability"
CLAIM_CLIENT_ID = "x-ably-clientId"
CLAIM_REVOCATION_KEY = "x-ably-revocation-key"
CLAIM_CLIENT_TYPE = "x-ably-clientType"
CLAIM_TOKEN = "x-ably-token"

INVALID_JWT = 40144

_SEGMENT_RE = re.compile(r"[A-Za-z0-9_\-+/]*={0,2}")
_COMPACT = (",", ":")

Span = tuple[int, int]


@dataclass(frozen=True)
class DecodedJwt:
    """A JWS in compact form, split and decoded but not verified.

    ``segments`` are the character ranges (start, end) of the header, claims and signature
    segments inside ``raw``; ``signing_input`` is ``raw[: segments[1][1]]``.
    """

    raw: str
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: str
    signature: bytes
    segments: tuple[Span, Span, Span]

    @property
    def alg(self) -> str | None:
        alg = self.header.get("alg")
        return alg if isinstance(alg, str) else None

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64_decode_lenient(segment: str) -> bytes:
    """Decode base64url or standard base64, with or without ``=`` padding.

    Raises ``ValueError`` for characters outside both alphabets or an impossible length.
    """
    if not _SEGMENT_RE.fullmatch(segment):
        raise ValueError("not base64 or base64url")
    body = segment.rstrip("=").replace("+", "-").replace("/", "_")
    if len(body) % 4 == 1:
        raise ValueError("impossible base64 length")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:  # pragma: no cover - the regex and length check prevent it
        raise ValueError(str(exc)) from exc


def looks_like_jwt(text: str) -> bool:
    """True for three dot-separated base64(url) segments whose first is a JSON object."""
    text = text.strip()
    parts = text.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return False
    if not all(_SEGMENT_RE.fullmatch(p) for p in parts):
        return False
    try:
        header = json.loads(b64_decode_lenient(parts[0]))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(header, dict)


def _segment_json(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64_decode_lenient(segment))
    except ValueError as exc:  # includes JSONDecodeError and UnicodeDecodeError
        raise TokenFormatError(
            f"The JWT {what} is not base64url-encoded JSON ({exc}).",
            code=f"jwt.{what}_undecodable",
            ably_code=INVALID_JWT,
            fix=f"Check that the {what} segment was copied completely.",
        ) from exc
    except RecursionError as exc:
        raise TokenFormatError(
            f"The JWT {what} JSON is nested too deeply to decode.",
            code=f"jwt.{what}_undecodable",
            ably_code=INVALID_JWT,
        ) from exc
    if not isinstance(value, dict):
        raise TokenFormatError(
            f"The JWT {what} is JSON but not an object ({type(value).__name__}).",
            code=f"jwt.{what}_not_object",
            ably_code=INVALID_JWT,
        )
    return value


def decode_jwt(token: str) -> DecodedJwt:
    """Split and decode a compact JWS without verifying it.

    Surrounding whitespace is ignored (``raw`` is the stripped token). Raises ``TokenFormatError``
    (Ably 40144) when the token is not three segments of base64(url) JSON.
    """
    raw = token.strip()
    parts = raw.split(".")
    if len(parts) == 5:
        raise TokenFormatError(
            "This is an encrypted JWT (JWE, five segments); its claims cannot be read without the "
            "decryption key.",
            code="jwt.encrypted",
            ably_code=INVALID_JWT,
        )
    if len(parts) != 3:
        raise TokenFormatError(
            f"A JWT has three dot-separated segments; this has {len(parts)}.",
            code="jwt.segments",
            ably_code=INVALID_JWT,
            fix="Copy the whole token: header.claims.signature.",
        )
    header = _segment_json(parts[0], "header")
    claims = _segment_json(parts[1], "claims")
    try:
        signature = b64_decode_lenient(parts[2])
    except ValueError as exc:
        raise TokenFormatError(
            "The JWT signature segment is not base64url.",
            code="jwt.signature_undecodable",
            ably_code=INVALID_JWT,
        ) from exc
    h_end = len(parts[0])
    c_end = h_end + 1 + len(parts[1])
    return DecodedJwt(
        raw=raw,
        header=header,
        claims=claims,
        signing_input=raw[:c_end],
        signature=signature,
        segments=((0, h_end), (h_end + 1, c_end), (c_end + 1, len(raw))),
    )


def hs256(secret: str | bytes, signing_input: str) -> bytes:
    """HMAC-SHA256 of the signing input keyed with the UTF-8 bytes of the secret."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, signing_input.encode("utf-8"), hashlib.sha256).digest()


def verify_hs256(decoded: DecodedJwt, secret: str) -> bool:
    """True when the signature is HMAC-SHA256 over the signing input with ``utf8(secret)``.

    Only the signature is checked, whatever ``alg`` claims; times are the inspector's job.
    """
    return hmac.compare_digest(hs256(secret, decoded.signing_input), decoded.signature)


def _sign_compact(header: Mapping[str, Any], claims: Mapping[str, Any], secret: str) -> str:
    try:
        head = json.dumps(header, separators=_COMPACT)
        body = json.dumps(claims, separators=_COMPACT)
    except (TypeError, ValueError) as exc:
        raise TokenFormatError(
            f"A JWT header or claim value cannot be written as JSON: {exc}",
            code="jwt.claims_not_json",
        ) from exc
    signing_input = b64url_encode(head.encode()) + "." + b64url_encode(body.encode())
    return signing_input + "." + b64url_encode(hs256(secret, signing_input))


def _check_seconds(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TokenFormatError(
            f"{name} must be a whole number of seconds, not {value!r}.",
            code=f"jwt.{name}_type",
            ably_code=40003,
        )
    return value


def _check_lifetime(iat_s: object, exp_s: object) -> None:
    if _check_seconds("exp", exp_s) <= _check_seconds("iat", iat_s):
        raise TokenFormatError(
            "The token lifetime must be positive (exp after iat).",
            code="jwt.ttl_not_positive",
            ably_code=40003,
            fix="Use a TTL of at least one second.",
        )


def mint_ably_jwt(
    key: ApiKey,
    *,
    iat_s: int,
    ttl_s: int,
    capability: str | None = None,
    client_id: str | None = None,
    revocation_key: str | None = None,
    client_type: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """Mint an Ably JWT signed with the key's secret (HS256, ``kid`` = key name).

    ``capability`` is the JSON *string* placed verbatim in ``x-ably-capability``; omit it to let
    the token take the key's capability. Claims appear in the order iat, exp, capability,
    clientId, revocation key, clientType, then ``extra_claims``.
    """
    exp_s = _check_seconds("iat", iat_s) + _check_seconds("ttl", ttl_s)
    _check_lifetime(iat_s, exp_s)
    claims: dict[str, Any] = {"iat": iat_s, "exp": exp_s}
    optional = (
        (CLAIM_CAPABILITY, capability),
        (CLAIM_CLIENT_ID, client_id),
        (CLAIM_REVOCATION_KEY, revocation_key),
        (CLAIM_CLIENT_TYPE, client_type),
    )
    for name, value in optional:
        if value is not None:
            claims[name] = value
    if extra_claims:
        claims.update(extra_claims)
    header = {"typ": "JWT", "alg": "HS256", "kid": key.name}
    return _sign_compact(header, claims, key.secret)


def mint_embedded_jwt(
    inner_token: str,
    *,
    outer_secret: str,
    iat_s: int,
    exp_s: int,
    in_header: bool = True,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """Mint an outer HS256 JWT carrying an Ably token (or Ably JWT) under ``x-ably-token``.

    By default the inner token goes in the JOSE header; ``in_header=False`` puts it in the
    claims instead (allowed for unencrypted JWS only). The outer token is signed with the
    customer's own ``outer_secret``, which Ably never sees.
    """
    if not inner_token.strip():
        raise TokenFormatError(
            "The embedded Ably token is empty.", code="jwt.embedded_empty", ably_code=INVALID_JWT
        )
    _check_lifetime(iat_s, exp_s)
    header: dict[str, Any] = {"typ": "JWT", "alg": "HS256"}
    claims: dict[str, Any] = {"iat": iat_s, "exp": exp_s}
    if in_header:
        header[CLAIM_TOKEN] = inner_token
    else:
        claims[CLAIM_TOKEN] = inner_token
    if extra_claims:
        claims.update(extra_claims)
    return _sign_compact(header, claims, outer_secret)
