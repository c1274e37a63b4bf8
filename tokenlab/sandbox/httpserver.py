"""The aiohttp server plumbing below the routes: what happens before a request reaches a handler.

- ``SandboxRunner``: an ``AppRunner`` whose connections answer HTTP parse failures (a header
  line or header block too large, a malformed request) with an Ably error body (40009 when
  something is too large, else 40000) instead of aiohttp's ``text/plain`` 400, and whose
  ``keepalive_timeout`` also ends connections that never finish their request headers.
- ``FrameGuard``: sits in front of aiohttp's WebSocket reader and reads only frame headers. A
  client frame that is not masked is a protocol error that closes the connection (RFC 6455
  sec. 5.1); a message announced larger than the limit is reported before its payload is buffered,
  so the caller can answer ERROR 40009 rather than aiohttp's bare close.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler

from tokenlab.core.errors import AblyError
from tokenlab.sandbox.httpwire import error_response

log = logging.getLogger(__name__)

Violation = Literal["unmasked", "too_large"]


def parse_error_response(exc: BaseException | None, message: str | None) -> web.Response:
    too_large = isinstance(exc, LineTooLong) or "too many" in str(message or exc).lower()
    if too_large:
        error = AblyError(
            40009,
            "Request headers too large: a header line or the header block exceeds the "
            "sandbox's limit.",
            status=400,
        )
    else:
        detail = str(message or exc)[:200]
        error = AblyError(40000, f"Malformed HTTP request: {detail}", status=400)
    response = error_response(error)
    response.force_close()
    return response


class _Handler(RequestHandler):
    """Per-connection protocol: Ably errors for parse failures, and a hook that puts a
    FrameGuard in front of the WebSocket reader when the route asks for one."""

    frame_guard: FrameGuard | None = None

    def set_parser(self, parser: Any, data_received_cb: Callable[[], None] | None = None) -> None:
        guard, self.frame_guard = self.frame_guard, None
        if guard is not None:
            parser = guard.wrap(parser)  # before any byte after the handshake is parsed
        super().set_parser(parser, data_received_cb)

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status == 400 and isinstance(exc, BadHttpMessage):
            log.debug("sandbox: refused a malformed request: %s", exc)
            return parse_error_response(exc, message)
        return super().handle_error(request, status, exc, message)


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return _Handler(self, loop=self._loop, **self._kwargs)


class SandboxRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _Server  # same layout; only the per-connection handler differs
        return server


class FrameGuard:
    """Wraps aiohttp's WebSocket payload parser; scans client frame headers as bytes arrive."""

    def __init__(self, limit: int) -> None:
        self._inner: Any = None
        self._limit = limit
        self._on_violation: Callable[[Violation], None] | None = None
        self._pending: Violation | None = None
        self._header = bytearray()
        self._skip = 0  # payload bytes of the current frame still to pass
        self._message = 0  # bytes of the current (possibly fragmented) data message
        self.tripped = False

    def wrap(self, inner: Any) -> FrameGuard:
        self._inner = inner
        return self

    def arm(self, on_violation: Callable[[Violation], None]) -> None:
        """Report violations to ``on_violation`` from now on (and one that came before)."""
        self._on_violation = on_violation
        if self._pending is not None:
            on_violation(self._pending)

    def feed_eof(self) -> Any:
        return self._inner.feed_eof()

    def feed_data(self, data: bytes) -> Any:
        if self.tripped:
            return False, b""
        view = memoryview(data)
        while view:
            if self._skip:
                step = min(self._skip, len(view))
                self._skip -= step
                view = view[step:]
                continue
            self._header += view[:1]
            view = view[1:]
            self._frame_header()
            if self.tripped:
                return False, b""
        return self._inner.feed_data(data)

    def _frame_header(self) -> None:
        head = self._header
        if len(head) < 2:
            return
        size_bytes = {126: 2, 127: 8}.get(head[1] & 0x7F, 0)
        masked = bool(head[1] & 0x80)
        if len(head) < 2 + size_bytes:
            return
        if not masked:
            return self._trip("unmasked")
        length = head[1] & 0x7F
        if size_bytes:
            length = int.from_bytes(head[2 : 2 + size_bytes], "big")
        opcode, fin = head[0] & 0x0F, bool(head[0] & 0x80)
        if opcode < 8:  # data or continuation frame: counts towards the message
            self._message += length
            if self._message > self._limit:
                return self._trip("too_large")
            if fin:
                self._message = 0
        self._header = bytearray()
        self._skip = 4 + length  # the masking key, then the payload

    def _trip(self, violation: Violation) -> None:
        self.tripped = True
        if self._on_violation is None:
            self._pending = violation  # during the handshake: reported once armed
        else:
            self._on_violation(violation)

    def end_input(self) -> None:
        """Stop reading: the receive loop sees the end of input and the handler winds down
        (flushing what was queued for the client, then closing)."""
        self._inner.feed_eof()


def guard_frames(request: web.Request, limit: int) -> FrameGuard | None:
    """Ask for a FrameGuard in front of the WebSocket reader; call before ``ws.prepare``, then
    ``arm`` it. None when the request is not served by a ``SandboxRunner``."""
    protocol = request.protocol
    if not isinstance(protocol, _Handler):
        return None
    guard = protocol.frame_guard = FrameGuard(limit)
    return guard
