"""Credential resolution: API keys, Ably tokens, Ably JWTs and embedded-token JWTs.

``Authenticator`` turns what a client presents (a ``key=`` query value, a Basic or Bearer
header, an ``accessToken``) into ``Credentials``: the key it rests on, the effective capability,
the token's clientId and lifetime. Every refusal is an ``AblyError`` with the code Ably uses
(ably-common, RTN14); the JWT checks follow Ably's documented order. Revocation state
comes from ``revocation.RevocationIndex``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from dataclasses import dataclass, replace
from typing import Any, Literal

from tokenlab.core.ably_jwt import (
    CLAIM_CAPABILITY,
    CLAIM_CLIENT_ID,
    CLAIM_REVOCATION_KEY,
    CLAIM_TOKEN,
    DecodedJwt,
    decode_jwt,
    looks_like_jwt,
    verify_hs256,
)
from tokenlab.core.capability import Capability
from tokenlab.core.clock import NowMs
from tokenlab.core.errors import AblyError, KeyFormatError, UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.numbers import finite_number, shown
from tokenlab.core.safetext import has_lone_surrogate
from tokenlab.core.tokens import MAX_TOKEN_LENGTH, ttl_limit_ms
from tokenlab.sandbox.revocation import IAT_TOLERANCE_MS, RevocationIndex
from tokenlab.sandbox.store import KeyRecord, Store

CredentialKind = Literal["basic", "token", "jwt"]
MAX_CLAIM_S = 10**11  # year 5138: any larger iat / exp is hostile, not a real time


@dataclass(frozen=True)
class Credentials:
    kind: CredentialKind
    key: KeyRecord
    capability: Capability
    client_id: str | None = None  # the token's clientId (None for Basic auth)
    issued: int | None = None
    expires: int | None = None
    revocable: bool = False
    revocation_key: str | None = None
    embedded: bool = False
    hint: str | None = None  # a display prefix of the token, never the token

    @property
    def basic(self) -> bool:
        return self.kind == "basic"

    @property
    def key_name(self) -> str:
        return self.key.key_name

    @property
    def app_id(self) -> str:
        return self.key.app_id

    def describe(self) -> str:
        what = {"basic": "API key", "token": "Ably token", "jwt": "Ably JWT"}[self.kind]
        return f"embedded {what}" if self.embedded else what


@functools.lru_cache(maxsize=4096)
def parse_capability(text: str) -> Capability:
    return Capability.parse(text)


def fail(code: int, message: str, *, status: int | None = None) -> AblyError:
    return AblyError(code, message, status=status, code=f"sandbox.auth.{code}")


def _parse_key(text: str) -> ApiKey:
    """``ApiKey.parse`` (KeyFormatError 40005 / 400), except that ``keyId:secret`` without an
    app id is a key the service does not know: 40101 / 401, on REST and realtime alike."""
    try:
        return ApiKey.parse(text)
    except KeyFormatError:
        name, sep, secret = text.strip().partition(":")
        if sep and secret and name and "." not in name:
            raise fail(
                40101, f"Invalid key: no key named {name!r:.40} (a key name is appId.keyId)."
            ) from None
        raise


class Authenticator:
    def __init__(self, store: Store, now_ms: NowMs, revocations: RevocationIndex) -> None:
        self._store = store
        self._now_ms = now_ms
        self._revocations = revocations

    # -- keys -------------------------------------------------------------------------------
    def from_key(self, text: str, *, unknown_code: int = 40101, status: int = 401) -> Credentials:
        """A full ``appId.keyId:secret`` (realtime ``key=``, REST Basic auth).

        Unknown keys are 40101 on realtime and 401/40400 on REST, as Ably answers."""
        key = _parse_key(text)
        record = self._store.key(key.name)
        if record is None:
            raise fail(unknown_code, f"Invalid key: no key named {key.name}.", status=status)
        if not hmac.compare_digest(record.secret.encode(), key.secret.encode()):
            raise fail(40101, f"Invalid credentials: wrong secret for key {key.name}.")
        self._check_key_live(record)
        return Credentials("basic", record, parse_capability(record.capability))

    def from_basic_header(self, value: str) -> Credentials:
        try:
            text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise fail(40101, "The Basic authorization header is not base64.") from None
        return self.from_key(text, unknown_code=40400, status=401)

    # -- tokens -----------------------------------------------------------------------------
    def from_bearer(self, value: str) -> Credentials:
        """Bearer credential: raw (contains '.') or standard base64 of the token (RSA3b)."""
        value = value.strip()
        if "." not in value:
            try:
                value = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise fail(
                    40101, "The Bearer token is neither a token nor base64 of one."
                ) from None
        return self.from_token(value)

    def from_token(self, token: str, *, nested: bool = False) -> Credentials:
        if len(token) > MAX_TOKEN_LENGTH:
            # UNCERTAIN: Ably's code for an oversized token is not documented; 40005 ("invalid
            # accessToken in request") matches the SDK-side 128 KiB limit of RSA4f.
            raise fail(40005, f"Invalid accessToken: longer than {MAX_TOKEN_LENGTH} characters.")
        token = token.strip()
        if not token:
            raise fail(40005, "Invalid accessToken: the token is empty.", status=400)
        if looks_like_jwt(token) or token.count(".") == 2:
            return self._from_jwt(token, nested=nested)
        return self._from_ably_token(token)

    def _from_ably_token(self, token: str) -> Credentials:
        record = self._store.token(token)
        if record is None:
            raise fail(40101, "Invalid token: not recognised by this sandbox.")
        key = self._store.key(record.key_name)
        if key is None:
            raise fail(40101, "Invalid token: its key or app no longer exists.")
        self._check_key_live(key)
        if record.expires <= self._now_ms():
            raise fail(40142, "Token expired.")
        creds = Credentials(
            "token",
            key,
            parse_capability(record.capability),
            client_id=record.client_id,
            issued=record.issued,
            expires=record.expires,
            revocable=record.revocable,
            revocation_key=record.revocation_key,
            hint=record.hint,
        )
        self.check_revoked(creds)
        return creds

    def _from_jwt(self, token: str, *, nested: bool) -> Credentials:
        decoded = decode_jwt(token)  # TokenFormatError 40144 when malformed
        header, claims = decoded.header, decoded.claims
        if has_lone_surrogate(header) or has_lone_surrogate(claims):
            raise fail(40144, "Invalid JWT: a header or claim holds a lone surrogate.")
        if CLAIM_TOKEN in header or ("kid" not in header and CLAIM_TOKEN in claims):
            if nested:
                raise fail(40144, "Invalid JWT: an embedded token may not embed another one.")
            return self._from_embedded(decoded)
        if header.get("alg") != "HS256":
            raise fail(40144, f"Invalid JWT: unsupported alg {header.get('alg')!r} (need HS256).")
        kid = decoded.kid
        if not kid:
            raise fail(40144, "Invalid JWT: the header has no kid (the key name).")
        key = self._jwt_key(kid)
        if not verify_hs256(decoded, key.secret):
            raise fail(40144, "Invalid JWT: the signature does not verify with the key.")
        iat, exp = self._jwt_times(claims, revocable=key.revocable)
        creds = Credentials(
            "jwt",
            key,
            self._jwt_capability(claims, key),
            client_id=_claim_str(claims, CLAIM_CLIENT_ID),
            issued=iat,
            expires=exp,
            revocable=key.revocable,
            revocation_key=_claim_str(claims, CLAIM_REVOCATION_KEY),
            hint=f"{kid} JWT {token[-6:]}",
        )
        self.check_revoked(creds)
        return creds

    def _jwt_key(self, kid: str) -> KeyRecord:
        key = self._store.key(kid)
        if key is None:
            app_id = kid.split(".", 1)[0]
            if self._store.app(app_id) is None:
                raise fail(40400, f"No app {app_id!r} for the JWT's kid {kid!r}.", status=404)
            # UNCERTAIN: Ably documents only the unknown-app case (404/40400); an unknown key in
            # a known app is treated like a wrong key (40101).
            raise fail(40101, f"Invalid JWT: no key named {kid!r}.")
        self._check_key_live(key)
        return key

    def _jwt_times(self, claims: dict[str, Any], *, revocable: bool) -> tuple[int, int]:
        iat, exp = _claim_ms(claims, "iat"), _claim_ms(claims, "exp")
        now = self._now_ms()
        if iat > now + IAT_TOLERANCE_MS:
            raise fail(40001, "Invalid token; issuedAt time must not be in the future.")
        if exp <= now:
            raise fail(40142, "Token expired.")
        limit = ttl_limit_ms(revocable)
        if exp - iat > limit:
            kind = "revocable tokens" if revocable else "tokens"
            raise fail(40003, f"Invalid token: TTL exceeds the {limit} ms limit for {kind}.")
        return iat, exp

    def _jwt_capability(self, claims: dict[str, Any], key: KeyRecord) -> Capability:
        key_cap = parse_capability(key.capability)
        raw = claims.get(CLAIM_CAPABILITY)
        if raw is None:
            return key_cap  # no x-ably-capability claim means the key's capability
        if not isinstance(raw, str):
            # UNCERTAIN: Ably specifies a JSON *string*; an object is refused rather than guessed.
            raise fail(40144, f"Invalid JWT: {CLAIM_CAPABILITY} must be a JSON string.")
        return _intersect(parse_capability(raw), key_cap)

    def _from_embedded(self, decoded: DecodedJwt) -> Credentials:
        inner = decoded.header.get(CLAIM_TOKEN, decoded.claims.get(CLAIM_TOKEN))
        if not isinstance(inner, str):
            raise fail(40144, f"Invalid JWT: {CLAIM_TOKEN} must be a token string.")
        creds = self.from_token(inner, nested=True)
        if decoded.claims.get("exp") is not None:
            exp = _claim_ms(decoded.claims, "exp")  # 40144 unless a finite number
            if exp <= self._now_ms():
                raise fail(40142, "Token expired (the outer JWT's exp has passed).")
            if creds.expires is not None and exp > creds.expires:
                # UNCERTAIN: Ably documents rejecting this case but no code; 40144 suggested.
                raise fail(
                    40144,
                    "Invalid JWT: the outer exp is later than the embedded token's expiry.",
                )
        return replace(creds, embedded=True)

    # -- checks -----------------------------------------------------------------------------
    def _check_key_live(self, key: KeyRecord) -> None:
        if key.revoked_ms is not None:
            raise fail(40131, f"Key {key.key_name} has been revoked.")

    def check_revoked(self, creds: Credentials) -> None:
        hit = self._revocations.match(creds, self._now_ms())
        if hit is not None:
            raise fail(40141, f"Token revoked ({hit.target_type}:{hit.target_value}).")

    def recheck(self, creds: Credentials) -> None:
        """Re-validate live credentials: key revoked (40131), expired (40142), revoked (40141)."""
        current = self._store.key(creds.key_name)
        if current is None:
            raise fail(40101, "The key no longer exists.")
        self._check_key_live(current)
        if creds.expires is not None and creds.expires <= self._now_ms():
            raise fail(40142, "Token expired.")
        self.check_revoked(creds)


def _intersect(requested: Capability, key: Capability) -> Capability:
    try:
        return requested.intersect(key)
    except UserError as exc:
        raise fail(40160, f"{exc.message} (capability {requested.canonical()})") from None


def _claim_ms(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if value is None:
        raise fail(40144, f"Invalid token; {name} must be specified (seconds).", status=400)
    seconds = finite_number(value, limit=MAX_CLAIM_S)
    if seconds is None:
        raise fail(
            40144,
            f"Invalid token; {name} must be a finite number of seconds, not {shown(value)}.",
            status=400,
        )
    return int(seconds * 1000)


def _claim_str(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(40144, f"Invalid JWT: {name} must be a string.")
    return value
