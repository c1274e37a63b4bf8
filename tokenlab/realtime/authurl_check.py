"""The authUrl tester: send the request an SDK would send, read the answer the way ably-js and
ably-python read it, and check CORS for a browser origin.

The request is built by ``authhttp.auth_url_request`` (the realtime client's own: GET params in
the query, POST as a form, authHeaders, ably-js's Accept), and the response is judged by
``authresult.interpret_auth_url_response`` (content type, TokenDetails by ``issued`` with
``token`` and ``expires``, TokenRequest by ``keyName``, token strings as text/plain or
application/jwt). What was sent is shown with secrets masked. With an origin, a browser's view
is checked too: the preflight (when the request is not "simple"), ``Access-Control-Allow-Origin``
and credentials, each failure with its fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from tokenlab.core.errors import AblyError
from tokenlab.core.keys import looks_like_api_key
from tokenlab.core.tokens import TokenDetails, TokenRequest
from tokenlab.realtime.authhttp import auth_url_request
from tokenlab.realtime.authresult import interpret_auth_url_response
from tokenlab.realtime.options import AuthUrlAuth

ECHO_HEADER = "X-Tokenlab-Received"  # the demo auth server's echo of what it received
SECRET_NAMES = ("authorization", "cookie", "key", "token", "secret", "password", "mac")
SAFELISTED = {"accept", "accept-language", "content-language", "content-type"}
SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
BODY_LIMIT = 4000


def _is_secret(name: str, value: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_NAMES) or looks_like_api_key(value)


def mask(name: str, value: str) -> str:
    """``value`` with all but a short prefix hidden when ``name``/``value`` look secret."""
    if not _is_secret(name, value) or "••••" in value:
        return value
    keep = value.split(":", 1)[0] + ":" if looks_like_api_key(value) else value[:4]
    return keep + "••••"


def _masked_url(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, mask(k, v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="•:")))


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str  # secrets masked
    params: dict[str, str]  # query or form parameters, secrets masked
    headers: dict[str, str]  # secrets masked

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "params": self.params,
                "headers": self.headers}  # fmt: skip


@dataclass(frozen=True)
class Received:
    status: int
    content_type: str
    headers: dict[str, str]
    body: str  # the start of the body (secrets are the user's own: shown as sent)
    echo: dict[str, Any] | None = None  # what the demo auth server says it received

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "contentType": self.content_type,
                "headers": self.headers, "body": self.body, "echo": self.echo}  # fmt: skip


@dataclass(frozen=True)
class CorsItem:
    ok: bool
    message: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class AuthUrlCheck:
    sent: SentRequest
    received: Received | None
    accepted: bool
    message: str  # what an SDK makes of it, in one sentence
    ably_code: int | None = None
    result: str | None = None  # the token string, TokenDetails or TokenRequest JSON accepted
    cors: tuple[CorsItem, ...] = field(default_factory=tuple)

    @property
    def cors_ok(self) -> bool:
        return all(item.ok for item in self.cors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "message": self.message,
            "ablyCode": self.ably_code,
            "result": self.result,
            "sent": self.sent.to_dict(),
            "received": self.received.to_dict() if self.received else None,
            "cors": [item.to_dict() for item in self.cors],
        }


def _sent(request: httpx.Request) -> SentRequest:
    if request.method == "POST":
        pairs = parse_qsl(request.content.decode("utf-8", "replace"), keep_blank_values=True)
    else:
        pairs = parse_qsl(request.url.query.decode("utf-8", "replace"), keep_blank_values=True)
    skip = {"host", "content-length", "user-agent", "accept-encoding", "connection"}
    return SentRequest(
        request.method,
        _masked_url(str(request.url)),
        {k: mask(k, v) for k, v in pairs},
        {k: mask(k, v) for k, v in request.headers.items() if k.lower() not in skip},
    )


def _masked_echo(echo: dict[str, Any]) -> dict[str, Any]:
    for part in ("params", "headers"):
        values = echo.get(part)
        if isinstance(values, dict):
            echo[part] = {str(k): mask(str(k), str(v)) for k, v in values.items()}
    return echo


def _received(response: httpx.Response) -> Received:
    echo: dict[str, Any] | None = None
    raw = response.headers.get(ECHO_HEADER)
    if raw:
        try:
            parsed = json.loads(raw)
            echo = _masked_echo(parsed) if isinstance(parsed, dict) else None
        except ValueError:
            echo = None
    text = response.content[:BODY_LIMIT].decode("utf-8", "replace")
    return Received(
        response.status_code,
        response.headers.get("content-type", ""),
        {k: v for k, v in response.headers.items() if k.lower() != ECHO_HEADER.lower()},
        text + ("…" if len(response.content) > BODY_LIMIT else ""),
        echo,
    )


def _describe(result: str | TokenDetails | TokenRequest) -> tuple[str, str]:
    if isinstance(result, TokenDetails):
        return "Accepted: TokenDetails (recognised by 'issued').", json.dumps(result.to_dict())
    if isinstance(result, TokenRequest):
        return (
            "Accepted: a TokenRequest (recognised by 'keyName'); the SDK exchanges it at "
            f"/keys/{result.key_name}/requestToken.",
            result.to_json(),
        )
    return "Accepted: a token string.", result


async def check_auth_url(
    config: AuthUrlAuth,
    token_params: Mapping[str, str],
    *,
    client: httpx.AsyncClient,
    origin: str | None = None,
    with_credentials: bool = False,
) -> AuthUrlCheck:
    """Fetch the authUrl as an SDK would and judge the answer (never raises for a bad server)."""
    request = auth_url_request(client, config, token_params)
    if origin:
        request.headers["Origin"] = origin
    sent = _sent(request)
    try:
        response = await client.send(request)
    except httpx.HTTPError as exc:
        return AuthUrlCheck(
            sent, None, False, f"The request failed: {type(exc).__name__} {exc}".strip(), 40170
        )
    received = _received(response)
    cors = await check_cors(client, request, response, origin, with_credentials)
    try:
        result = interpret_auth_url_response(response)
    except AblyError as exc:
        return AuthUrlCheck(sent, received, False, exc.message, exc.ably_code, None, cors)
    message, text = _describe(result)
    return AuthUrlCheck(sent, received, True, message, None, text, cors)


def _simple(request: httpx.Request) -> bool:
    if request.method not in ("GET", "HEAD", "POST"):
        return False
    for name, value in request.headers.items():
        lowered = name.lower()
        if lowered in ("host", "content-length", "origin", "user-agent", "accept-encoding",
                       "connection"):  # fmt: skip
            continue
        if lowered not in SAFELISTED:
            return False
        if lowered == "content-type" and not value.lower().startswith(SIMPLE_TYPES):
            return False
    return True


def _custom_headers(request: httpx.Request) -> list[str]:
    ignored = SAFELISTED | {"host", "content-length", "origin", "user-agent", "accept-encoding",
                            "connection"}  # fmt: skip
    return sorted(k.lower() for k in request.headers if k.lower() not in ignored)


def _allows(listed: str, wanted: str) -> bool:
    """Is ``wanted`` in a comma list? ('*' allows all, except Authorization, which browsers
    require by name.)"""
    items = {v.strip().lower() for v in listed.split(",") if v.strip()}
    if wanted.lower() == "authorization":
        return "authorization" in items
    return "*" in items or wanted.lower() in items


def _origin_items(
    headers: httpx.Headers, origin: str, with_credentials: bool, where: str
) -> list[CorsItem]:
    allow = headers.get("access-control-allow-origin")
    if allow is None:
        return [
            CorsItem(
                False,
                f"The {where} has no Access-Control-Allow-Origin: the browser hides the answer "
                "from ably-js, which fails with 40170.",
                f"Answer with 'Access-Control-Allow-Origin: {origin}' (or '*').",
            )
        ]
    if allow not in ("*", origin):
        return [
            CorsItem(
                False,
                f"The {where} allows origin {allow!r}, not {origin!r}.",
                f"Send 'Access-Control-Allow-Origin: {origin}' for this page's origin.",
            )
        ]
    if with_credentials and allow == "*":
        return [
            CorsItem(
                False,
                f"The {where} allows '*', which browsers refuse for a request with credentials "
                "(cookies).",
                f"Echo the origin ('Access-Control-Allow-Origin: {origin}') and add "
                "'Access-Control-Allow-Credentials: true' and 'Vary: Origin'.",
            )
        ]
    if with_credentials and headers.get("access-control-allow-credentials") != "true":
        return [
            CorsItem(
                False,
                f"The {where} does not send 'Access-Control-Allow-Credentials: true', so a "
                "request with cookies is hidden from the page.",
                "Add 'Access-Control-Allow-Credentials: true'.",
            )
        ]
    return [CorsItem(True, f"The {where} allows origin {origin!r} ({allow}).")]


async def _preflight(
    client: httpx.AsyncClient, request: httpx.Request, origin: str, with_credentials: bool
) -> list[CorsItem]:
    custom = _custom_headers(request)
    headers = {"Origin": origin, "Access-Control-Request-Method": request.method}
    if custom:
        headers["Access-Control-Request-Headers"] = ",".join(custom)
    try:
        answer = await client.request("OPTIONS", str(request.url), headers=headers)
    except httpx.HTTPError as exc:
        return [CorsItem(False, f"The preflight (OPTIONS) failed: {exc}", "Answer OPTIONS.")]
    if not answer.is_success:
        return [
            CorsItem(
                False,
                f"The preflight (OPTIONS) answered HTTP {answer.status_code}.",
                "Answer OPTIONS with 204 and the Access-Control-Allow-* headers.",
            )
        ]
    items = _origin_items(answer.headers, origin, with_credentials, "preflight")
    methods = answer.headers.get("access-control-allow-methods", "")
    if request.method != "GET" and not _allows(methods, request.method):
        items.append(
            CorsItem(
                False,
                f"The preflight does not allow {request.method} ({methods or 'no methods'}).",
                f"Add 'Access-Control-Allow-Methods: GET, {request.method}'.",
            )
        )
    allowed_headers = answer.headers.get("access-control-allow-headers", "")
    missing = [h for h in custom if not _allows(allowed_headers, h)]
    if missing:
        items.append(
            CorsItem(
                False,
                f"The preflight does not allow the header(s) {', '.join(missing)} "
                "(your authHeaders).",
                f"Add 'Access-Control-Allow-Headers: {', '.join(missing)}' (a '*' does not "
                "cover Authorization).",
            )
        )
    return items


async def check_cors(
    client: httpx.AsyncClient,
    request: httpx.Request,
    response: httpx.Response,
    origin: str | None,
    with_credentials: bool = False,
) -> tuple[CorsItem, ...]:
    """A browser at ``origin`` (ably-js) fetching this authUrl: what would it let through?"""
    if not origin:
        return ()
    items: list[CorsItem] = []
    if _simple(request):
        items.append(CorsItem(True, "A simple request: the browser sends no preflight."))
    else:
        items.append(
            CorsItem(True, "Not a simple request (custom authHeaders): the browser preflights.")
        )
        items += await _preflight(client, request, origin, with_credentials)
    items += _origin_items(response.headers, origin, with_credentials, "response")
    return tuple(items)


# ---- text, as the CLI prints it and the GUI shows it ----------------------------------------


def request_text(check: AuthUrlCheck) -> str:
    sent = check.sent
    lines = [f"{sent.method} {sent.url}", ""]
    lines += [f"{k}: {v}" for k, v in sent.headers.items()]
    if sent.params:
        lines += ["", "Parameters (query for GET, form body for POST):"]
        lines += [f"  {k} = {v}" for k, v in sent.params.items()]
    return "\n".join(lines)


def response_text(check: AuthUrlCheck) -> str:
    got = check.received
    if got is None:
        return "(no response)"
    lines = [f"HTTP {got.status}  {got.content_type or '(no Content-Type)'}", ""]
    lines += [f"{k}: {v}" for k, v in got.headers.items()]
    lines += ["", got.body]
    if got.echo:
        lines += ["", "The auth server says it received:"]
        lines.append(f"  {got.echo.get('method')} {got.echo.get('path')}")
        for part in ("params", "headers"):
            values = got.echo.get(part)
            if isinstance(values, dict) and values:
                lines.append(f"  {part}:")
                lines += [f"    {k}: {v}" for k, v in values.items()]
    return "\n".join(lines)


def describe(check: AuthUrlCheck) -> str:
    """The whole check as text: verdict, request, response, CORS."""
    code = f" (Ably error {check.ably_code})" if check.ably_code else ""
    mark = "✔" if check.accepted else "✖"
    parts = [f"{mark} {check.message}{code}", "", "── request sent (secrets masked) ──"]
    parts += [request_text(check), "", "── response ──", response_text(check)]
    if check.cors:
        parts += ["", "── browser (CORS) ──"]
        for item in check.cors:
            parts.append(f"{'✔' if item.ok else '✖'} {item.message}")
            if item.fix and not item.ok:
                parts.append(f"    fix: {item.fix}")
    return "\n".join(parts)
