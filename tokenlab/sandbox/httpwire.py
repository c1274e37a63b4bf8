"""HTTP plumbing shared by the REST, auth-server and WebSocket routes.

- Content negotiation: request bodies in JSON, msgpack or form encoding; responses in the format
  the ``Accept`` header names (JSON by default, msgpack for ``application/x-msgpack``).
- Error responses exactly as Ably's REST API (TI1, HP6) and ably-js require: an
  ``{"error": ErrorInfo}`` body with ``Content-Type: application/json`` (no charset: ably-js
  ignores error bodies otherwise) and ``X-Ably-ErrorCode`` / ``X-Ably-ErrorMessage`` headers.
- ``middlewares``: the DNS-rebinding guard (a ``Host`` or ``Origin`` that is neither loopback
  nor an address this sandbox serves is refused with 40300, also with ``--host``), CORS for
  those pages only, and the catch-all that turns
  any exception into an Ably error so bad input never takes the server down.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgpack
from aiohttp import web

from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.safetext import has_lone_surrogate, may_hold_surrogate_escape

log = logging.getLogger(__name__)

JSON_TYPE = "application/json"
MSGPACK_TYPE = "application/x-msgpack"
MAX_BODY_BYTES = 1_048_576

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def wants_msgpack(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    if "msgpack" in accept:
        return True
    if "json" in accept:
        return False
    return request.query.get("format") == "msgpack"


def respond(request: web.Request, data: Any, *, status: int = 200) -> web.Response:
    """A success response in the negotiated format (no charset parameter, like Ably)."""
    if wants_msgpack(request):
        body: bytes = msgpack.packb(data, use_bin_type=True)
        return web.Response(status=status, body=body, headers={"Content-Type": MSGPACK_TYPE})
    return json_response(data, status=status)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=body, headers={"Content-Type": JSON_TYPE})


def _header_safe(text: str) -> str:
    cleaned = " ".join(text.split())
    return cleaned.encode("ascii", "replace").decode("ascii")[:500]


def error_response(error: UserError, request: web.Request | None = None) -> web.Response:
    """The error body in JSON, or in msgpack when the request's Accept asks for it."""
    info = error.error_info()
    status = int(info["statusCode"])
    if request is not None and wants_msgpack(request):
        response = respond(request, {"error": info}, status=status)
    else:
        response = json_response({"error": info}, status=status)
    response.headers["X-Ably-ErrorCode"] = str(info["code"])
    response.headers["X-Ably-ErrorMessage"] = _header_safe(str(info["message"]))
    return response


async def read_body(request: web.Request) -> Any:
    """The request body as a Python value: JSON, msgpack or form (dict of strings).

    An empty body is ``None``; anything undecodable is ``AblyError`` 40001.
    """
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise AblyError(
            40009, f"The request body exceeds {MAX_BODY_BYTES} bytes.", status=413
        ) from None
    if not raw:
        return None
    ctype = request.content_type.lower()
    try:
        if "msgpack" in ctype:
            return msgpack.unpackb(raw, raw=False, strict_map_key=False)
        if ctype == "application/x-www-form-urlencoded":
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        text = raw.decode("utf-8")
        value = json.loads(text)
    except (ValueError, TypeError, RecursionError, UnicodeDecodeError):
        pass
    except Exception:  # msgpack raises assorted errors on hostile input
        pass
    else:
        if may_hold_surrogate_escape(text) and has_lone_surrogate(value):
            raise AblyError(40001, "The request body holds a lone surrogate (not valid Unicode).")
        return value
    raise AblyError(40001, f"Unable to decode the request body as {ctype or 'JSON'}.")


def client_id_header(request: web.Request) -> str | None:
    """``X-Ably-ClientId`` is base64(utf8(clientId)) (RSA7e2)."""
    value = request.headers.get("X-Ably-ClientId")
    if value is None:
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise AblyError(40012, "X-Ably-ClientId must be base64 of the UTF-8 clientId.") from None


def str_params(*sources: Mapping[str, Any]) -> dict[str, str]:
    """Merge query/body mappings (later wins) into plain strings, dropping nulls."""
    out: dict[str, str] = {}
    for source in sources:
        for k, v in source.items():
            key = k.decode() if isinstance(k, bytes) else str(k)
            if v is None:
                continue
            out[key] = v.decode() if isinstance(v, bytes) else (v if isinstance(v, str) else str(v))
    return out


# -- guard ---------------------------------------------------------------------------------
def is_local_name(host: str) -> bool:
    name = host.strip().lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_header_name(value: str) -> str:
    value = value.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def served_name(request: web.Request, name: str, bound_host: str) -> bool:
    """Is ``name`` (from a Host or Origin header) this server: a loopback name, the configured
    host when it is a real name, or the address the request actually arrived on?"""
    if is_local_name(name):
        return True
    wanted = name.strip().lower().rstrip(".")
    if bound_host and _ip(bound_host) is None and wanted == bound_host.lower():
        return True
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    local = _ip(str(sockname[0])) if isinstance(sockname, tuple) and sockname else None
    return local is not None and not local.is_unspecified and _ip(wanted) == local


def guard_violation(request: web.Request, bound_host: str = "127.0.0.1") -> str | None:
    """Why a request must be refused by the DNS-rebinding guard, or None.

    The guard is always on: with a non-loopback ``--host`` it admits the served addresses
    (the address a request arrived on, or the configured host name) besides loopback names,
    and nothing else, so a hostile page that rebinds its own name to this machine is refused."""
    host = request.headers.get("Host")
    if host is not None and not served_name(request, host_header_name(host), bound_host):
        return f"Host {host!r} is not an address of this sandbox"
    origin = request.headers.get("Origin")
    if origin is not None:
        try:
            name = urlsplit(origin).hostname if origin != "null" else None
        except ValueError:
            name = None
        if not name or not served_name(request, name, bound_host):
            return f"Origin {origin!r} is not a page of this machine or this sandbox"
    return None


def _cors(request: web.Request, response: web.StreamResponse) -> None:
    origin = request.headers.get("Origin")
    if origin and not response.prepared:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "X-Ably-ErrorCode, X-Ably-ErrorMessage"
        response.headers["Vary"] = "Origin"


def make_middlewares(bound_host: str, *, guard: bool = True) -> list[Any]:
    """``guard=False``: the listener brings its own Host/Origin guard (the classroom's)."""

    @web.middleware
    async def ably_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        why = guard_violation(request, bound_host) if guard else None
        if why is not None:
            return error_response(
                AblyError(
                    40300,
                    f"Refused: {why} (DNS-rebinding guard). Use localhost, or this sandbox's "
                    "address when it was started with --host.",
                )
            )
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response: web.StreamResponse = web.Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "*"
            )
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await _run(request, handler)
        _cors(request, response)
        return response

    return [ably_errors]


async def _run(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UserError as exc:
        if exc.ably_code is None:
            error = AblyError(40000, exc.message, status=exc.status or 400)
            return error_response(error, request)
        return error_response(exc, request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        what = f"{request.method} {request.path}"
        if exc.status in (404, 405):  # a known route with another method is a 404, as Ably
            return error_response(AblyError(40400, f"Not found: {what}", status=404), request)
        error = AblyError(40000, f"{exc.reason}: {what}", status=exc.status)
        return error_response(error, request)
    except Exception:
        log.exception("sandbox: unhandled error in %s %s", request.method, request.path)
        return error_response(
            AblyError(50000, "Internal error in the sandbox (logged).", status=500)
        )
