"""TokenParams, TokenRequest and TokenDetails, and TokenRequest signing (TK1, TE1-6, TD1-7, RSA9g).

The MAC is ``base64(HMAC-SHA256(utf8(secret), utf8(sign_text)))`` where the sign text is six
fields each followed by ``\\n`` (the last one too); absent, null, empty or zero fields sign as an
empty string. The capability is signed **byte for byte as given**: ably-js sends compact JSON and
ably-python sends ``json.dumps(sort_keys=True)`` with spaces, and each signs what it sends. So a
``TokenRequest`` keeps its capability as the raw string and never re-serialises it.

Parsing is tolerant of what the SDKs really send: explicit nulls (ably-python), numeric strings
(the docs' curl example sends ``"ttl": "3600000"``) and msgpack-decoded bytes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tokenlab.core.clock import NonceFactory, NowMs, random_nonce, system_now_ms
from tokenlab.core.errors import TokenRequestError
from tokenlab.core.keys import ApiKey
from tokenlab.core.numbers import ascii_int, finite_number, shown

DEFAULT_TTL_MS = 3_600_000
MAX_TTL_MS = 86_400_000
MAX_REVOCABLE_TTL_MS = 3_600_000
TIMESTAMP_WINDOW_MS = 120_000
MIN_NONCE_LENGTH = 16
MAX_TOKEN_LENGTH = 131_072
_SHA256_BLOCK = 64


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value


def _normalise(d: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(_text(k)): _text(v) for k, v in d.items()}


def _bad_body(message: str, code: str) -> TokenRequestError:
    return TokenRequestError(message, code=f"token_request.{code}", ably_code=40001, status=400)


def parse_int(value: Any, field: str, *, ably_code: int = 40003) -> int | None:
    """An optional integer field: None stays None; ints, integral floats and numeric strings
    (ASCII digits, at most 18) within the signed 64-bit range are accepted; anything else
    (``NaN``, ``Infinity``, ``1e400``, ``"²"``, a 5,000-digit string) raises
    ``TokenRequestError`` with ``ably_code``."""
    if value is None:
        return None
    if isinstance(value, str):
        parsed = ascii_int(value.strip(), signed=True)
        if parsed is not None:
            return parsed
    elif finite_number(value) is not None and float(value).is_integer():
        return int(value)
    raise TokenRequestError(
        f"{field} must be an integer number of milliseconds, not {shown(value)}.",
        code=f"token_request.bad_{field}",
        ably_code=ably_code,
        status=400,
    )


def _opt_str(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if field == "nonce" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _bad_body(f"{field} must be a string, not {type(value).__name__}.", f"bad_{field}")


def sign_text(
    key_name: str,
    ttl: int | None,
    capability: str | None,
    client_id: str | None,
    timestamp: int,
    nonce: str | None,
) -> str:
    """The exact text that is HMAC'd (spec RSA9g)."""
    return (
        f"{key_name}\n{ttl or ''}\n{capability or ''}\n{client_id or ''}\n"
        f"{timestamp}\n{nonce or ''}\n"
    )


@functools.lru_cache(maxsize=16)
def _hmac_pads(secret: str) -> tuple[Any, Any]:
    """SHA-256 states primed with the HMAC inner and outer pads (RFC 2104) for ``secret``.

    Keying an HMAC costs as much as hashing a whole sign text, and ``hmac.HMAC.copy`` is slow
    Python code, so the primed hashlib states are cached per secret and copied per MAC.
    """
    key = secret.encode("utf-8", "surrogatepass")  # a lone surrogate from JSON must not crash
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


def compute_mac(secret: str, text: str) -> str:
    """``base64(HMAC-SHA256(utf8(secret), utf8(text)))``, standard base64 with padding."""
    primed_inner, primed_outer = _hmac_pads(secret)
    inner = primed_inner.copy()
    inner.update(text.encode("utf-8", "surrogatepass"))
    outer = primed_outer.copy()
    outer.update(inner.digest())
    return base64.b64encode(outer.digest()).decode("ascii")


@dataclass(frozen=True)
class TokenParams:
    ttl: int | None = None
    capability: str | None = None
    client_id: str | None = None
    timestamp: int | None = None
    nonce: str | None = None


