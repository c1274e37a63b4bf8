"""Issuing tokens: Ably's documented REST ``requestToken`` validation (RSA8), and direct issue.

``TokenIssuer.request_token`` runs the checks in the reference's suggested order (body shape,
app/key, MAC or Basic auth, timestamp window, nonce replay, TTL, clientId, capability,
intersection, key state) and returns ``TokenDetails``. ``issue`` is also used by the demo auth
server and admin code. Issued Ably tokens are ``<appId>.<random>``; the store keeps only a hash.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable

from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.capability import Capability
from tokenlab.core.clientid import WILDCARD
from tokenlab.core.clock import NowMs
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import (
    MIN_NONCE_LENGTH,
    TIMESTAMP_WINDOW_MS,
    TokenDetails,
    TokenRequest,
    validate_ttl,
    verify_mac,
)
from tokenlab.sandbox.auth import Credentials, parse_capability
from tokenlab.sandbox.config import TOKEN_ISSUED, EventFeed
from tokenlab.sandbox.store import KeyRecord, Store, TokenRecord, token_hint

Rand = Callable[[int], bytes]


def _err(code: int, message: str, *, status: int | None = None) -> AblyError:
    return AblyError(code, message, status=status, code=f"sandbox.request_token.{code}")


class TokenIssuer:
    def __init__(self, store: Store, now_ms: NowMs, events: EventFeed, rand: Rand) -> None:
        self._store = store
        self._now_ms = now_ms
        self._events = events
        self._rand = rand

    def request_token(
        self,
        path_key_name: str,
        request: TokenRequest,
        authenticate: Callable[[], Credentials | None],
    ) -> TokenDetails:
        """Validate a parsed TokenRequest and issue a token (requestToken checks 2-10, in order)."""
        if request.signed and not request.nonce:
            raise _err(40001, "A signed TokenRequest needs a nonce.")
        key = self._key_for(path_key_name, request.key_name)
        ceiling = parse_capability(key.capability)
        parent: Credentials | None = None
        if request.signed:
            if not verify_mac(request, key.secret):
                raise _err(40101, "Invalid mac: the TokenRequest's MAC does not verify.")
        else:
            parent = self._unsigned_parent(key, authenticate())
            ceiling = parent.capability
        self._check_timestamp(request.timestamp)
        self._check_nonce(key, request)
        ttl = validate_ttl(request.ttl, revocable=key.revocable)  # 40003 / 400
        if request.client_id == "":
            raise _err(40012, "clientId may not be an empty string.")
        if parent is not None and not parent.basic:
            ttl = self._within_parent(parent, request, ttl)
        capability = self._capability(request.capability, ceiling)
        if key.revoked_ms is not None:
            raise _err(40131, f"Key {key.key_name} has been revoked.")
        revocation_key = parent.revocation_key if parent is not None else None
        return self.issue(
            key,
            ttl=ttl,
            capability=capability,
            client_id=request.client_id,
            revocation_key=revocation_key,
        )

    def _key_for(self, path_key_name: str, body_key_name: str) -> KeyRecord:
        app_id = path_key_name.split(".", 1)[0]
        if self._store.app(app_id) is None:
            raise _err(40400, f"No app with id {app_id!r}.", status=404)
        key = self._store.key(path_key_name)
        if key is None:
            raise _err(40400, f"No key named {path_key_name!r}.", status=401)
        if body_key_name != path_key_name:
            # UNCERTAIN: undocumented; 40102 follows ably-java's client-side keyName check.
            raise _err(
                40102,
                f"The TokenRequest's keyName {body_key_name!r} does not match the URL's "
                f"{path_key_name!r}.",
            )
        return key

    @staticmethod
    def _unsigned_parent(key: KeyRecord, creds: Credentials | None) -> Credentials:
        if creds is None:
            # UNCERTAIN: the tests only assert 401; 40101 (invalid credentials) is used.
            raise _err(
                40101,
                "An unsigned TokenRequest (no mac) must be authenticated with the key "
                "(Basic auth).",
            )
        if creds.key_name != key.key_name:
            raise _err(40102, "The request is authenticated with a different key.")
        return creds

    def _within_parent(self, parent: Credentials, request: TokenRequest, ttl: int) -> int:
        """A token-authenticated request may not widen the presenting token (no escalation):
        the same clientId (a wildcard token may name any, an anonymous one none) and no later
        expiry. An unspecified ttl is cut to the parent's remaining lifetime."""
        wanted, have = request.client_id, parent.client_id
        if have != WILDCARD and wanted != have:
            raise _err(
                40102,
                f"Invalid clientId for credentials: the presenting token has clientId {have!r}, "
                f"so it cannot request a token for {wanted!r}.",
            )
        if parent.expires is None:
            return ttl
        left = parent.expires - self._now_ms()
        if request.ttl is None and ttl > left:
            return max(left, 1)
        if ttl > left:
            raise _err(
                40003,
                f"ttl {ttl} ms would outlive the presenting token, which expires in {left} ms.",
                status=400,
            )
        return ttl

    def _check_timestamp(self, timestamp: int) -> None:
        now = self._now_ms()
        if abs(timestamp - now) > TIMESTAMP_WINDOW_MS:
            raise _err(
                40104,
                f"Timestamp not current: {timestamp} is {(timestamp - now) / 1000:+.0f} s from "
                "server time (the window is ±120 s).",
            )

    def _check_nonce(self, key: KeyRecord, request: TokenRequest) -> None:
        if request.nonce is None:
            return
        if len(request.nonce) < MIN_NONCE_LENGTH:
            # UNCERTAIN: Ably requires >= 16 characters but documents no code; 40003 here.
            raise _err(40003, f"The nonce must be at least {MIN_NONCE_LENGTH} characters.")
        if not self._store.use_nonce(key.key_name, request.nonce, request.timestamp):
            raise _err(40105, "Nonce value replayed: this (nonce, timestamp) was used before.")

    @staticmethod
    def _capability(raw: str | None, ceiling: Capability) -> Capability:
        if raw is None or raw == "":
            return ceiling
        requested = Capability.parse(raw)  # CapabilityError 40000 / 400
        try:
            return requested.intersect(ceiling)
        except UserError as exc:
            raise _err(40160, exc.message) from None

    # -- issuing ----------------------------------------------------------------------------
    def new_token_string(self, app_id: str) -> str:
        opaque = base64.urlsafe_b64encode(self._rand(24)).decode("ascii").rstrip("=")
        return f"{app_id}.{opaque}"

    def issue(
        self,
        key: KeyRecord,
        *,
        ttl: int,
        capability: Capability,
        client_id: str | None,
        via: str = "requestToken",
        revocation_key: str | None = None,
    ) -> TokenDetails:
        issued = self._now_ms()
        token = self.new_token_string(key.app_id)
        record = TokenRecord(
            hint=token_hint(token),
            kind="ably",
            key_name=key.key_name,
            app_id=key.app_id,
            issued=issued,
            expires=issued + ttl,
            capability=capability.canonical(),
            client_id=client_id,
            revocable=key.revocable,
            revocation_key=revocation_key,
        )
        self._store.add_token(token, record)
        self._announce(record, via)
        return TokenDetails(
            token=token,
            expires=record.expires,
            issued=issued,
            capability=record.capability,
            client_id=client_id,
            key_name=key.key_name,
        )

    def mint_jwt(
        self,
        key: KeyRecord,
        *,
        ttl: int,
        capability: str | None,
        client_id: str | None,
        revocation_key: str | None = None,
        via: str = "auth server",
        back_ms: int = 0,
    ) -> str:
        iat_s = (self._now_ms() - back_ms) // 1000
        ttl_s = max(1, math.ceil(ttl / 1000))
        api_key = ApiKey(key.app_id, key.key_id, key.secret)
        token = mint_ably_jwt(
            api_key,
            iat_s=iat_s,
            ttl_s=ttl_s,
            capability=capability,
            client_id=client_id,
            revocation_key=revocation_key,
        )
        record = TokenRecord(
            hint=f"{key.key_name} JWT {token[-6:]}",
            kind="jwt",
            key_name=key.key_name,
            app_id=key.app_id,
            issued=iat_s * 1000,
            expires=(iat_s + ttl_s) * 1000,
            capability=capability or key.capability,
            client_id=client_id,
            revocable=key.revocable,
            revocation_key=revocation_key,
        )
        self._store.add_token(token, record)
        self._announce(record, via)
        return token

    def _announce(self, record: TokenRecord, via: str) -> None:
        ttl_s = (record.expires - record.issued) / 1000
        who = f"clientId {record.client_id!r}" if record.client_id else "no clientId"
        self._events.emit(
            TOKEN_ISSUED,
            f"{record.kind.upper()} token issued via {via} for {who}, ttl {ttl_s:g} s",
            key_name=record.key_name,
            client_id=record.client_id,
            data={
                "hint": record.hint,
                "kind": record.kind,
                "issued": record.issued,
                "expires": record.expires,
                "capability": record.capability,
                "via": via,
            },
        )
