"""Client options for a realtime connection: endpoint, timeouts, and the auth configurations.

Names follow Ably's ClientOptions / AuthOptions (``key``, ``token``, ``auth_url``,
``auth_method``, ``auth_params``, ``auth_headers``, ``auth_callback``, ``client_id``,
``query_time``, ``use_token_auth``) so what a user sets here maps one to one onto their app.
Everything is a frozen dataclass; ``validate()`` raises AblyError with the SDK's codes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from tokenlab.core.clock import NonceFactory, NowMs, random_nonce, system_now_ms
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenDetails, TokenParams, TokenRequest
from tokenlab.core.wire import PROTOCOL_VERSION, WireFormat
from tokenlab.realtime.clock import Clock

PRODUCTION_HOST = "main.realtime.ably.net"

# What an authCallback may return (TO3j5): a token string, TokenDetails, TokenRequest, or a dict
# holding either; sync or async.
AuthCallbackResult = str | TokenDetails | TokenRequest | Mapping[str, Any]
AuthCallback = Callable[[TokenParams], AuthCallbackResult | Awaitable[AuthCallbackResult]]


@dataclass(frozen=True)
class Endpoint:
    """Where to connect: one WebSocket base URL and one REST base URL (same host for Ably)."""

    ws_url: str
    rest_url: str
    label: str = "custom"

    @classmethod
    def production(cls) -> Endpoint:
        """Ably's production endpoint (REC1: main.realtime.ably.net for REST and realtime)."""
        return cls(f"wss://{PRODUCTION_HOST}", f"https://{PRODUCTION_HOST}", "ably")

    @classmethod
    def custom(cls, host: str, port: int | None = None, *, tls: bool = True) -> Endpoint:
        """A host/port pair with or without TLS, e.g. ``custom("127.0.0.1", 8081, tls=False)``."""
        netloc = host if port is None else f"{host}:{port}"
        ws, http = ("wss", "https") if tls else ("ws", "http")
        return cls(f"{ws}://{netloc}", f"{http}://{netloc}", "custom")

    @classmethod
    def sandbox(cls, ws_url: str, rest_url: str) -> Endpoint:
        return cls(ws_url.rstrip("/"), rest_url.rstrip("/"), "sandbox")

    @classmethod
    def from_url(cls, url: str, *, rest_url: str | None = None) -> Endpoint:
        """From ``ws(s)://`` or ``http(s)://`` (either derives the other); UserError otherwise."""
        parts = urlsplit(url)
        pairs = {"ws": "http", "wss": "https", "http": "ws", "https": "wss"}
        if parts.scheme not in pairs or not parts.netloc:
            raise UserError(
                f"Endpoint URL must be ws://, wss://, http:// or https:// with a host: {url!r}",
                code="endpoint.invalid",
                ably_code=40000,
                fix="For example ws://127.0.0.1:8081 or wss://main.realtime.ably.net",
            )
        other = f"{pairs[parts.scheme]}://{parts.netloc}"
        base = f"{parts.scheme}://{parts.netloc}"
        ws, http = (base, other) if parts.scheme.startswith("ws") else (other, base)
        label = "ably" if parts.hostname == PRODUCTION_HOST else "custom"
        return cls(ws, rest_url.rstrip("/") if rest_url else http, label)

    @property
    def tls(self) -> bool:
        return self.ws_url.startswith("wss://")


@dataclass(frozen=True)
class Timeouts:
    """Retry and request timers in ms (Ably defaults; tests shorten them)."""

    realtime_request_timeout: int = 10_000
    disconnected_retry_timeout: int = 15_000
    suspended_retry_timeout: int = 30_000
    connection_state_ttl: int | None = None  # None: use the server's connectionDetails value
    http_request_timeout: int = 10_000
    authorize_timeout: int | None = None  # in-band AUTH -> CONNECTED; None: realtime_request
    close_timeout: int = 2_000

    @property
    def authorize_ms(self) -> int:
        if self.authorize_timeout is not None:
            return self.authorize_timeout
        return self.realtime_request_timeout


