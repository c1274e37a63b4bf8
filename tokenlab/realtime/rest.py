"""The one small Ably REST client: ``GET /time``, ``requestToken``, ``revokeTokens``, publish and
history, with one error mapping and one ``X-Ably-Version`` (``PROTOCOL_VERSION``).

Used by the realtime client's auth (through ``AuthHttp``, which adds the authUrl request), the
GUI tabs (TokenRequest, Live, Sandbox) and the CLI (``request-token``, ``revoke``). Every request
can be reported as an ``HttpExchange`` event. Failures become ``AblyError``: an Ably error body
keeps its code, anything else is 40170 with the HTTP status (RSA4e), and a network failure is
40170 too, so a 403 can be told apart (RSA4d).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import httpx

from tokenlab.core import timefmt
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tls_trust import client_context
from tokenlab.core.tokens import TokenDetails, TokenParams, TokenRequest, create_token_request
from tokenlab.core.wire import PROTOCOL_VERSION
from tokenlab.realtime.events import HttpExchange
from tokenlab.realtime.protocol import ErrorInfo

Purpose = Literal["auth_url", "request_token", "time", "revoke_tokens", "publish", "history"]
Reported = Literal["auth_url", "request_token", "time"]
REPORTED = ("auth_url", "request_token", "time")
MAX_TARGETS = 100
TARGET_KINDS = ("clientId", "revocationKey", "channel")


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


@dataclass(frozen=True)
class RevokeOutcome:
    target: str
    applies_at: int | None = None
    error: str | None = None  # "40000 message" when this target failed

    def describe(self) -> str:
        """``clientId:alice: revoked, applies at 14:03:07 CET`` (never a raw epoch)."""
        if self.error:
            return f"{self.target}: failed ({self.error})"
        when = f", applies at {timefmt.local(self.applies_at)}" if self.applies_at else ""
        return f"{self.target}: revoked{when}"


def check_targets(targets: Sequence[str]) -> None:
    """``clientId:…``, ``revocationKey:…`` or ``channel:…``, 1 to 100 of them."""
    if not targets:
        raise AblyError(40001, "Give at least one target, e.g. clientId:alice")
    if len(targets) > MAX_TARGETS:
        raise AblyError(40003, f"At most {MAX_TARGETS} targets per request")
    for target in targets:
        kind, sep, value = target.partition(":")
        if not sep or not value or kind not in TARGET_KINDS:
            raise AblyError(
                40000,
                f"{target!r} is not a revocation target",
                fix="Use clientId:<id>, revocationKey:<key> or channel:<name>.",
            )


def _outcomes(body: Any) -> list[RevokeOutcome]:
    results = body.get("results") if isinstance(body, dict) else body
    out: list[RevokeOutcome] = []
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict):
            continue
        err = item.get("error")
        text = f"{err.get('code')} {err.get('message')}" if isinstance(err, dict) else None
        applies = item.get("appliesAt")
        out.append(
            RevokeOutcome(
                str(item.get("target")), applies if isinstance(applies, int) else None, text
            )
        )
    return out


def no_endpoint() -> UserError:
    return UserError(
        "This key has no endpoint to talk to.",
        code="endpoint.none",
        fix="Start the embedded sandbox, or give the key profile an endpoint (Keys…).",
    )


class AblyRest:
    """REST calls against one base URL through one httpx client (owned unless one is given)."""

    def __init__(
        self,
        rest_url: str | None,
        *,
        timeout_ms: int = 10_000,
        protocol_version: int = PROTOCOL_VERSION,
        on_exchange: Callable[[HttpExchange], None] | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if not rest_url:
            raise no_endpoint()
        self.rest_url = rest_url.rstrip("/")
        self._timeout = timeout_ms / 1000
        self._version = str(protocol_version)
        self._on_exchange = on_exchange
        self._client = client
        self._owns_client = client is None

    async def __aenter__(self) -> AblyRest:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, verify=client_context())
        return self._client

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
        self._client = None

    def ably_headers(self, key: ApiKey | None = None, token: str | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", "X-Ably-Version": self._version}
        if key is not None:
            headers["Authorization"] = key.basic_auth_header()
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def send(self, purpose: Purpose, request: httpx.Request) -> httpx.Response:
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
        if self._on_exchange is None or purpose not in REPORTED:
            return  # the realtime event stream knows the auth requests only
        self._on_exchange(
            HttpExchange(
                purpose=cast(Reported, purpose),
                method=request.method,
                url=str(request.url),
                status=response.status_code if response is not None else None,
                content_type=response.headers.get("content-type") if response else None,
                elapsed_ms=(time.monotonic() - started) * 1000,
                error=ErrorInfo.from_error(error) if error else None,
            )
        )

    async def _call(
        self, purpose: Purpose, method: str, path: str, what: str, **kwargs: Any
    ) -> httpx.Response:
        request = self._http().build_request(method, f"{self.rest_url}{path}", **kwargs)
        response = await self.send(purpose, request)
        if not response.is_success:
            raise error_from_response(response, what)
        return response

    async def time(self) -> int:
        """``GET /time`` -> epoch ms (RSC16)."""
        response = await self._call(
            "time", "GET", "/time", "GET /time", headers=self.ably_headers()
        )
        try:
            value = response.json()[0]
        except (ValueError, LookupError, TypeError) as exc:
            raise AblyError(
                50000, f"GET /time gave an unexpected body: {_snippet(response.content)}"
            ) from exc
        if not isinstance(value, int):
            raise AblyError(50000, f"GET /time gave a non-integer time: {value!r:.40}")
        return value

    async def time_offset(self, now_ms: Callable[[], int]) -> int:
        """Server time minus local time in ms (halfway through the request, like ably-js)."""
        before = now_ms()
        server = await self.time()
        after = now_ms()
        return server - (before + after) // 2

    async def request_token(self, token_request: TokenRequest) -> TokenDetails:
        """Exchange a signed TokenRequest for TokenDetails (``POST /keys/{name}/requestToken``)."""
        path = f"/keys/{token_request.key_name}/requestToken"
        response = await self._call(
            "request_token",
            "POST",
            path,
            "requestToken",
            json=token_request.to_dict(),
            headers=self.ably_headers(),
        )
        try:
            return TokenDetails.from_dict(response.json())
        except ValueError as exc:
            raise AblyError(
                40170,
                f"requestToken gave an unreadable body: {_snippet(response.content)}",
                status=401,
            ) from exc

    async def request_token_with_key(
        self, key: ApiKey, params: TokenParams, *, now_ms: Callable[[], int]
    ) -> tuple[TokenRequest, TokenDetails]:
        """Sign a TokenRequest with ``key`` locally, then exchange it."""
        request = create_token_request(key, params, now_ms=now_ms)
        return request, await self.request_token(request)

    async def revoke_tokens(
        self,
        key: ApiKey,
        targets: Sequence[str],
        *,
        issued_before: int | None = None,
        allow_reauth_margin: bool = False,
    ) -> list[RevokeOutcome]:
        """``POST /keys/{name}/revokeTokens`` with Basic auth of the issuing key."""
        check_targets(targets)
        body: dict[str, Any] = {"targets": list(targets)}
        if issued_before is not None:
            body["issuedBefore"] = issued_before
        if allow_reauth_margin:
            body["allowReauthMargin"] = True
        response = await self._call(
            "revoke_tokens",
            "POST",
            f"/keys/{key.name}/revokeTokens",
            "revokeTokens",
            json=body,
            headers=self.ably_headers(key),
        )
        try:
            return _outcomes(response.json())
        except ValueError:
            return []

    async def publish(
        self,
        channel: str,
        messages: Sequence[Mapping[str, Any]],
        *,
        key: ApiKey | None = None,
        token: str | None = None,
    ) -> Any:
        """``POST /channels/{name}/messages`` with Basic auth or a Bearer token."""
        response = await self._call(
            "publish",
            "POST",
            f"/channels/{_quote(channel)}/messages",
            "publish",
            json=[dict(m) for m in messages],
            headers=self.ably_headers(key, token),
        )
        return response.json()

    async def history(
        self, channel: str, *, key: ApiKey | None = None, token: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """``GET /channels/{name}/messages``: the most recent messages first."""
        response = await self._call(
            "history",
            "GET",
            f"/channels/{_quote(channel)}/messages",
            "history",
            params={"limit": str(limit)},
            headers=self.ably_headers(key, token),
        )
        body = response.json()
        return [m for m in body if isinstance(m, dict)] if isinstance(body, list) else []


def _quote(channel: str) -> str:
    from urllib.parse import quote

    return quote(channel, safe="")


async def revoke_tokens(
    http: httpx.AsyncClient,
    rest_url: str,
    key: ApiKey,
    targets: Sequence[str],
    *,
    allow_reauth_margin: bool = False,
) -> list[RevokeOutcome]:
    """``AblyRest.revoke_tokens`` on a shared httpx client (the GUI's)."""
    rest = AblyRest(rest_url, client=http)
    return await rest.revoke_tokens(key, targets, allow_reauth_margin=allow_reauth_margin)
