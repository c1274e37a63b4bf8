"""Credentials for one connection: Basic auth or a token, and how to get a new token.

The ``Authenticator`` owns the auth configuration, the default TokenParams, the current token and
the server-time offset (queryTime, RSA9d). ``obtain()`` runs the provider (key signing +
requestToken, authUrl, authCallback, built-in issuer), bounded by ``realtimeRequestTimeout``,
and reports the result as a ``TokenObtained`` event. Provider failures are wrapped the way
SDKs do (RSA4c-d): ``AuthProviderError`` 80019 with status 403 when the provider said 403 (-> the
connection fails), 401 otherwise (-> retry); a literal token that must be replaced -> 40171.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tokenlab.core.ably_jwt import CLAIM_CAPABILITY, CLAIM_CLIENT_ID, decode_jwt, looks_like_jwt
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.tokens import TokenDetails, TokenParams, TokenRequest, create_token_request
from tokenlab.realtime.authhttp import AuthHttp
from tokenlab.realtime.authresult import (
    AuthResult,
    interpret_auth_url_response,
    interpret_callback_result,
)
from tokenlab.realtime.events import EventBody, RenewalTrigger, TokenKind, TokenObtained, TokenVia
from tokenlab.realtime.issuer import Issuer
from tokenlab.realtime.options import (
    AuthCallbackAuth,
    AuthConfig,
    AuthUrlAuth,
    ClientOptions,
    IssuerAuth,
    KeyAuth,
    TokenAuth,
)


class AuthProviderError(AblyError):
    """80019: the auth provider failed; ``cause`` is the underlying error (RSA4c, RSA4d)."""

    def __init__(self, cause: AblyError) -> None:
        status = 403 if cause.status == 403 else 401
        super().__init__(80019, f"Auth provider request failed: {cause.message}", status=status)
        self.cause = cause


class CannotRenewError(AblyError):
    """40171: a new token is needed and the client has no means to get one (RSA4a2)."""

    def __init__(self, cause: AblyError | None) -> None:
        super().__init__(
            40171,
            "Need a new token but the client has no means to renew it (literal token)",
            status=403,
            fix="Use an API key, authUrl or authCallback so the client can fetch a new token.",
        )
        self.cause = cause


def no_means_to_renew(cause: AblyError | None = None) -> CannotRenewError:
    return CannotRenewError(cause)


@dataclass(frozen=True)
class ObtainedToken:
    """A usable token and what is known about it."""

    token: str
    details: TokenDetails | None
    via: TokenVia
    source: str  # the auth mode that produced it
    request: TokenRequest | None = None  # the TokenRequest exchanged for it, if any

    @property
    def client_id(self) -> str | None:
        return self.details.client_id if self.details else None

    @property
    def expires(self) -> int | None:
        return self.details.expires if self.details else None


def token_params_query(params: TokenParams) -> dict[str, str]:
    """TokenParams as authUrl parameters (RSA8c1): only the fields that are set."""
    out = {
        "ttl": str(params.ttl) if params.ttl else None,
        "capability": params.capability,
        "clientId": params.client_id,
        "timestamp": str(params.timestamp) if params.timestamp else None,
    }
    return {k: v for k, v in out.items() if v}


class Authenticator:
    def __init__(
        self, options: ClientOptions, http: AuthHttp, emit: Callable[[EventBody], None]
    ) -> None:
        self._options = options
        self._config: AuthConfig = options.auth
        self._params = options.default_token_params
        if options.client_id and not self._params.client_id:
            self._params = replace(self._params, client_id=options.client_id)
        self._http = http
        self._emit = emit
        self._current: ObtainedToken | None = None
        self._previous_view: TokenObtained | None = None
        self._time_offset: int | None = None
        self._token_forced = False
        self._literal_used = False
        self._issuer = self._make_issuer()

    # -- configuration -----------------------------------------------------------------------

    @property
    def config(self) -> AuthConfig:
        return self._config

    @property
    def token(self) -> ObtainedToken | None:
        return self._current

    @property
    def uses_basic(self) -> bool:
        cfg = self._config
        return isinstance(cfg, KeyAuth) and not cfg.use_token_auth and not self._token_forced

    @property
    def can_renew(self) -> bool:
        return not isinstance(self._config, TokenAuth)

    def reconfigure(self, auth: AuthConfig | None, params: TokenParams | None) -> None:
        """authorize(tokenParams, authOptions): both replace what was configured (RSA10)."""
        if auth is not None:
            self._config = auth
            self._literal_used = False
            self._issuer = self._make_issuer()
        if params is not None:
            client_id = params.client_id or self._params.client_id
            self._params = replace(params, client_id=client_id, timestamp=None, nonce=None)

    def force_token_auth(self) -> None:
        """authorize() with a key switches the client to token auth (RSA10a)."""
        self._token_forced = True

    @property
    def expires_ms(self) -> int | None:
        """Expiry of the current token as far as it can be read (TokenDetails or JWT exp)."""
        return self._previous_view.expires_ms if self._previous_view else None

    def invalidate(self) -> None:
        self._current = None

    def _make_issuer(self) -> Issuer | None:
        if not isinstance(self._config, IssuerAuth):
            return None
        return Issuer(
            self._config,
            request_token=self._http.request_token,
            now_ms=self.server_now_ms,
            nonce_factory=self._options.nonce_factory,
        )

    def query_params(self) -> dict[str, str]:
        """``key=`` for Basic auth, else the token parameter (RTN2e, RSA3c)."""
        if self.uses_basic:
            assert isinstance(self._config, KeyAuth)
            return {"key": self._config.key.full()}
        if self._current is None:
            raise AblyError(40106, "No token available to connect with")
        return {self._options.token_param_name: self._current.token}

    # -- time --------------------------------------------------------------------------------

    def server_now_ms(self) -> int:
        return self._options.now_ms() + (self._time_offset or 0)

    async def _sync_time(self) -> None:
        if self._options.query_time and self._time_offset is None:
            server = await self._http.server_time()
            self._time_offset = server - self._options.now_ms()

    # -- obtaining tokens --------------------------------------------------------------------

    async def ensure(self, trigger: RenewalTrigger = "connect") -> ObtainedToken | None:
        """A token if token auth is in use and none is held yet; None for Basic auth."""
        if self.uses_basic:
            return None
        if self._current is not None:
            return self._current
        return await self.obtain(trigger)

    async def obtain(
        self, trigger: RenewalTrigger, params: TokenParams | None = None
    ) -> ObtainedToken:
        """A new token from the provider, within realtimeRequestTimeout."""
        timeout_ms = self._options.timeouts.realtime_request_timeout
        try:
            async with asyncio.timeout(timeout_ms / 1000):
                token = await self._fetch(params or self._params)
        except TimeoutError as exc:
            raise AuthProviderError(
                AblyError(40170, f"Timed out after {timeout_ms} ms fetching a token", status=401)
            ) from exc
        self._current = token
        self._report(token, trigger)
        return token

    async def _fetch(self, params: TokenParams) -> ObtainedToken:
        cfg = self._config
        if isinstance(cfg, TokenAuth):
            return self._literal(cfg)
        try:
            await self._sync_time()
            result = await self._run_provider(cfg, params)
            return await self._resolve(result, cfg.mode)
        except AblyError as exc:
            if exc.ably_code in (80019, 40171, 40102):
                raise
            raise AuthProviderError(exc) from exc
        except UserError as exc:
            raise AuthProviderError(AblyError(40170, exc.message, status=401)) from exc
        except Exception as exc:  # a user's authCallback may raise anything
            raise AuthProviderError(
                AblyError(40170, f"authCallback raised {type(exc).__name__}: {exc}", status=401)
            ) from exc

    def _literal(self, cfg: TokenAuth) -> ObtainedToken:
        if self._literal_used:
            raise no_means_to_renew()
        self._literal_used = True
        via: TokenVia = "token_details" if cfg.token_details else "token_string"
        return ObtainedToken(cfg.token_string, cfg.token_details, via, cfg.mode)

    async def _run_provider(self, cfg: AuthConfig, params: TokenParams) -> AuthResult:
        if isinstance(cfg, KeyAuth):
            return create_token_request(
                cfg.key,
                params,
                now_ms=self.server_now_ms,
                nonce_factory=self._options.nonce_factory,
            )
        if isinstance(cfg, AuthUrlAuth):
            response = await self._http.fetch_auth_url(cfg, token_params_query(params))
            return interpret_auth_url_response(response)
        if isinstance(cfg, IssuerAuth):
            assert self._issuer is not None
            return await self._issuer(params)
        assert isinstance(cfg, AuthCallbackAuth)
        value: Any = cfg.auth_callback(params)
        if inspect.isawaitable(value):
            value = await value
        return interpret_callback_result(value)

    async def _resolve(self, result: AuthResult, source: str) -> ObtainedToken:
        if isinstance(result, TokenRequest):
            details = await self._http.request_token(result)
            return ObtainedToken(details.token, details, "token_request", source, result)
        if isinstance(result, TokenDetails):
            return ObtainedToken(result.token, result, "token_details", source)
        return ObtainedToken(result, None, "token_string", source)

    def _report(self, token: ObtainedToken, trigger: RenewalTrigger) -> None:
        view = describe_token(token, trigger, self._previous_view)
        self._previous_view = view
        self._emit(view)


def describe_token(
    token: ObtainedToken, trigger: RenewalTrigger, previous: TokenObtained | None
) -> TokenObtained:
    """The TokenObtained event: kind, readable fields (JWT claims decoded), and changes."""
    kind: TokenKind = "unknown"
    header: dict[str, Any] | None = None
    claims: dict[str, Any] | None = None
    d = token.details
    issued, expires = (d.issued, d.expires) if d else (None, None)
    client_id, capability = (d.client_id, d.capability) if d else (None, None)
    if looks_like_jwt(token.token):
        kind = "jwt"
        try:
            decoded = decode_jwt(token.token)
            header, claims = decoded.header, decoded.claims
        except UserError:
            pass
        if claims is not None:
            issued, expires = _claim_ms(claims, "iat", issued), _claim_ms(claims, "exp", expires)
            client_id = _claim_str(claims, CLAIM_CLIENT_ID, client_id)
            capability = _claim_str(claims, CLAIM_CAPABILITY, capability)
    elif "." in token.token or d is not None:
        kind = "ably_token"
    view = TokenObtained(
        token=token.token,
        token_kind=kind,
        source=token.source,
        via=token.via,
        trigger=trigger,
        issued_ms=issued,
        expires_ms=expires,
        client_id=client_id,
        capability=capability,
        jwt_header=header,
        jwt_claims=claims,
        changes=(),
        token_request=token.request.to_dict() if token.request else None,
    )
    return replace(view, changes=token_changes(previous, view))


def _claim_ms(claims: dict[str, Any], name: str, default: int | None) -> int | None:
    value = claims.get(name)
    return value * 1000 if isinstance(value, int) and not isinstance(value, bool) else default


def _claim_str(claims: dict[str, Any], name: str, default: str | None) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else default


def token_changes(previous: TokenObtained | None, new: TokenObtained) -> tuple[str, ...]:
    """Plain-language differences between two tokens (first token: empty)."""
    if previous is None:
        return ()
    out: list[str] = []
    if previous.token_kind != new.token_kind:
        out.append(f"kind {previous.token_kind} -> {new.token_kind}")
    if previous.client_id != new.client_id:
        out.append(f"clientId {previous.client_id!r} -> {new.client_id!r}")
    if previous.capability != new.capability:
        out.append(f"capability {previous.capability} -> {new.capability}")
    if previous.expires_ms is not None and new.expires_ms is not None:
        delta = (new.expires_ms - previous.expires_ms) / 1000
        out.append(f"expiry {delta:+.1f} s")
    if previous.token == new.token:
        out.append("same token string")
    return tuple(out)
