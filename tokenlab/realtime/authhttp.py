"""HTTP the realtime client needs for auth: ``GET /time``, ``POST /keys/{name}/requestToken``
(both from the one REST client, ``realtime.rest.AblyRest``) and the authUrl request (RSC16, RSA8,
RSA8c), through one httpx client.

Every request is reported as an ``HttpExchange`` event (with the URL as sent; secrets are
redacted only when a session is exported). Failures become AblyErrors with the REST client's
error mapping (RSA4d, RSA4e).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from tokenlab.core.errors import AblyError
from tokenlab.realtime.events import HttpExchange
from tokenlab.realtime.options import AuthUrlAuth, Endpoint
from tokenlab.realtime.rest import AblyRest, error_from_response

__all__ = ["AuthHttp", "error_from_response", "json_body", "merge_query"]


def merge_query(url: str, params: Mapping[str, str]) -> str:
    """Add ``params`` to the URL's own query string (params win on clashes, RSA8c1)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def auth_url_request(
    client: httpx.AsyncClient, config: AuthUrlAuth, token_params: Mapping[str, str]
) -> httpx.Request:
    """The authUrl request as an SDK sends it: GET with params in the query, POST with a form
    body (RSA8c1); TokenParams win on clashes; ably-js's Accept header."""
    params = {**config.auth_params, **token_params}
    headers = {"Accept": "application/json, text/plain", **config.auth_headers}
    if config.auth_method == "POST":
        return client.build_request("POST", config.auth_url, data=params, headers=headers)
    return client.build_request("GET", merge_query(config.auth_url, params), headers=headers)


class AuthHttp(AblyRest):
    """Auth-related HTTP for one connection; owns its httpx client unless one is given."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout_ms: int,
        protocol_version: int,
        on_exchange: Callable[[HttpExchange], None],
        client: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(
            endpoint.rest_url,
            timeout_ms=timeout_ms,
            protocol_version=protocol_version,
            on_exchange=on_exchange,
            client=client,
        )

    async def server_time(self) -> int:
        """``GET /time`` -> epoch ms (RSC16)."""
        return await self.time()

    async def fetch_auth_url(
        self, config: AuthUrlAuth, token_params: Mapping[str, str]
    ) -> httpx.Response:
        """GET: params in the query; POST: form body (RSA8c1). TokenParams win on clashes."""
        return await self.send("auth_url", auth_url_request(self._http(), config, token_params))


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body; AblyError 40170 when it does not parse."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        snippet = response.content[:160].decode("utf-8", "replace").strip()
        raise AblyError(
            40170, f"authUrl response is not valid JSON: {snippet}", status=401
        ) from exc
