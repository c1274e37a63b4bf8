"""MESSAGE and PRESENCE frames awaiting ACK/NACK, with their msgSerials (RTN7, RTN19).

Like the SDKs: a publish made while initialized, connecting or disconnected is queued and sent
once connected (RTN7d, ``queueMessages``); one made while suspended, closing, closed or failed
fails at once (80002 / 80017 / 80000). A transient drop keeps what awaits an ACK: after a
resume (same connectionId) it is resent with its original msgSerial, after a new connectionId
msgSerial restarts at 0 and it is resent with a new one (RTN19a, RTN19a2). Pending messages
fail only when the connection becomes suspended (80002), closed (80017) or failed (the
failure's reason, else 80000) (RTN7e). One sender task sends them in msgSerial order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action
from tokenlab.realtime.events import ConnectionState, RefusedOperation
from tokenlab.realtime.port import ConnectionPort
from tokenlab.realtime.protocol import ErrorInfo, frame_error
from tokenlab.realtime.state import TERMINAL, state_error
from tokenlab.realtime.transport import Transport, TransportClosedError

# RTN7e: entering one of these states fails every message still awaiting its ACK/NACK.
FAILS_PENDING: frozenset[ConnectionState] = frozenset({"suspended", "closed", "failed"})


@dataclass(eq=False)
class _Pending:
    message: Mapping[str, Any]
    future: asyncio.Future[None]
    serial: int | None = None
    transport: Transport | None = None  # the transport it was last sent on
    sent_at: float = 0.0  # clock time (ms) of the last send


class PendingMessages:
    """The queue of one connection: send, resend after reconnection, settle on ACK/NACK."""

    def __init__(self, conn: ConnectionPort) -> None:
        self._conn = conn
        self._entries: list[_Pending] = []
        self._next_serial = 0
        self._sender: asyncio.Task[None] | None = None
        conn.add_state_listener(self.on_state)

    def __len__(self) -> int:
        return sum(1 for e in self._entries if not e.future.done())

    @property
    def serials(self) -> list[int | None]:
        """The msgSerials of the messages still awaiting an ACK (None: not sent yet)."""
        return [e.serial for e in self._entries if not e.future.done()]

    async def send(self, message: Mapping[str, Any]) -> None:
        """Send (or queue) ``message`` with the next msgSerial and wait for its ACK; raise the
        NACK's error, the state error, or AblyError 50003 when a sent message gets no answer
        within realtimeRequestTimeout."""
        conn = self._conn
        if conn.state in ("suspended", "closing", *TERMINAL):
            operation: RefusedOperation = (
                "presence" if message.get("action") == Action.PRESENCE else "publish"
            )
            raise conn.refuse(
                operation, state_error(conn.state), channel=_str(message.get("channel"))
            )
        if conn.state == "initialized":
            conn.connect()
        loop = asyncio.get_running_loop()
        entry = _Pending(dict(message), loop.create_future())
        self._entries.append(entry)
        self.kick()
        try:
            await self._wait(entry)
        finally:
            if entry in self._entries:
                self._entries.remove(entry)

    async def _wait(self, entry: _Pending) -> None:
        ms = self._conn.options.timeouts.realtime_request_timeout
        clock = self._conn.clock
        while True:
            sent = entry.transport is not None and entry.transport is self._conn.transport
            left = ms - (clock.monotonic_ms() - entry.sent_at) if sent else ms
            if left <= 0:
                raise AblyError(
                    50003, f"No ACK for msgSerial {entry.serial} within {ms} ms", status=504
                )
            try:
                async with clock.timeout(left):
                    await asyncio.shield(entry.future)
                return
            except TimeoutError:
                continue  # queued while not connected: keep waiting; sent: check the time

    def kick(self) -> None:
        """Send what the current transport has not seen yet (after a publish or CONNECTED)."""
        if self._sender is None or self._sender.done():
            self._sender = self._conn.spawn(self._send_all())

    async def _send_all(self) -> None:
        conn = self._conn
        while True:
            transport = conn.transport
            if conn.state != "connected" or transport is None:
                return
            entry = next(
                (e for e in self._entries if e.transport is not transport and not e.future.done()),
                None,
            )
            if entry is None:
                return
            if entry.serial is None:
                entry.serial = self._next_serial
                self._next_serial += 1
            entry.transport, entry.sent_at = transport, self._conn.clock.monotonic_ms()
            try:
                await transport.send({**entry.message, "msgSerial": entry.serial})
            except TransportClosedError:
                continue  # the run loop sees the drop too; resent after the reconnection

    def on_connected(self, resumed: bool) -> None:
        """A new transport is CONNECTED: a new connectionId restarts msgSerial at 0 and the
        pending messages get new serials (RTN19a2); a resume keeps them. Then resend."""
        if not resumed:
            self._next_serial = 0
            for entry in self._entries:
                entry.serial = None
        self.kick()

    def on_ack(self, msg: Mapping[str, Any], nack: bool) -> None:
        serial, count = msg.get("msgSerial"), msg.get("count", 1)
        if not isinstance(serial, int) or not isinstance(count, int):
            return
        covered = range(serial, serial + max(count, 1))
        error = frame_error(msg) or ErrorInfo(50000, 500, "NACK without an error")
        for entry in self._entries:
            if entry.serial not in covered or entry.future.done():
                continue
            if nack:
                entry.future.set_exception(error.to_exception())
            else:
                entry.future.set_result(None)

    def on_state(self, state: ConnectionState, reason: ErrorInfo | None) -> None:
        """RTN7e: suspended (80002), closed (80017), failed (its reason, else 80000)."""
        if state not in FAILS_PENDING:
            return
        entries, self._entries = self._entries, []
        for entry in entries:
            if not entry.future.done():
                failed = state == "failed" and reason is not None
                error = reason.to_exception() if failed and reason else state_error(state)
                entry.future.set_exception(error)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