@dataclass(frozen=True)
class KeyAuth:
    """Basic auth with an API key (``key=`` on the WebSocket); ``use_token_auth`` signs
    TokenRequests locally and exchanges them at requestToken instead."""

    key: ApiKey
    use_token_auth: bool = False
    mode: Literal["key"] = "key"


@dataclass(frozen=True)
class TokenAuth:
    """A literal token string (Ably token or JWT) or TokenDetails: no means to renew (40171)."""

    token: str | None = None
    token_details: TokenDetails | None = None
    mode: Literal["token"] = "token"

    @property
    def token_string(self) -> str:
        if self.token_details is not None:
            return self.token_details.token
        return self.token or ""


@dataclass(frozen=True)
class AuthUrlAuth:
    """authUrl fetched with httpx; the response is read by content type (RSA8c)."""

    auth_url: str
    auth_method: Literal["GET", "POST"] = "GET"
    auth_params: Mapping[str, str] = field(default_factory=dict)
    auth_headers: Mapping[str, str] = field(default_factory=dict)
    mode: Literal["auth_url"] = "auth_url"


@dataclass(frozen=True)
class AuthCallbackAuth:
    """A Python callable (sync or async) given TokenParams, returning a token, TokenDetails,
    TokenRequest or a dict of either."""

    auth_callback: AuthCallback
    label: str = "authCallback"
    mode: Literal["auth_callback"] = "auth_callback"


IssuedKind = Literal["token_request", "jwt", "token"]


@dataclass(frozen=True)
class IssuerAuth:
    """The built-in issuer playing "your server": from a key profile it hands the client a
    TokenRequest, an Ably JWT, or an Ably token (obtained via requestToken), with the chosen
    clientId, capability (raw JSON string) and ttl. Behaves as an authCallback."""

    key: ApiKey
    kind: IssuedKind = "token_request"
    client_id: str | None = None
    capability: str | None = None
    ttl_ms: int | None = None
    mode: Literal["issuer"] = "issuer"


AuthConfig = KeyAuth | TokenAuth | AuthUrlAuth | AuthCallbackAuth | IssuerAuth


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


@dataclass(frozen=True)
class ClientOptions:
    """Everything one named connection needs. Time and randomness are injected."""

    endpoint: Endpoint
    auth: AuthConfig
    client_id: str | None = None
    format: WireFormat = "json"
    protocol_version: int = PROTOCOL_VERSION
    token_param_name: Literal["accessToken", "access_token"] = "accessToken"
    echo_messages: bool = True
    query_time: bool = False
    default_token_params: TokenParams = field(default_factory=TokenParams)
    transport_params: Mapping[str, str] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)
    client_side_checks: bool = True  # False: send presence/publish anyway, to see the server NACK
    heartbeat_interval_ms: int | None = None  # client pings; None: rely on server heartbeats
    agent: str = "tokenlab"
    now_ms: NowMs = system_now_ms
    monotonic_ms: Callable[[], float] = _monotonic_ms
    nonce_factory: NonceFactory = random_nonce
    jitter: Callable[[], float] = random.random
    clock: Clock | None = None  # the connection's timers; None: the running loop's (LoopClock)

    def validate(self) -> None:
        """SDK-side checks (RSA7c, RTN2d): the clientId option may not be ``*`` or empty."""
        if self.client_id is not None:
            validate_client_id_option(self.client_id)
        if self.format not in ("json", "msgpack"):
            raise AblyError(40000, f"Unknown format {self.format!r}: use json or msgpack")
        if isinstance(self.auth, TokenAuth) and not self.auth.token_string:
            raise AblyError(40106, "A literal token auth needs a token string")


def validate_client_id_option(client_id: str) -> None:
    if not isinstance(client_id, str) or client_id in ("", "*"):
        raise AblyError(
            40012,
            f"clientId option {client_id!r} is not allowed: use a non-empty id other than '*'",
            status=400,
            fix="A wildcard identity belongs in the token (TokenParams clientId '*').",
        )
