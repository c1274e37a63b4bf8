"""The authUrl tester: the request as sent (secrets masked), the SDKs' acceptance rules, and
CORS for a browser origin, against the demo auth server and a small misbehaving server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from tests.sandbox.conftest import FakeClock, config
from tokenlab.realtime.authurl_check import check_auth_url
from tokenlab.realtime.options import AuthUrlAuth
from tokenlab.sandbox import Sandbox

ORIGIN = "http://127.0.0.2:3000"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjF9.c2ln"


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(config(FakeClock())) as sandbox:
        yield sandbox


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


async def _answer(request: web.Request) -> web.Response:
    case = request.match_info["case"]
    cors = {"Access-Control-Allow-Origin": ORIGIN} if "cors" in case else {}
    if request.method == "OPTIONS":
        allow = {"Access-Control-Allow-Methods": "GET, POST"}
        if case == "cors-headers":
            allow["Access-Control-Allow-Headers"] = "authorization"
        return web.Response(status=204, headers={**cors, **allow})
    if case.startswith("token-only"):
        return web.json_response({"token": JWT}, headers=cors)
    if case == "no-type":
        return web.Response(body=JWT.encode(), headers=cors)
    return web.Response(text=JWT, content_type="application/jwt", headers=cors)


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{case}", _answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_demo_server_token_request_shows_what_was_sent_and_echoed(
    sb: Sandbox, client: httpx.AsyncClient
) -> None:
    key = sb.demo_keys["full"]
    auth = AuthUrlAuth(
        f"{sb.rest_url}/auth/token-request",
        "POST",
        {"clientId": "alice", "key": "full", "password": key.full()},
        {"Authorization": "Bearer my-session-secret"},
    )
    check = await check_auth_url(auth, {"ttl": "60000"}, client=client)
    assert check.accepted and "TokenRequest" in check.message
    assert check.sent.method == "POST" and check.sent.params["clientId"] == "alice"
    assert check.sent.params["ttl"] == "60000"
    assert key.secret not in json.dumps(check.to_dict())  # masked, also in the echo
    assert check.sent.headers["authorization"].endswith("••••")
    assert check.received is not None and check.received.echo is not None
    assert check.received.echo["method"] == "POST"
    assert check.received.echo["params"]["clientId"] == "alice"
    assert check.received.echo["headers"]["Authorization"] == "••••"


async def test_token_without_issued_is_refused_like_ably_js(
    server: str, client: httpx.AsyncClient
) -> None:
    check = await check_auth_url(AuthUrlAuth(f"{server}/token-only"), {}, client=client)
    assert not check.accepted and check.ably_code == 40170
    assert "issued" in check.message


async def test_jwt_as_application_jwt_is_accepted_but_no_content_type_is_not(
    server: str, client: httpx.AsyncClient
) -> None:
    ok = await check_auth_url(AuthUrlAuth(f"{server}/jwt"), {}, client=client)
    assert ok.accepted and ok.result == JWT
    bad = await check_auth_url(AuthUrlAuth(f"{server}/no-type"), {}, client=client)
    assert not bad.accepted and bad.ably_code == 40170


async def test_cors_for_a_browser_origin(server: str, client: httpx.AsyncClient) -> None:
    missing = await check_auth_url(AuthUrlAuth(f"{server}/jwt"), {}, client=client, origin=ORIGIN)
    assert not missing.cors_ok
    failed = [item for item in missing.cors if not item.ok]
    assert "Access-Control-Allow-Origin" in failed[0].message and failed[0].fix
    simple = await check_auth_url(
        AuthUrlAuth(f"{server}/cors-simple"), {}, client=client, origin=ORIGIN
    )
    assert simple.cors_ok
    headers = AuthUrlAuth(f"{server}/cors-x", auth_headers={"X-Session": "s"})
    preflight = await check_auth_url(headers, {}, client=client, origin=ORIGIN)
    assert any("x-session" in i.message and not i.ok for i in preflight.cors)
    creds = await check_auth_url(
        AuthUrlAuth(f"{server}/cors-headers", auth_headers={"Authorization": "Bearer t"}),
        {},
        client=client,
        origin=ORIGIN,
        with_credentials=True,
    )
    assert any("Allow-Credentials" in (i.fix or "") for i in creds.cors if not i.ok)
