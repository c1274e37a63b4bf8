"""Channels on a realtime connection: attach/detach, publish, subscribe (RTL2-RTL6).

Enough of RTL to show identity and capability at work: channel states with reasons (an
ATTACH refused with 40160 puts the channel in FAILED while the connection stays up; a reauth
that drops a channel's capability arrives as a channel ERROR), publishing with an optional
explicit clientId (ACK/NACK), and incoming messages as events. Presence lives in presence.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action, Flag
from tokenlab.realtime.events import (
    ChannelState,
    ChannelStateChanged,
    ConnectionState,
    MessageReceived,
)
from tokenlab.realtime.port import ConnectionPort
from tokenlab.realtime.presence import Presence
from tokenlab.realtime.protocol import ErrorInfo, frame_action, frame_error
from tokenlab.realtime.state import REFUSED_STATE_CODES

MessageListener = Callable[[MessageReceived], None]


def encode_data(data: Any, fmt: str) -> tuple[Any, str | None]:
    """Message data and its ``encoding`` for the wire (RSL4)."""
    if data is None or isinstance(data, str):
        return data, None
    if isinstance(data, bytes | bytearray):
        if fmt == "msgpack":
            return bytes(data), None
        return base64.b64encode(data).decode("ascii"), "base64"
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False), "json"


def decode_data(data: Any, encoding: object) -> Any:
    """Undo ``encoding`` steps (``json``, ``base64``, ``utf-8``), last first; unknown steps stop
    decoding and leave the data as it is."""
    if not isinstance(encoding, str) or not encoding:
        return data
    for step in reversed(encoding.split("/")):
        try:
            if step == "json":
                data = json.loads(data)
            elif step == "base64":
                data = base64.b64decode(data)
            elif step == "utf-8" and isinstance(data, bytes):
                data = data.decode("utf-8")
            else:
                return data
        except (ValueError, TypeError):
            return data
    return data


class Channel:
    """One channel on a connection."""

    def __init__(self, connection: ConnectionPort, name: str) -> None:
        self.name = name
        self.state: ChannelState = "initialized"
        self.error_reason: ErrorInfo | None = None
        self.flags = 0
        self.channel_serial: str | None = None  # RTL15b: the last one the server sent
        self._conn = connection
        self._listeners: list[MessageListener] = []
        self._waiters: list[asyncio.Future[None]] = []
        self.presence = Presence(self, connection)

    # -- public --------------------------------------------------------------------------------

    async def attach(self, timeout_ms: int | None = None) -> None:
        """ATTACH and wait for ATTACHED; AblyError (e.g. 40160) if the server refuses."""
        if self.state == "attached":
            return
        try:
            await self._conn.wait_connected(timeout_ms)
        except AblyError as err:
            if err.ably_code in REFUSED_STATE_CODES:
                raise self._conn.refuse("attach", err, channel=self.name) from None
            raise
        self._set_state("attaching")
        await self._request({"action": Action.ATTACH, "channel": self.name}, timeout_ms)

    async def detach(self, timeout_ms: int | None = None) -> None:
        if self.state in ("initialized", "detached", "failed"):
            self._set_state("detached")
            return
        self._set_state("detaching")
        await self._request({"action": Action.DETACH, "channel": self.name}, timeout_ms)

    async def publish(
        self, name: str | None = None, data: Any = None, *, client_id: str | None = None
    ) -> None:
        """Publish one message and wait for its ACK; AblyError from the NACK (40160, 40012)."""
        self._check_client_id(client_id)
        payload, encoding = encode_data(data, self._conn.options.format)
        message: dict[str, Any] = {"name": name, "data": payload}
        if encoding:
            message["encoding"] = encoding
        if client_id is not None:
            message["clientId"] = client_id
        message = {k: v for k, v in message.items() if v is not None}
        await self._conn.send_with_ack(
            {"action": Action.MESSAGE, "channel": self.name, "messages": [message]}
        )

    def subscribe(self, listener: MessageListener) -> Callable[[], None]:
        """Call ``listener`` for each message (also reported as MessageReceived events)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- internals -----------------------------------------------------------------------------

    def _check_client_id(self, client_id: str | None) -> None:
        """RTL6g: an identified client may not publish as someone else (client-side 40012)."""
        own = self._conn.client_id
        if client_id is None or not self._conn.options.client_side_checks:
            return
        if own not in (None, "*") and client_id != own:
            err = AblyError(
                40012,
                f"Message clientId {client_id!r} does not match this connection's clientId {own!r}",
                status=400,
            )
            raise self._conn.refuse("publish", err, channel=self.name, client_id=client_id)

    async def _request(self, message: Mapping[str, Any], timeout_ms: int | None) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        ms = timeout_ms or self._conn.options.timeouts.realtime_request_timeout
        try:
            await self._conn.send(message)
            async with self._conn.clock.timeout(ms):
                await fut
        except TimeoutError:
            raise AblyError(
                50003, f"Channel {self.name!r}: no answer within {ms} ms", status=504
            ) from None
        finally:
            if fut in self._waiters:
                self._waiters.remove(fut)

    def _settle(self, error: ErrorInfo | None) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if fut.done():
                continue
            if error is None:
                fut.set_result(None)
            else:
                fut.set_exception(error.to_exception())

    def _set_state(
        self, new: ChannelState, reason: ErrorInfo | None = None, resumed: bool = False
    ) -> None:
        previous = self.state
        if previous == new and reason is None:
            return
        self.state = new
        if reason is not None or new == "attached":
            self.error_reason = reason
        self._conn.emit(ChannelStateChanged(self.name, previous, new, reason, resumed))

    def _on_frame(self, msg: Mapping[str, Any]) -> None:
        action = frame_action(msg)
        error = frame_error(msg)
        serial = msg.get("channelSerial")
        if action in (Action.ATTACHED, Action.MESSAGE, Action.PRESENCE) and isinstance(serial, str):
            self.channel_serial = serial
        if action == Action.ATTACHED:
            self._on_attached(msg, error)
        elif action == Action.DETACHED:
            self._on_detached(error)
        elif action == Action.ERROR:
            self._set_state("failed", error)
            self._settle(error or ErrorInfo(90001, 404, "Channel error"))
        elif action == Action.MESSAGE:
            self._on_messages(msg)
        elif action in (Action.PRESENCE, Action.SYNC):
            self.presence._on_frame(msg, sync=action == Action.SYNC)

    def _on_attached(self, msg: Mapping[str, Any], error: ErrorInfo | None) -> None:
        flags = msg.get("flags")
        self.flags = flags if isinstance(flags, int) else 0
        resumed = bool(self.flags & Flag.RESUMED)
        if self.state == "attached" and error is None:
            return
        self._set_state("attached", error, resumed)
        self.presence._on_attached(bool(self.flags & Flag.HAS_PRESENCE))
        self._settle(None)

    def _on_detached(self, error: ErrorInfo | None) -> None:
        if self.state == "detaching":
            self._set_state("detached", error)
            self._settle(None)
            return
        # RTL13: an unsolicited DETACHED; report it and let the caller decide to reattach.
        self._set_state("detached", error or ErrorInfo(90001, 404, "Detached by the server"))
        self._settle(error or ErrorInfo(90001, 404, "Detached by the server"))

    def _on_messages(self, msg: Mapping[str, Any]) -> None:
        messages = msg.get("messages")
        if not isinstance(messages, list):
            return
        for index, item in enumerate(messages):
            if isinstance(item, dict):
                self._deliver(msg, item, index)

    def _deliver(self, msg: Mapping[str, Any], item: Mapping[str, Any], index: int) -> None:
        conn_id = item.get("connectionId") or msg.get("connectionId")
        msg_id = item.get("id") or (f"{msg['id']}:{index}" if msg.get("id") else None)
        timestamp = item.get("timestamp") or msg.get("timestamp")
        event = MessageReceived(
            channel=self.name,
            name=item.get("name"),
            data=decode_data(item.get("data"), item.get("encoding")),
            client_id=item.get("clientId"),
            connection_id=conn_id if isinstance(conn_id, str) else None,
            message_id=msg_id if isinstance(msg_id, str) else None,
            timestamp=timestamp if isinstance(timestamp, int) else None,
        )
        self._conn.emit(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug must not break the connection
                self._conn.log_listener_error(listener)


class Channels:
    """The channels of one connection, by name."""

    def __init__(self, connection: ConnectionPort) -> None:
        self._conn = connection
        self._channels: dict[str, Channel] = {}
        connection.add_state_listener(self.on_connection_state)

    def get(self, name: str) -> Channel:
        if name not in self._channels:
            self._channels[name] = Channel(self._conn, name)
        return self._channels[name]

    def __contains__(self, name: object) -> bool:
        return name in self._channels

    def __iter__(self) -> Iterator[Channel]:
        return iter(list(self._channels.values()))

    def dispatch(self, msg: Mapping[str, Any]) -> None:
        name = msg.get("channel")
        if isinstance(name, str) and name in self._channels:
            self._channels[name]._on_frame(msg)

    def on_connected(self, resumed: bool) -> None:
        """RTN15c6/c7: re-attach channels on every new transport, naming the last channelSerial
        (RTL4c1) so the server can resume them (RESUMED) and send what was missed. After a
        resume an attached channel stays attached meanwhile."""
        for channel in self:
            if channel.state in ("attached", "attaching", "suspended"):
                if not (resumed and channel.state == "attached"):
                    channel._set_state("attaching")
                self._conn.spawn(self._reattach(channel))

    async def _reattach(self, channel: Channel) -> None:
        frame: dict[str, Any] = {"action": Action.ATTACH, "channel": channel.name}
        if channel.channel_serial is not None:
            frame["channelSerial"] = channel.channel_serial
        # A refusal is not an error here: the channel state and its reason tell the story.
        with contextlib.suppress(AblyError):
            await channel._request(frame, None)

    def on_connection_state(self, state: ConnectionState, reason: ErrorInfo | None) -> None:
        """RTL3: suspended -> attached channels suspended; failed/closed -> failed/detached."""
        target: dict[str, ChannelState] = {
            "suspended": "suspended",
            "failed": "failed",
            "closed": "detached",
        }
        new = target.get(state)
        if new is None:
            return
        for channel in self:
            if channel.state in ("attached", "attaching", "detaching"):
                channel._set_state(new, reason)
                channel._settle(reason or ErrorInfo(80000, 400, f"Connection {state}"))
