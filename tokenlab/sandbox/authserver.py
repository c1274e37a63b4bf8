"""The demo auth server: plays "your server" for authUrl lessons (spec RSA8c).

Routes (GET or POST; parameters from the query string and a form or JSON body):

- ``/auth/token-request``: a signed TokenRequest, ``application/json``;
- ``/auth/jwt``: an Ably JWT, ``application/jwt``;
- ``/auth/token``: an Ably token string, ``text/plain`` (``format=details``: TokenDetails JSON).

Parameters: ``clientId`` (or ably-python's ``client_id``), ``capability`` (JSON string), ``ttl``
(ms), ``key`` (a key label such as ``chat`` or a key name; default ``full`` of the demo app),
``revocationKey`` (JWT only). Only the demo app's keys are used: apps provisioned through
``POST /apps`` are never signed for. Missing ones fall back to the configured defaults
(``Sandbox.set_auth_server_defaults``).

Every answer carries ``X-Tokenlab-Received``: JSON of the method, path, parameters and headers
received (credentials hidden), so a learner sees their AuthOptions as they arrived.

Misbehaviour, to demonstrate renewal failures: ``fail=MODE`` in the request, or a persistent mode
set with ``Sandbox.set_auth_server_mode`` / ``POST /auth/mode {"mode": ...}`` and read with
``GET /auth/mode`` (both loopback only, with this run's admin credential in
``X-Tokenlab-Admin``; on the classroom listener the credential alone), cleared with ``null``
to heal.
Modes: ``500``, ``403`` (HTTP errors), ``garbage`` (undecodable JSON), ``wrong-type``
(``text/html``), ``expired`` (an already-expired credential) and ``delay:MS`` (answer after
MS milliseconds, at most 60 s).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import ipaddress
import json
from collections.abc import Mapping

from aiohttp import web

from tokenlab.core.capability import Capability
from tokenlab.core.errors import AblyError
from tokenlab.core.keys import ApiKey
from tokenlab.core.numbers import ascii_int
from tokenlab.core.tokens import TokenParams, create_token_request, parse_int, validate_ttl
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.auth import parse_capability
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.httpwire import error_response, json_response, read_body, str_params
from tokenlab.sandbox.provisioning import DEMO_APP_META
from tokenlab.sandbox.store import KeyRecord
from tokenlab.sandbox.trust import role

ADMIN_HEADER = "X-Tokenlab-Admin"
MODES = ("500", "403", "garbage", "wrong-type", "expired")
MAX_DELAY_MS = 60_000
EXPIRED_BY_MS = 1_800_000


def check_mode(mode: str | None) -> str | None:
    """Validate a misbehaviour mode (None heals); AblyError 40003 for an unknown one."""
    if mode is None or mode == "" or mode in MODES:
        return mode or None
    delay = ascii_int(mode[6:], max_digits=5) if mode.startswith("delay:") else None
    if delay is not None and delay <= MAX_DELAY_MS:
        return mode
    raise AblyError(
        40003,
        f"Unknown auth-server mode {mode!r}: use 500, 403, garbage, wrong-type, expired or "
        f"delay:MS (MS <= {MAX_DELAY_MS}).",
    )


async def request_params(request: web.Request) -> dict[str, str]:
    body = await read_body(request) if request.method == "POST" and request.can_read_body else None
    return str_params(request.query, body if isinstance(body, Mapping) else {})


def _key(ctx: Context, wanted: str | None) -> KeyRecord:
    """A key of the demo app, by label or key name; never a key of an app made via /apps."""
    wanted = wanted or ctx.settings.auth_key_label
    app_id = ctx.store.get_meta(DEMO_APP_META) or ""
    if "." in wanted:
        record = ctx.store.key(wanted)
        if record is not None and record.app_id != app_id:
            record = None
    else:
        record = next((k for k in ctx.store.keys(app_id) if k.label == wanted), None)
    if record is None:
        raise AblyError(
            40400, f"The demo auth server has no key {wanted!r} in the demo app.", status=404
        )
    return record


class _Request:
    """The token parameters of one auth-server call, with defaults applied."""

    def __init__(self, ctx: Context, params: dict[str, str]) -> None:
        s = ctx.settings
        self.key = _key(ctx, params.get("key"))
        self.client_id = params.get("clientId", params.get("client_id", s.auth_client_id))
        self.capability = params.get("capability", s.auth_capability)
        if self.capability:
            Capability.parse(self.capability)  # 40000 for an invalid one, on every route
        ttl = parse_int(params.get("ttl"), "ttl")
        self.ttl = ttl if ttl is not None else s.auth_ttl_ms
        self.timestamp = parse_int(params.get("timestamp"), "timestamp")
        self.revocation_key = params.get("revocationKey")


ECHO_HEADER = "X-Tokenlab-Received"
_HIDDEN_HEADERS = ("authorization", "cookie")


def _echo(request: web.Request, params: Mapping[str, str]) -> str:
    """What this server received (method, path, params, header names; credentials hidden), so
    the authUrl tester can show the AuthOptions as they arrived."""
    headers = {
        k: ("••••" if k.lower() in _HIDDEN_HEADERS else v)
        for k, v in request.headers.items()
        if k.lower() not in ("host", "content-length", "connection", "accept-encoding")
    }
    received = {"method": request.method, "path": request.path, "params": dict(params),
                "headers": headers}  # fmt: skip
    return json.dumps(received, ensure_ascii=True)[:4000]


async def _handle(request: web.Request, kind: str) -> web.Response:
    params = await request_params(request)
    response = await answer(request, kind, params)
    response.headers[ECHO_HEADER] = _echo(request, params)
    return response


async def answer(request: web.Request, kind: str, params: dict[str, str]) -> web.Response:
    """Answer one auth-server call (``kind``: token-request, jwt or token) with ``params``."""
    ctx = request.app[CONTEXT]
    _report(ctx, request, kind, params)
    mode = check_mode(params.get("fail") or ctx.settings.auth_server_mode)
    if mode and mode.startswith("delay:"):
        await asyncio.sleep(int(mode[6:]) / 1000)
        mode = None
    if mode and mode != "expired":
        ctx.events.emit(ev.ERROR, f"Demo auth server misbehaved on purpose ({mode}) for /{kind}")
        return _misbehave(mode)
    req = _Request(ctx, params)
    expired = mode == "expired"
    if kind == "token-request":
        return _token_request(ctx, req, expired)
    if kind == "jwt":
        return _jwt(ctx, req, expired)
    return _token(ctx, req, expired, params.get("format") == "details")


def _report(ctx: Context, request: web.Request, kind: str, params: Mapping[str, str]) -> None:
    """What arrived (authMethod, authParams, custom ``X-`` authHeaders), for lessons and the
    Sandbox tab. Only ``X-`` headers are reported, so credentials never reach the feed."""
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
    ctx.events.emit(
        ev.AUTH_SERVER_REQUEST,
        f"Demo auth server: {request.method} /auth/{kind} with {len(params)} param(s)",
        data={"method": request.method, "params": dict(params), "headers": headers},
    )


def _misbehave(mode: str) -> web.Response:
    if mode == "500":
        return error_response(AblyError(50000, "Demo auth server failure (mode 500).", status=500))
    if mode == "403":
        return error_response(AblyError(40300, "Demo auth server refused (mode 403)."))
    if mode == "garbage":
        return web.Response(body=b'{"token": tru', headers={"Content-Type": "application/json"})
    return web.Response(body=b"<html>not a token</html>", headers={"Content-Type": "text/html"})


def _token_request(ctx: Context, req: _Request, expired: bool) -> web.Response:
    now = ctx.now_ms() - (EXPIRED_BY_MS if expired else 0)
    params = TokenParams(
        ttl=req.ttl,
        capability=req.capability,
        client_id=req.client_id,
        timestamp=req.timestamp if req.timestamp is not None and not expired else now,
    )
    key = ApiKey(req.key.app_id, req.key.key_id, req.key.secret)
    token_request = create_token_request(key, params, nonce_factory=lambda: ctx.new_id(16))
    return json_response(token_request.to_dict())


def _jwt(ctx: Context, req: _Request, expired: bool) -> web.Response:
    ttl = validate_ttl(req.ttl, revocable=req.key.revocable)  # 40003, as /auth/token
    if req.capability:
        Capability.parse(req.capability).intersect(parse_capability(req.key.capability))
    token = ctx.issuer.mint_jwt(
        req.key,
        ttl=ttl,
        capability=req.capability,
        client_id=req.client_id,
        revocation_key=req.revocation_key,
        back_ms=EXPIRED_BY_MS + ttl if expired else 0,
    )
    return web.Response(body=token.encode(), headers={"Content-Type": "application/jwt"})


def _token(ctx: Context, req: _Request, expired: bool, details: bool) -> web.Response:
    ceiling = parse_capability(req.key.capability)
    capability = Capability.parse(req.capability).intersect(ceiling) if req.capability else ceiling
    ttl = 1 if expired else validate_ttl(req.ttl, revocable=req.key.revocable)
    issued = ctx.issuer.issue(
        req.key, ttl=ttl, capability=capability, client_id=req.client_id, via="auth server"
    )
    if details:
        return json_response(issued.to_dict())
    return web.Response(body=issued.token.encode(), headers={"Content-Type": "text/plain"})


def _loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


def _check_admin(request: web.Request, ctx: Context) -> None:
    """/auth/mode is an admin route: loopback only, with this run's admin credential (on the
    classroom listener, trusted by listener, the credential is what counts)."""
    if role(request) != "attendee" and not _loopback(request):
        raise AblyError(40300, "The auth-server mode can only be used from this machine.")
    given = request.headers.get(ADMIN_HEADER, "").encode("utf-8", "replace")
    if not hmac.compare_digest(given, ctx.admin_token.encode()):
        raise AblyError(
            40101,
            f"The auth-server mode needs this run's admin credential in the {ADMIN_HEADER} "
            "header (printed by 'tokenlab sandbox' at start).",
        )


async def mode_route(request: web.Request) -> web.Response:
    ctx = request.app[CONTEXT]
    _check_admin(request, ctx)
    if request.method == "POST":
        body = await read_body(request)
        if not isinstance(body, Mapping) or "mode" not in body:
            raise AblyError(40001, 'Send {"mode": "500"} (or null to heal).')
        mode = body["mode"]
        set_mode(ctx, mode if isinstance(mode, str) else None)
    return json_response({"mode": ctx.settings.auth_server_mode})


def set_mode(ctx: Context, mode: str | None) -> None:
    ctx.settings.auth_server_mode = check_mode(mode)
    what = f"misbehave ({mode})" if ctx.settings.auth_server_mode else "behave normally"
    ctx.events.emit(ev.SETTINGS_CHANGED, f"Demo auth server set to {what}")


def add_routes(app: web.Application) -> None:
    for kind in ("token-request", "jwt", "token"):
        handler = functools.partial(_handle, kind=kind)
        app.router.add_route("GET", f"/auth/{kind}", handler)
        app.router.add_route("POST", f"/auth/{kind}", handler)
    app.router.add_route("GET", "/auth/mode", mode_route)
    app.router.add_route("POST", "/auth/mode", mode_route)
