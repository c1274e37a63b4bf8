"""The attendee listener's own routes: the join page, joining, and tickets on the auth server.

- ``GET /`` (no WebSocket upgrade): the join page, plain HTML and CSS with no external assets,
  readable on a phone; a WebSocket upgrade on ``/`` is the realtime endpoint as usual;
- ``POST /join`` (form ``name=...`` or JSON ``{"name": ...}``): joins and answers a page with the
  attendee's clientId, authUrl and snippets (JSON with ``Accept: application/json``);
- ``GET|POST /auth/{token,token-request,jwt}?ticket=T``: the demo auth server for attendees:
  tokens for the ticket's clientId only, never longer than the classroom's token TTL;
- ``GET /classroom/roster`` on the instructor's listener only: the roster as JSON.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from collections.abc import Mapping

from aiohttp import web

from tokenlab.core.errors import UserError
from tokenlab.sandbox import authserver
from tokenlab.sandbox.classroom import CAPABILITY, TOKEN_TTL_MS, Attendee, Classroom
from tokenlab.sandbox.context import CONTEXT
from tokenlab.sandbox.httpwire import host_header_name, json_response, read_body
from tokenlab.sandbox.realtime import websocket_route
from tokenlab.sandbox.snippets import Endpoint, attendee_snippets

CLASSROOM: web.AppKey[Classroom] = web.AppKey("tokenlab_classroom", Classroom)
LANGUAGES = (
    ("node", "Node (ably-js)", "join.mjs"),
    ("browser", "Browser page (ably-js)", "join.html"),
    ("python", "Python (ably-python)", "join.py"),
    ("curl", "curl", "shell"),
)

STYLE = """
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { max-width: 48rem; margin: 0 auto; padding: 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
form { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 1rem 0; }
input { flex: 1 1 12rem; font-size: 1.1rem; padding: 0.5rem; }
button { font-size: 1.1rem; padding: 0.5rem 1rem; }
pre { overflow-x: auto; padding: 0.75rem; border: 1px solid #8888; border-radius: 4px;
      font-size: 0.85rem; white-space: pre; }
code { overflow-wrap: anywhere; }
.error { color: #c62828; font-weight: bold; }
details { margin: 0.75rem 0; } summary { cursor: pointer; font-weight: bold; }
"""


def _page(title: str, body: str, status: int = 200) -> web.Response:
    text = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
    return web.Response(text=text, content_type="text/html", status=status)


def _form(error: str = "") -> str:
    shown = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return (
        "<h1>Join the Ably sandbox</h1>\n<p>Type your name: you get a clientId, a URL that "
        "gives you tokens for it, and code that connects with it.</p>\n"
        f'{shown}<form method="post" action="/join">'
        '<label for="name" hidden>Name</label>'
        '<input id="name" name="name" required maxlength="40" autocomplete="name" '
        'placeholder="Your name" autofocus><button type="submit">Join</button></form>'
    )


def endpoint(request: web.Request) -> Endpoint:
    """The attendee's view of this listener: the Host they used (already checked) and port."""
    classroom = request.app[CLASSROOM]
    name = host_header_name(request.headers.get("Host", "")) or classroom.hosts[0]
    return Endpoint(name, classroom.port)


def auth_url(ep: Endpoint, attendee: Attendee) -> str:
    return f"{ep.url}/auth/token?ticket={attendee.ticket}"


async def root(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await websocket_route(request)
    return _page("Join the Ably sandbox", _form())


async def join(request: web.Request) -> web.Response:
    classroom = request.app[CLASSROOM]
    body = await read_body(request)
    wants_json = "json" in request.headers.get("Accept", "")
    name = body.get("name") if isinstance(body, Mapping) else None
    try:
        attendee = classroom.join(name, request.remote or "?")
    except UserError as exc:
        if wants_json:
            raise
        return _page("Join the Ably sandbox", _form(exc.message), status=exc.status or 400)
    ep = endpoint(request)
    url = auth_url(ep, attendee)
    snippets = attendee_snippets(ep, url)
    if wants_json:
        info = {"name": attendee.name, "clientId": attendee.client_id, "authUrl": url}
        return json_response({**info, "endpoint": ep.host, "port": ep.port, "snippets": snippets})
    return _page(f"{attendee.name}: connect to the sandbox", _joined(attendee, ep, url, snippets))


def _joined(attendee: Attendee, ep: Endpoint, url: str, snippets: dict[str, str]) -> str:
    e = html.escape
    parts = [
        f"<h1>Welcome, {e(attendee.name)}</h1>",
        f'<p>Your clientId is <code id="client-id">{e(attendee.client_id)}</code>. Your auth URL '
        f'gives short-lived tokens for it (keep it to yourself):</p><pre id="auth-url">{e(url)}'
        f"</pre><p>Sandbox: <code>{e(ep.host)}</code> port <code>{ep.port}</code>, no TLS.</p>",
    ]
    for lang, title, file in LANGUAGES:
        hint = f"save as <code>{file}</code>" if file != "shell" else "paste into a shell"
        parts.append(
            f"<details{' open' if lang == 'node' else ''}><summary>{e(title)}</summary>"
            f'<p>Copy, {hint}.</p><pre id="snippet-{lang}">{e(snippets[lang])}</pre></details>'
        )
    parts.append('<p><a href="/">Join again with another name</a></p>')
    return "\n".join(parts)


async def attendee_auth(request: web.Request, kind: str) -> web.Response:
    ctx, classroom = request.app[CONTEXT], request.app[CLASSROOM]
    params = await authserver.request_params(request)
    attendee = classroom.by_ticket(params.pop("ticket", None))
    params.pop("client_id", None)
    params["clientId"] = attendee.client_id
    params["key"] = ctx.settings.auth_key_label
    ttl = params.get("ttl")
    if not (ttl and ttl.isdigit() and 0 < int(ttl) <= TOKEN_TTL_MS):
        params["ttl"] = str(TOKEN_TTL_MS)
    params.setdefault("capability", CAPABILITY)
    return await authserver.answer(request, kind, params)


async def roster_route(request: web.Request) -> web.Response:
    """``GET /classroom/roster`` on the instructor's listener: the roster as JSON."""
    classroom = request.app[CLASSROOM]
    rows = [dataclasses.asdict(row) for row in classroom.roster()]
    info = {"open": classroom.open, "joinUrls": classroom.join_urls()}
    return json_response({**info, "roster": rows})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", root)
    app.router.add_post("/join", join)
    for kind in ("token-request", "jwt", "token"):
        handler = functools.partial(attendee_auth, kind=kind)
        app.router.add_route("GET", f"/auth/{kind}", handler)
        app.router.add_route("POST", f"/auth/{kind}", handler)
    app.router.add_route("GET", "/auth/mode", authserver.mode_route)
    app.router.add_route("POST", "/auth/mode", authserver.mode_route)