@dataclass(frozen=True)
class TokenRequest:
    key_name: str
    timestamp: int
    nonce: str | None = None
    mac: str | None = None
    ttl: int | None = None
    capability: str | None = None
    client_id: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[Any, Any]) -> TokenRequest:
        if not isinstance(d, Mapping):
            raise _bad_body("A TokenRequest must be a JSON object.", "not_object")
        body = _normalise(d)
        key_name = body.get("keyName")
        if not isinstance(key_name, str) or not key_name:
            raise _bad_body("The TokenRequest has no keyName.", "no_key_name")
        timestamp = parse_int(body.get("timestamp"), "timestamp", ably_code=40001)
        if timestamp is None:
            raise _bad_body("The TokenRequest has no timestamp.", "no_timestamp")
        capability = body.get("capability")
        if capability is not None and not isinstance(capability, str):
            raise _bad_body(
                "capability must be a JSON string (the exact bytes that were signed), "
                "not an object.",
                "capability_not_string",
            )
        return cls(
            key_name=key_name,
            timestamp=timestamp,
            nonce=_opt_str(body.get("nonce"), "nonce"),
            mac=_opt_str(body.get("mac"), "mac"),
            ttl=parse_int(body.get("ttl"), "ttl") or None,
            capability=capability,
            client_id=_opt_str(body.get("clientId"), "clientId"),
        )

    @property
    def signed(self) -> bool:
        return self.mac is not None

    def sign_text(self) -> str:
        return sign_text(
            self.key_name, self.ttl, self.capability, self.client_id, self.timestamp, self.nonce
        )

    def with_mac(self, mac: str | None) -> TokenRequest:
        return replace(self, mac=mac)

    def to_dict(self) -> dict[str, Any]:
        wire = {
            "keyName": self.key_name,
            "ttl": self.ttl,
            "capability": self.capability,
            "clientId": self.client_id,
            "timestamp": self.timestamp,
            "nonce": self.nonce,
            "mac": self.mac,
        }
        return {k: v for k, v in wire.items() if v is not None}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


@dataclass(frozen=True)
class TokenDetails:
    token: str
    expires: int | None = None
    issued: int | None = None
    capability: str | None = None
    client_id: str | None = None
    key_name: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[Any, Any]) -> TokenDetails:
        if not isinstance(d, Mapping):
            raise _bad_body("TokenDetails must be a JSON object.", "details_not_object")
        body = _normalise(d)
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise _bad_body("The TokenDetails has no token string.", "no_token")
        capability = body.get("capability")
        if isinstance(capability, Mapping):
            capability = json.dumps(capability, separators=(",", ":"), ensure_ascii=False)
        return cls(
            token=token,
            expires=parse_int(body.get("expires"), "expires", ably_code=40001),
            issued=parse_int(body.get("issued"), "issued", ably_code=40001),
            capability=_opt_str(capability, "capability"),
            client_id=_opt_str(body.get("clientId"), "clientId"),
            key_name=_opt_str(body.get("keyName"), "keyName"),
        )

    def to_dict(self) -> dict[str, Any]:
        wire = {
            "token": self.token,
            "keyName": self.key_name,
            "issued": self.issued,
            "expires": self.expires,
            "capability": self.capability,
            "clientId": self.client_id,
        }
        return {k: v for k, v in wire.items() if v is not None}


def create_token_request(
    key: ApiKey,
    params: TokenParams | None = None,
    *,
    now_ms: NowMs = system_now_ms,
    nonce_factory: NonceFactory = random_nonce,
) -> TokenRequest:
    """Build and sign a TokenRequest as the SDKs do. The capability string is used as given;
    pass ``Capability.canonical()`` for the whitespace-free form ably-js sends."""
    p = params or TokenParams()
    name = key.name
    timestamp = p.timestamp if p.timestamp is not None else now_ms()
    nonce = p.nonce if p.nonce is not None else nonce_factory()
    ttl = p.ttl or None
    capability = p.capability or None
    mac = compute_mac(key.secret, sign_text(name, ttl, capability, p.client_id, timestamp, nonce))
    return TokenRequest(name, timestamp, nonce, mac, ttl, capability, p.client_id)


def verify_mac(request: TokenRequest, secret: str) -> bool:
    if request.mac is None:
        return False
    expected = compute_mac(secret, request.sign_text())
    return hmac.compare_digest(expected.encode("ascii"), request.mac.encode("utf-8", "replace"))


def ttl_limit_ms(revocable: bool) -> int:
    return MAX_REVOCABLE_TTL_MS if revocable else MAX_TTL_MS


def validate_ttl(ttl: int | None, *, revocable: bool = False) -> int:
    """The TTL a server issues for ``ttl`` (None -> 60 min); 40003 when out of range."""
    if ttl is None or ttl == 0:
        effective = DEFAULT_TTL_MS
    elif ttl < 0:
        raise TokenRequestError(
            f"ttl must be positive, not {ttl}.", code="token_request.bad_ttl", ably_code=40003
        )
    else:
        effective = ttl
    limit = ttl_limit_ms(revocable)
    if effective > limit:
        kind = "revocable tokens" if revocable else "tokens"
        raise TokenRequestError(
            f"ttl {effective} ms exceeds the maximum of {limit} ms for {kind}.",
            code="token_request.ttl_too_long",
            ably_code=40003,
            fix="Request a shorter ttl; TTLs are in milliseconds.",
        )
    return effective
