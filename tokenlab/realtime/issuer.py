"""The built-in issuer: plays "your auth server" from a key profile.

Given an ``IssuerAuth`` (an API key plus the clientId, capability and ttl your server would
grant) it produces what a real auth endpoint returns to an SDK's authCallback: a signed
TokenRequest, an Ably JWT, or an Ably token obtained from requestToken. TokenParams passed in
(e.g. from ``authorize()``) override the configured ttl and capability, as a server that honours
its client's request would; the clientId stays the server's choice unless none is configured.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tokenlab.core.ably_jwt import mint_ably_jwt
from tokenlab.core.clock import NonceFactory, NowMs
from tokenlab.core.tokens import TokenDetails, TokenParams, TokenRequest, create_token_request
from tokenlab.realtime.options import IssuerAuth

DEFAULT_JWT_TTL_S = 3600


class Issuer:
    """An authCallback that issues tokens itself. ``request_token`` exchanges a TokenRequest
    (used for ``kind="token"``)."""

    def __init__(
        self,
        config: IssuerAuth,
        *,
        request_token: Callable[[TokenRequest], Awaitable[TokenDetails]],
        now_ms: NowMs,
        nonce_factory: NonceFactory,
    ) -> None:
        self.config = config
        self._request_token = request_token
        self._now_ms = now_ms
        self._nonce_factory = nonce_factory

    def effective_params(self, params: TokenParams) -> TokenParams:
        cfg = self.config
        return TokenParams(
            ttl=params.ttl or cfg.ttl_ms,
            capability=params.capability or cfg.capability,
            client_id=cfg.client_id if cfg.client_id is not None else params.client_id,
        )

    def token_request(self, params: TokenParams) -> TokenRequest:
        return create_token_request(
            self.config.key,
            self.effective_params(params),
            now_ms=self._now_ms,
            nonce_factory=self._nonce_factory,
        )

    def jwt(self, params: TokenParams) -> str:
        p = self.effective_params(params)
        ttl_s = max(1, p.ttl // 1000) if p.ttl else DEFAULT_JWT_TTL_S
        return mint_ably_jwt(
            self.config.key,
            iat_s=self._now_ms() // 1000,
            ttl_s=ttl_s,
            capability=p.capability,
            client_id=p.client_id,
        )

    async def __call__(self, params: TokenParams) -> str | TokenRequest | TokenDetails:
        kind = self.config.kind
        if kind == "jwt":
            return self.jwt(params)
        request = self.token_request(params)
        if kind == "token":
            return await self._request_token(request)
        return request
