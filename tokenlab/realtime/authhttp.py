"""HTTP the realtime client needs for auth: ``GET /time``, ``POST /keys/{name}/requestToken``
and the authUrl request (§3.2, §3.3, §8.1), through one httpx client.

Every request is reported as an ``HttpExchange`` event (with the URL as sent; secrets are
redacted only when a session is exported). Failures become AblyErrors: an Ably error body keeps
its code, anything else is 40170 with the HTTP status, so a 403 can be told apart (RSA4d).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenDetails, TokenRequest
from tokenlab.realtime.events import HttpExchange
from tokenlab.realtime.options import AuthUrlAuth, Endpoint
from tokenlab.realtime.protocol import ErrorInfo

Purpose = Literal["auth_url", "request_token", "time"]


def _snippet(body: bytes) -> str:
    text = body[:160].decode("utf-8", "replace").strip()
    return text + ("…" if len(body) > 160 else "")


def error_from_response(response: httpx.Response, what: str) -> AblyError:
    """An Ably error body keeps its code; otherwise 40170 carrying the HTTP status."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = AblyError.from_error_info(body["error"])
        if err.status is None:
            err.status = response.status_code
        return err
    return AblyError(
        40170,
        f"{what} returned HTTP {response.status_code}: {_snippet(response.content) or '(empty)'}",
        status=response.status_code,
    )


def merge_query(url: str, params: Mapping[str, str]) -> str:
    """Add ``params`` to the URL's own query string (params win on clashes, RSA8c1)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


class AuthHttp:
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
        self._endpoint = endpoint
        self._timeout = timeout_ms / 1000
        self._version = str(protocol_version)
        self._on_exchange = on_exchange
        self._client = client
        self._owns_client = client is None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
        self._client = None

    async def _send(self, purpose: Purpose, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            response = await self._http().send(request)
        except httpx.HTTPError as exc:
            what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
            err = AblyError(
                40170, f"{purpose} request {what}: {type(exc).__name__} {exc}", status=401
            )
            self._report(purpose, request, None, started, err)
            raise err from exc
        self._report(purpose, request, response, started, None)
        return response

    def _report(
        self,
        purpose: Purpose,
        request: httpx.Request,
        response: httpx.Response | None,
        started: float,
        error: AblyError | None,
    ) -> None:
        self._on_exchange(
            HttpExchange(
                purpose=purpose,
                method=request.method,
                url=str(request.url),
                status=response.status_code if response is not None else None,
                content_type=response.headers.get("content-type") if response else None,
                elapsed_ms=(time.monotonic() - started) * 1000,
                error=ErrorInfo.from_error(error) if error else None,
            )
        )

    def _ably_headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "X-Ably-Version": self._version}

    async def server_time(self) -> int:
        """``GET /time`` -> epoch ms (RSC16)."""
        req = self._http().build_request(
            "GET", f"{self._endpoint.rest_url}/time", headers=self._ably_headers()
        )
        response = await self._send("time", req)
        if not response.is_success:
            raise error_from_response(response, "GET /time")
        try:
            value = response.json()[0]
        except (ValueError, LookupError, TypeError) as exc:
            raise AblyError(
                50000, f"GET /time gave an unexpected body: {_snippet(response.content)}"
            ) from exc
        if not isinstance(value, int):
            raise AblyError(50000, f"GET /time gave a non-integer time: {value!r:.40}")
        return value

    async def request_token(self, token_request: TokenRequest) -> TokenDetails:
        """Exchange a signed TokenRequest for TokenDetails at the endpoint's REST host."""
        url = f"{self._endpoint.rest_url}/keys/{token_request.key_name}/requestToken"
        req = self._http().build_request(
            "POST", url, json=token_request.to_dict(), headers=self._ably_headers()
        )
        response = await self._send("request_token", req)
        if not response.is_success:
            raise error_from_response(response, "requestToken")
        try:
            return TokenDetails.from_dict(response.json())
        except ValueError as exc:
            raise AblyError(
                40170,
                f"requestToken gave an unreadable body: {_snippet(response.content)}",
                status=401,
            ) from exc

    async def fetch_auth_url(
        self, config: AuthUrlAuth, token_params: Mapping[str, str]
    ) -> httpx.Response:
        """GET: params in the query; POST: form body (RSA8c1). TokenParams win on clashes."""
        params = {**config.auth_params, **token_params}
        headers = {"Accept": "application/json, text/plain", **config.auth_headers}
        if config.auth_method == "POST":
            req = self._http().build_request("POST", config.auth_url, data=params, headers=headers)
        else:
            req = self._http().build_request(
                "GET", merge_query(config.auth_url, params), headers=headers
            )
        return await self._send("auth_url", req)


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body; AblyError 40170 when it does not parse."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AblyError(
            40170, f"authUrl response is not valid JSON: {_snippet(response.content)}", status=401
        ) from exc
