"""The WebSocket transport: builds the connect URL (RTN2), opens the socket with websockets,
and sends and receives ProtocolMessages, reporting every frame as an event.

A ``Transport`` is one socket's life. It raises ``TransportClosedError`` (with an Ably
ErrorInfo) when the socket cannot be opened or goes away, so the connection state machine can
treat every transport failure the same way (RTN14d, RTN15a).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import websockets
from websockets.asyncio.client import ClientConnection, connect

from tokenlab import __version__
from tokenlab.core.errors import AblyError
from tokenlab.core.tls_trust import client_context
from tokenlab.core.wire import WireFormat, encode_frame
from tokenlab.realtime.clock import Clock, LoopClock
from tokenlab.realtime.events import EventBody, FrameReceived, FrameSent
from tokenlab.realtime.protocol import (
    ErrorInfo,
    action_name,
    decode_frame,
    frame_action,
    frame_error,
)

MAX_FRAME_BYTES = 4 * 1024 * 1024


class TransportClosedError(Exception):
    """The socket could not be opened or was lost; ``reason`` is what the state change shows."""

    def __init__(self, reason: ErrorInfo) -> None:
        super().__init__(str(reason))
        self.reason = reason


def connect_params(
    *,
    auth: Mapping[str, str],
    fmt: WireFormat,
    version: int,
    client_id: str | None,
    echo: bool,
    resume: str | None,
    agent: str,
    extra: Mapping[str, str],
) -> dict[str, str]:
    """The WebSocket query parameters in the order ably-js sends them (RTN2)."""
    params: dict[str, str] = dict(auth)
    if client_id is not None:
        params["clientId"] = client_id
    params["format"] = fmt
    params["heartbeats"] = "true"
    params["v"] = str(version)
    if not echo:
        params["echo"] = "false"
    if resume:
        params["resume"] = resume
    params["agent"] = f"{agent}/{__version__}"
    params.update(extra)
    return params


def build_url(ws_base: str, params: Mapping[str, str]) -> str:
    return f"{ws_base.rstrip('/')}/?{urlencode(params)}"


def _unavailable(message: str, status: int = 400) -> ErrorInfo:
    return ErrorInfo(80003, status, message)


class Transport:
    """One open WebSocket speaking Ably's ProtocolMessages in JSON or msgpack."""

    def __init__(
        self, ws: ClientConnection, fmt: WireFormat, emit: Callable[[EventBody], None]
    ) -> None:
        self._ws = ws
        self._fmt = fmt
        self._emit = emit
        self.closed = False

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        fmt: WireFormat,
        timeout_ms: int,
        emit: Callable[[EventBody], None],
        clock: Clock | None = None,
    ) -> Transport:
        """Open the WebSocket; the ``timeout_ms`` for the handshake runs on ``clock``."""
        try:
            async with (clock or LoopClock()).timeout(timeout_ms):
                ws = await connect(
                    url,
                    open_timeout=None,  # the clock's timeout above
                    ping_interval=None,  # liveness comes from Ably HEARTBEATs (heartbeats=true)
                    close_timeout=1,
                    max_size=MAX_FRAME_BYTES,
                    user_agent_header=f"tokenlab/{__version__}",
                    ssl=client_context() if url.startswith("wss:") else None,
                )
        except TimeoutError as exc:
            raise TransportClosedError(
                _unavailable(f"Timed out opening the WebSocket after {timeout_ms} ms", 408)
            ) from exc
        except websockets.InvalidStatus as exc:
            status = exc.response.status_code
            raise TransportClosedError(
                _unavailable(f"WebSocket upgrade refused with HTTP {status}", status)
            ) from exc
        except (OSError, websockets.WebSocketException) as exc:
            raise TransportClosedError(
                _unavailable(f"Unable to connect: {type(exc).__name__}: {exc}")
            ) from exc
        return cls(ws, fmt, emit)

    async def send(self, message: Mapping[str, Any]) -> None:
        raw = encode_frame(message, self._fmt)
        self._emit(_frame(FrameSent, dict(message), raw))
        try:
            await self._ws.send(raw)
        except websockets.ConnectionClosed as exc:
            self.closed = True
            reason = _unavailable(f"Connection lost while sending: {exc}")
            raise TransportClosedError(reason) from exc

    async def recv(self, timeout_s: float | None) -> dict[str, Any]:
        """The next ProtocolMessage. TimeoutError when nothing arrives within ``timeout_s``;
        TransportClosedError when the socket ends; undecodable frames are reported and skipped."""
        while True:
            try:
                async with asyncio.timeout(timeout_s):
                    raw = await self._ws.recv()
            except websockets.ConnectionClosed as exc:
                self.closed = True
                raise TransportClosedError(_unavailable(_close_text(exc))) from exc
            try:
                message = decode_frame(raw)
            except AblyError as err:
                self._emit(
                    FrameReceived(-1, "UNDECODABLE", None, {}, raw, ErrorInfo.from_error(err))
                )
                continue
            self._emit(_frame(FrameReceived, message, raw))
            return message

    async def close(self) -> None:
        self.closed = True
        # Closing an already broken socket is not an error worth reporting.
        with contextlib.suppress(Exception):
            await self._ws.close()

    def abort(self) -> None:
        """Drop the TCP connection at once (no close handshake), like a network failure."""
        self.closed = True
        transport = self._ws.transport
        if transport is not None:
            transport.abort()


def _close_text(exc: websockets.ConnectionClosed) -> str:
    rcvd = exc.rcvd
    if rcvd is None:
        return "Connection to server lost (no close frame)"
    return (
        f"Connection closed by server (code {rcvd.code}{': ' + rcvd.reason if rcvd.reason else ''})"
    )


def _frame(
    cls: type[FrameSent] | type[FrameReceived], message: dict[str, Any], raw: str | bytes
) -> FrameSent | FrameReceived:
    channel = message.get("channel")
    action = frame_action(message)
    return cls(
        action,
        action_name(action),
        channel if isinstance(channel, str) else None,
        message,
        raw,
        frame_error(message),
    )
