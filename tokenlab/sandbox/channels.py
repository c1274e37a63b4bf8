"""Channels: attachments, message fan-out, presence sets, presence SYNC and recent history.

Channels are scoped by app. A peer (a realtime session) is attached with the channel modes it
was granted; messages go to attached peers holding the SUBSCRIBE mode and the ``subscribe``
capability (checked at delivery time, so an in-band capability downgrade takes effect at once),
presence events to those holding PRESENCE_SUBSCRIBE. Each frame is encoded once per wire format.
History is in memory: the last ``HISTORY_LIMIT`` messages per channel, at most
``history_max_bytes`` of them, for the ``history_max_channels`` most recently used channels.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tokenlab.core.wire import Action, Flag, Frame, PresenceAction
from tokenlab.sandbox.link import Link, jsonable
from tokenlab.sandbox.protocol import encode_frame, message_size

HISTORY_LIMIT = 200
HISTORY_MAX_BYTES = 1_048_576
HISTORY_MAX_CHANNELS = 1_000
FIXTURE_CONNECTION = "fixture"


class Peer(Protocol):
    @property
    def connection_id(self) -> str: ...

    @property
    def link(self) -> Link | None: ...

    def can(self, channel: str, operation: str) -> bool: ...


@dataclass
class Member:
    client_id: str
    connection_id: str
    id: str
    timestamp: int
    data: Any = None
    encoding: str | None = None

    def wire(self, action: PresenceAction) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": int(action),
            "clientId": self.client_id,
            "connectionId": self.connection_id,
            "id": self.id,
            "timestamp": self.timestamp,
        }
        if self.data is not None:
            out["data"] = self.data
        if self.encoding:
            out["encoding"] = self.encoding
        return out


@dataclass
class Channel:
    app_id: str
    name: str
    attached: dict[str, tuple[Peer, int]] = field(default_factory=dict)
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY_LIMIT))
    serial: int = 0
    history_sizes: deque[int] = field(default_factory=deque)  # parallel to history
    history_bytes: int = 0

    def next_serial(self) -> str:
        self.serial += 1
        return f"{self.serial:08d}"


class ChannelHub:
    def __init__(
        self,
        now_ms: Callable[[], int],
        *,
        history_max_bytes: int = HISTORY_MAX_BYTES,
        history_max_channels: int = HISTORY_MAX_CHANNELS,
    ) -> None:
        self._now_ms = now_ms
        self._channels: dict[tuple[str, str], Channel] = {}
        self._sync_seq = 0
        self._history_max_bytes = history_max_bytes
        self._history_max_channels = history_max_channels
        self._with_history: OrderedDict[tuple[str, str], None] = OrderedDict()  # LRU order

    def channel(self, app_id: str, name: str) -> Channel:
        key = (app_id, name)
        found = self._channels.get(key)
        if found is None:
            found = self._channels[key] = Channel(app_id, name)
        return found

    def find(self, app_id: str, name: str) -> Channel | None:
        return self._channels.get((app_id, name))

    def drop_app(self, app_id: str) -> None:
        for key in [k for k in self._channels if k[0] == app_id]:
            del self._channels[key]
            self._with_history.pop(key, None)

    # -- attach / detach --------------------------------------------------------------------
    def attach(self, app_id: str, name: str, peer: Peer, modes: int) -> Channel:
        channel = self.channel(app_id, name)
        channel.attached[peer.connection_id] = (peer, modes)
        return channel

    def detach(self, app_id: str, name: str, connection_id: str) -> None:
        channel = self._channels.get((app_id, name))
        if channel is not None:
            channel.attached.pop(connection_id, None)

    def sync_frame(self, channel: Channel) -> Frame | None:
        """The SYNC sent after ATTACHED when the channel has members (one page, empty cursor)."""
        if not channel.members:
            return None
        self._sync_seq += 1
        return {
            "action": int(Action.SYNC),
            "channel": channel.name,
            "channelSerial": f"sync{self._sync_seq}:",
            "presence": [m.wire(PresenceAction.PRESENT) for m in channel.members.values()],
        }

    # -- messages ---------------------------------------------------------------------------
    def publish(
        self, app_id: str, name: str, messages: list[dict[str, Any]], *, sender: Peer | None
    ) -> None:
        channel = self.channel(app_id, name)
        self._keep(channel, messages)
        first = messages[0]
        frame: Frame = {
            "action": int(Action.MESSAGE),
            "channel": name,
            "channelSerial": channel.next_serial(),
            "id": first["id"].rsplit(":", 1)[0],
            "timestamp": first["timestamp"],
            "messages": messages,
        }
        if first.get("connectionId"):
            frame["connectionId"] = first["connectionId"]
        exclude = None
        if sender is not None and sender.link is not None and not sender.link.echo:
            exclude = sender.connection_id
        self._fanout(channel, frame, Flag.SUBSCRIBE, exclude)

    def _keep(self, channel: Channel, messages: list[dict[str, Any]]) -> None:
        """Add to history within the caps: ``HISTORY_LIMIT`` messages and ``history_max_bytes``
        per channel, and history for at most ``history_max_channels`` channels (the least
        recently published lose theirs), so a flood of channels cannot exhaust memory."""
        for message in messages:
            if len(channel.history) == channel.history.maxlen:
                channel.history_bytes -= channel.history_sizes.popleft()
            size = message_size(message)
            channel.history.append(message)
            channel.history_sizes.append(size)
            channel.history_bytes += size
        while channel.history_bytes > self._history_max_bytes and len(channel.history) > 1:
            channel.history.popleft()
            channel.history_bytes -= channel.history_sizes.popleft()
        key = (channel.app_id, channel.name)
        self._with_history[key] = None
        self._with_history.move_to_end(key)
        while len(self._with_history) > self._history_max_channels:
            old_key, _ = self._with_history.popitem(last=False)
            old = self._channels.get(old_key)
            if old is not None:
                old.history.clear()
                old.history_sizes.clear()
                old.history_bytes = 0
                if not old.attached and not old.members:
                    del self._channels[old_key]

    def history(self, app_id: str, name: str, limit: int) -> list[dict[str, Any]]:
        channel = self._channels.get((app_id, name))
        if channel is None:
            return []
        return list(reversed(channel.history))[:limit]

    # -- presence ---------------------------------------------------------------------------
    def presence(
        self, app_id: str, name: str, items: Iterable[tuple[PresenceAction, Member]]
    ) -> None:
        channel = self.channel(app_id, name)
        events = [e for action, member in items if (e := self._apply(channel, action, member))]
        if events:
            frame: Frame = {
                "action": int(Action.PRESENCE),
                "channel": name,
                "channelSerial": channel.next_serial(),
                "presence": events,
            }
            self._fanout(channel, frame, Flag.PRESENCE_SUBSCRIBE, None)

    @staticmethod
    def _apply(channel: Channel, action: PresenceAction, member: Member) -> dict[str, Any] | None:
        key = (member.connection_id, member.client_id)
        if action == PresenceAction.LEAVE:
            gone = channel.members.pop(key, None)
            if gone is None:
                return None
            if member.data is None:
                member.data, member.encoding = gone.data, gone.encoding
            return member.wire(PresenceAction.LEAVE)
        present = key in channel.members
        channel.members[key] = member
        return member.wire(PresenceAction.UPDATE if present else PresenceAction.ENTER)

    def members(self, app_id: str, name: str) -> list[dict[str, Any]]:
        channel = self._channels.get((app_id, name))
        if channel is None:
            return []
        return [m.wire(PresenceAction.PRESENT) for m in channel.members.values()]

    def leave_connection(self, connection_id: str) -> None:
        """Remove every presence member of a discarded connection, broadcasting LEAVEs."""
        now = self._now_ms()
        for channel in list(self._channels.values()):
            gone = [m for (cid, _), m in channel.members.items() if cid == connection_id]
            if gone:
                self.presence(
                    channel.app_id,
                    channel.name,
                    [(PresenceAction.LEAVE, _leave(m, now)) for m in gone],
                )

    def add_fixture(self, app_id: str, name: str, client_id: str, data: Any, enc: Any) -> None:
        channel = self.channel(app_id, name)
        member = Member(
            client_id=client_id,
            connection_id=FIXTURE_CONNECTION,
            id=f"{FIXTURE_CONNECTION}:{len(channel.members)}:0",
            timestamp=self._now_ms(),
            data=data,
            encoding=enc if isinstance(enc, str) else None,
        )
        channel.members[(FIXTURE_CONNECTION, client_id)] = member

    # -- delivery ---------------------------------------------------------------------------
    @staticmethod
    def _fanout(channel: Channel, frame: Frame, mode: int, exclude: str | None) -> None:
        encoded: dict[str, str | bytes] = {}
        for conn_id, (peer, modes) in list(channel.attached.items()):
            link = peer.link
            if conn_id == exclude or link is None or not link.alive or not modes & mode:
                continue
            if not peer.can(channel.name, "subscribe"):
                continue
            data = encoded.get(link.fmt)
            if data is None:
                source = jsonable(frame) if link.fmt == "json" else frame
                data = encoded[link.fmt] = encode_frame(source, link.fmt)
            link.send_encoded(data)


def _leave(member: Member, now: int) -> Member:
    return Member(
        client_id=member.client_id,
        connection_id=member.connection_id,
        id=f"{member.connection_id}:leave:{now}",
        timestamp=now,
        data=member.data,
        encoding=member.encoding,
    )
