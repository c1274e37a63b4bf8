"""Who may do what: trust by listener, never by peer address.

The sandbox serves the instructor on its main (loopback) listener and, in classroom mode,
attendees on a second listener (``classroom``). Whatever arrives on the attendee listener is an
attendee's request, even from the instructor's own machine. There:

- routes that change the sandbox for everyone (the demo auth server's persistent failure mode,
  app creation and deletion, token revocation) answer only with the per-run admin credential
  in the ``X-Tokenlab-Admin`` header (shown in the GUI and the CLI banner);
- the Host header must name an address being served to attendees, and an Origin must be one of
  those addresses, a page on the attendee's own machine (a loopback name) or ``null`` (a saved
  HTML file): the attendee listener grants attendee powers only, whatever the page.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from typing import Literal
from urllib.parse import urlsplit

from aiohttp import web

from tokenlab.core.errors import AblyError
from tokenlab.sandbox.httpwire import Handler, error_response, host_header_name, is_local_name

Role = Literal["instructor", "attendee"]
LISTENER: web.AppKey[str] = web.AppKey("tokenlab_listener", str)
INSTRUCTOR_HEADER = "X-Tokenlab-Admin"  # the run's admin credential (authserver.ADMIN_HEADER)

# (method, canonical route) pairs that only the instructor may call on the attendee listener
INSTRUCTOR_ONLY = frozenset(
    {
        ("POST", "/auth/mode"),
        ("POST", "/apps"),
        ("DELETE", "/apps/{appId}"),
        ("POST", "/keys/{keyName}/revokeTokens"),
    }
)


def role(request: web.Request) -> str:
    return request.app.get(LISTENER, "instructor")


def has_instructor_credential(request: web.Request, credential: str) -> bool:
    given = request.headers.get(INSTRUCTOR_HEADER, "")
    return bool(given) and hmac.compare_digest(given.encode(), credential.encode())


def origin_allowed(origin: str, served: Collection[str]) -> bool:
    if origin == "null":
        return True
    name = urlsplit(origin).hostname
    return bool(name) and (name in served or is_local_name(name or ""))


def attendee_violation(request: web.Request, served: Collection[str]) -> str | None:
    """Why the attendee listener's Host/Origin guard refuses this request, or None."""
    host = request.headers.get("Host")
    if host is None or host_header_name(host) not in served:
        return f"Host {host!r} is not an address this classroom serves"
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(origin, served):
        return f"Origin {origin!r} is not a classroom page"
    return None


def attendee_middleware(served: Collection[str], credential: str) -> web.middleware:  # type: ignore[valid-type]
    """Guard of the attendee listener: Host/Origin, then the instructor-only routes."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        why = attendee_violation(request, served)
        if why is not None:
            return error_response(AblyError(40300, f"Refused: {why} (DNS-rebinding guard)."))
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        if (request.method, route) in INSTRUCTOR_ONLY and not has_instructor_credential(
            request, credential
        ):
            return error_response(
                AblyError(
                    40300,
                    f"{request.method} {route} is for the instructor only: attendees cannot "
                    "change the sandbox for everyone.",
                )
            )
        return await handler(request)

    return guard
