"""The realtime WebSocket endpoint (``GET /`` with any query): handshake and frame dispatch.

Handshake (RTN2, RTN6, RTN14): ``format`` json|msgpack (absent: JSON),
``v`` 2..6 (else 40017), credentials from ``key``, ``accessToken`` or ``access_token``, the
``clientId`` rules of RSA7, ``resume``/``recover`` (RTN15b, RTN16). Success is CONNECTED with full
``connectionDetails``; failure is ERROR then close. Unknown query parameters are ignored.

Frames: HEARTBEAT is echoed with its ``id``; CLOSE -> CLOSED (state discarded); DISCONNECT ->
DISCONNECTED (state kept); AUTH re-authenticates in band (RTC8, RTN22); channel actions live in
``ops``. A frame that does not decode, or is larger than ``maxFrameSize`` (seen in its header
by ``httpserver.FrameGuard``), gets ERROR 40000 / 40009 and the connection closes; an unmasked
client frame drops the connection (RFC 6455 section 5.1); an unknown action gets NACK (with
``msgSerial``) or ERROR 40000. Nothing a client sends can affect another connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from aiohttp import WSMsgType, web

from tokenlab.core.clientid import resolve_identity
from tokenlab.core.errors import AblyError, UserError, is_token_error
from tokenlab.core.numbers import ascii_int
from tokenlab.core.wire import Action, Frame, WireFormat
from tokenlab.sandbox import attach, ops
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.auth import Credentials
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.httpserver import FrameGuard, Violation, guard_frames
from tokenlab.sandbox.httpwire import json_response
from tokenlab.sandbox.link import Link
from tokenlab.sandbox.protocol import SUPPORTED_VERSIONS, decode_frame, error_frame
from tokenlab.sandbox.session import Session

log = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 3.0

Dispatch = Callable[[Context, Session, Link, Frame], None]


async def websocket_route(request: web.Request) -> web.StreamResponse:
    ctx = request.app[CONTEXT]
    ws = web.WebSocketResponse(
        autoping=True,
        heartbeat=None,
        compress=False,
        timeout=CLOSE_TIMEOUT_S,
        max_msg_size=max(4 * ctx.config.max_frame_size, 4 * 1_048_576),
    )
    if not ws.can_prepare(request).ok:
        return json_response(
            {"service": "tokenlab sandbox", "realtime": "open a WebSocket on this path"}
        )
    guard = guard_frames(request, ctx.config.max_frame_size)
    await ws.prepare(request)
    fmt, fmt_error = _format(request.query)
    link = Link(ws, request.transport, fmt, max_queue_bytes=ctx.config.max_queue_bytes)
    link.start()
    if guard is not None:
        guard.arm(lambda violation: _on_violation(ctx, link, guard, violation))
    session: Session | None = None
    try:
        session = handshake(ctx, request.query, link, fmt_error)
        if session is not None:
            await _receive(ctx, session, link)
    finally:
        if session is not None:
            ctx.sessions.link_closed(session, link)
        await link.wait_closed(CLOSE_TIMEOUT_S)
    return ws


def _on_violation(ctx: Context, link: Link, guard: FrameGuard, violation: Violation) -> None:
    """A client frame broke the framing rules before aiohttp buffered it (see FrameGuard)."""
    if violation == "unmasked":
        # RFC 6455 section 5.1: a server MUST close the connection on an unmasked client frame.
        link.abort()
        message, code = "Closed: the client sent an unmasked frame (RFC 6455 section 5.1).", None
    else:
        limit = ctx.config.max_frame_size
        error = AblyError(40009, f"Frame exceeds maxFrameSize {limit} bytes.", status=400)
        link.send(error_frame(Action.ERROR, error))
        link.after_flush(guard.end_input)  # then the receive loop ends and the socket closes
        message, code = f"ERROR 40009: {error.message}", 40009
    ctx.events.emit(ev.ERROR, message, code=code)


def _format(query: Mapping[str, str]) -> tuple[WireFormat, AblyError | None]:
    value = query.get("format", "json")
    if value == "msgpack":
        return "msgpack", None
    if value == "json":
        return "json", None
    return "json", AblyError(40000, f"Unsupported format {value!r}: use json or msgpack.")


def _check_version(value: str | None) -> None:
    # UNCERTAIN: an absent v is accepted as current (curl and hand-written clients); only a
    # present, unsupported value is refused. All SDKs send v.
    if value is None:
        return
    try:
        version = int(value.split(".")[0])
    except ValueError:
        version = -1
    if version < SUPPORTED_VERSIONS.start:  # a newer version is accepted, as Ably does
        raise AblyError(
            40017, f"Invalid api version specified: {value!r} (this sandbox speaks 2 and up)."
        )


def _credentials(ctx: Context, query: Mapping[str, str]) -> Credentials:
    key = query.get("key")
    if key is not None:
        return ctx.authn.from_key(key)
    token = query.get("accessToken", query.get("access_token"))
    if token is not None:
        return ctx.authn.from_token(token)
    raise AblyError(40101, "No credentials: connect with key, accessToken or access_token.")


def handshake(
    ctx: Context, query: Mapping[str, str], link: Link, fmt_error: AblyError | None
) -> Session | None:
    """Authenticate and send CONNECTED (returning the session), or ERROR and close."""
    query_client_id = query.get("clientId")
    try:
        if fmt_error is not None:
            raise fmt_error
        _check_version(query.get("v"))
        creds = _credentials(ctx, query)
        identity = resolve_identity(
            query_client_id, basic_auth=creds.basic, token_client_id=creds.client_id
        )
    except UserError as exc:
        error = ops.as_ably(exc)
        link.close_after(error_frame(Action.ERROR, error))
        ctx.events.emit(
            ev.CONNECTION_FAILED,
            f"Connection refused: {error.ably_code} {error.message}",
            client_id=query_client_id,
            code=error.ably_code,
        )
        return None
    link.echo = query.get("echo", "true") != "false"
    resume_key = query.get("resume") or query.get("recover")
    resume_error = None
    if resume_key:
        session, resume_error = ctx.sessions.resume(resume_key, creds, identity, link)
        if session is not None:
            link.send(ctx.sessions.connected_frame(session))
            _opened(ctx, session, ev.CONNECTION_RESUMED, "resumed")
            return session
    session = ctx.sessions.create(creds, identity, query_client_id, link)
    session.remain_present_ms = _remain_present_for(ctx, query)
    link.send(ctx.sessions.connected_frame(session, resume_error))
    what = f"opened ({creds.describe()})"
    if resume_error is not None:
        what += f"; resume failed with {resume_error.ably_code}"
    _opened(ctx, session, ev.CONNECTION_OPENED, what)
    return session


def _remain_present_for(ctx: Context, query: Mapping[str, str]) -> int | None:
    """The ``remainPresentFor`` transport param (ms), capped at connectionStateTtl; an invalid
    value is ignored like any unknown param."""
    raw = query.get("remainPresentFor")
    value = ascii_int(raw, max_digits=9) if raw is not None else None
    return None if value is None else min(value, ctx.config.connection_state_ttl_ms)


def _opened(ctx: Context, session: Session, kind: str, what: str) -> None:
    creds = session.creds
    ctx.events.emit(
        kind,
        f"Connection {session.connection_id} {what}: {session.identity.explanation}",
        connection_id=session.connection_id,
        client_id=session.identity.client_id,
        key_name=creds.key_name,
        data={"expires": creds.expires, "credential": creds.describe(), "token": creds.hint},
    )


async def _receive(ctx: Context, session: Session, link: Link) -> None:
    async for msg in link.ws:
        if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            break
        if link.closing or session.link is not link:
            continue
        try:
            _on_data(ctx, session, link, msg.data)
        except Exception:  # a handler bug must end only this connection
            log.exception("sandbox: error handling a frame")
            _protocol_error(ctx, session, link, AblyError(50000, "Internal error (logged)."))


def _on_data(ctx: Context, session: Session, link: Link, data: str | bytes) -> None:
    size = len(data)
    if size > ctx.config.max_frame_size:
        error = AblyError(
            40009,
            f"Frame of {size} bytes exceeds maxFrameSize {ctx.config.max_frame_size}.",
            status=400,
        )
        _protocol_error(ctx, session, link, error)
        return
    try:
        frame = decode_frame(data)
    except AblyError as exc:
        _protocol_error(ctx, session, link, exc)
        return
    handler = HANDLERS.get(frame["action"])
    if handler is None:
        _unknown(ctx, session, link, frame)
        return
    handler(ctx, session, link, frame)


def _protocol_error(ctx: Context, session: Session, link: Link, error: AblyError) -> None:
    """Connection-level ERROR and close; the session stays resumable.

    UNCERTAIN: Ably's answer to an undecodable frame is not documented; a connection-level
    ERROR is always followed by a close (RTN14g, RTN15j), so the client goes FAILED."""
    link.close_after(error_frame(Action.ERROR, error))
    ctx.events.emit(
        ev.ERROR,
        f"ERROR {error.ably_code} to {session.connection_id}: {error.message}",
        connection_id=session.connection_id,
        client_id=session.identity.client_id,
        code=error.ably_code,
    )


def _unknown(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    action = frame["action"]
    error = AblyError(40000, f"Unsupported protocol action {action} from a client.")
    if frame.get("msgSerial") is not None:
        link.send(error_frame(Action.NACK, error, msgSerial=frame["msgSerial"], count=1))
        return
    _protocol_error(ctx, session, link, error)


def on_heartbeat(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    reply: Frame = {"action": int(Action.HEARTBEAT)}
    if frame.get("id") is not None:
        reply["id"] = frame["id"]
    link.send(reply)


def on_close(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    link.close_after({"action": int(Action.CLOSED)})
    ctx.sessions.discard(session, "closed by the client (CLOSE)")


def on_disconnect(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    link.close_after({"action": int(Action.DISCONNECTED)})
    ctx.events.emit(
        ev.CONNECTION_CLOSED,
        f"Connection {session.connection_id} disconnected by the client (state kept for resume)",
        connection_id=session.connection_id,
        client_id=session.identity.client_id,
    )


def on_auth(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    auth = frame.get("auth")
    token = auth.get("accessToken") if isinstance(auth, dict) else None
    try:
        if not isinstance(token, str):
            raise AblyError(40101, "AUTH carries no auth.accessToken.")
        creds = ctx.authn.from_token(token)
        identity = resolve_identity(
            session.query_client_id, basic_auth=False, token_client_id=creds.client_id
        )
        _check_compatible(session, creds, identity.client_id)
    except UserError as exc:
        error = ops.as_ably(exc)
        if error.ably_code == 40012:
            error = AblyError(40102, f"Invalid clientId for credentials: {error.message}")
        if is_token_error(error.ably_code):
            # UNCERTAIN: a token error in AUTH is sent as DISCONNECTED (renewable, state kept)
            # rather than ERROR, so that SDKs renew instead of failing (RTN22a, RTN15h).
            ctx.sessions.disconnect(session, error)
        else:
            ctx.sessions.fail(session, error)
        return
    session.use_credentials(creds, identity, ctx.now_ms())
    link.send(ctx.sessions.connected_frame(session))
    _downgrade(ctx, session, link)
    left = (
        ""
        if creds.expires is None
        else f"; expires in {(creds.expires - ctx.now_ms()) / 1000:.1f} s"
    )
    ctx.events.emit(
        ev.AUTH_RENEWED,
        f"Connection {session.connection_id} reauthenticated in band ({creds.describe()}){left}",
        connection_id=session.connection_id,
        client_id=identity.client_id,
        key_name=creds.key_name,
        data={"expires": creds.expires, "capability": creds.capability.canonical()},
    )


def _check_compatible(session: Session, creds: Credentials, client_id: str | None) -> None:
    if creds.key_name != session.creds.key_name:
        raise AblyError(
            40102,
            f"Invalid credentials: the new token is for key {creds.key_name}, but this "
            f"connection uses {session.creds.key_name}.",
        )
    # UNCERTAIN: a connection's clientId never changes once set (Ably docs); an unidentified
    # connection is also kept unidentified rather than allowed to acquire one in band.
    if client_id != session.identity.client_id:
        raise AblyError(
            40102,
            f"Invalid clientId for credentials: the new token gives clientId {client_id!r}, "
            f"but the connection is {session.identity.client_id!r}.",
        )


def _downgrade(ctx: Context, session: Session, link: Link) -> None:
    """Channel ERROR 40160 for each attached channel the new capability no longer allows."""
    for name in list(session.attached):
        if not ops.may_attach(session, name):
            del session.attached[name]
            ctx.hub.detach(session.app_id, name, session.connection_id)
            ops.channel_error(ctx, session, link, name, ops.denied(name, "Access"))


HANDLERS: dict[int, Dispatch] = {
    int(Action.HEARTBEAT): on_heartbeat,
    int(Action.CLOSE): on_close,
    int(Action.DISCONNECT): on_disconnect,
    int(Action.AUTH): on_auth,
    int(Action.ATTACH): attach.on_attach,
    int(Action.DETACH): attach.on_detach,
    int(Action.MESSAGE): ops.on_message,
    int(Action.PRESENCE): ops.on_presence,
    int(Action.SYNC): ops.on_sync,
}
