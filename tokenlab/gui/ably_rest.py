"""The two REST calls the GUI tabs make: ``GET /time`` and ``POST /keys/{name}/requestToken``.

They reuse the realtime client's ``AuthHttp`` (same error mapping: an Ably error body keeps its
code, a network failure becomes a 40170 ``AblyError``), so every failure is a ``UserError`` that
the tab shows inline. Run them through the TaskRunner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokenlab.core.clock import NowMs
from tokenlab.core.errors import UserError
from tokenlab.core.tokens import TokenDetails, TokenRequest

if TYPE_CHECKING:  # imported when first used: httpx is slow to import
    import httpx

    from tokenlab.realtime.authhttp import AuthHttp

TIMEOUT_MS = 10_000


def _api(http: httpx.AsyncClient, rest_url: str | None) -> AuthHttp:
    from tokenlab.core.wire import PROTOCOL_VERSION
    from tokenlab.realtime.authhttp import AuthHttp
    from tokenlab.realtime.options import Endpoint

    if not rest_url:
        raise UserError(
            "This key has no endpoint to talk to.",
            code="endpoint.none",
            fix="Start the embedded sandbox, or give the key profile an endpoint (Keys…).",
        )
    return AuthHttp(
        Endpoint.from_url(rest_url),
        timeout_ms=TIMEOUT_MS,
        protocol_version=PROTOCOL_VERSION,
        on_exchange=lambda _exchange: None,
        client=http,
    )


async def server_time_offset(http: httpx.AsyncClient, rest_url: str | None, now_ms: NowMs) -> int:
    """Server time minus local time in ms (halfway through the request, like ably-js)."""
    api = _api(http, rest_url)
    before = now_ms()
    server = await api.server_time()
    after = now_ms()
    return server - (before + after) // 2


async def exchange_token_request(
    http: httpx.AsyncClient, rest_url: str | None, request: TokenRequest
) -> TokenDetails:
    """Exchange a signed TokenRequest for a token (``AblyError`` with Ably's code on refusal)."""
    return await _api(http, rest_url).request_token(request)
