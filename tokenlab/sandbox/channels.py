"""Channels: attachments, message fan-out, presence sets, presence SYNC and recent history.

Channels are scoped by app. A peer (a realtime session) is attached with the channel modes it
was granted; messages go to attached peers holding the SUBSCRIBE mode and the ``subscribe``
capability (checked at delivery time, so an in-band capability downgrade takes effect at once),
presence events to those holding PRESENCE_SUBSCRIBE. Each frame is encoded once per wire format.
History (messages and presence events) is in memory, in a ``HistoryLog`` per channel: the last
``HISTORY_LIMIT`` items, at most ``history_max_bytes`` of them, for the ``history_max_channels``
most recently used channels (the resume backlog is capped the same way).

Continuity (RTL15b, RTL4c1, RTN15c6): every MESSAGE and PRESENCE frame carries a channelSerial
``<epoch>@<n>`` and is kept in a bounded per-channel backlog. An ATTACH naming a serial of this
channel whose successors are all still in the backlog is a resumed attach: ATTACHED carries the
RESUMED flag and the frames the client missed follow, in order, once each. The epoch is random
per channel instance, so serials from before a restart never count as continuity.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tokenlab.core.wire import Action, Flag, Frame, PresenceAction
from tokenlab.sandbox.history import HistoryLog, HistoryQuery
from tokenlab.sandbox.link import Link, jsonable
from tokenlab.sandbox.protocol import encode_frame, message_size

BACKLOG_FRAMES = 1_000
SEEN_IDS = 10_000  # message ids remembered per channel for idempotent publishing (RSL1k)
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
    extras: Any = None

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
        if self.extras is not None:
            out["extras"] = self.extras
        return out


@dataclass
class Channel:
    app_id: str
    name: str
    attached: dict[str, tuple[Peer, int]] = field(default_factory=dict)
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    history: HistoryLog = field(default_factory=HistoryLog)
    presence_history: HistoryLog = field(default_factory=HistoryLog)
    serial: int = 0
    epoch: str = "0"
    # (serial, frame, mode a peer needs to receive it, bytes) for resumed attaches
    backlog: deque[tuple[int, Frame, int, int]] = field(
        default_factory=lambda: deque(maxlen=BACKLOG_FRAMES)
    )
    backlog_bytes: int = 0
    seen_ids: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def first_seen(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages whose id was not published before (idempotent publishing, RSL1k,
        RTL6a): a repeated id is delivered and stored once."""
        fresh = []
        for message in messages:
            if message["id"] in self.seen_ids:
                continue
            self.seen_ids[message["id"]] = None
            fresh.append(message)
        while len(self.seen_ids) > SEEN_IDS:
            self.seen_ids.popitem(last=False)
        return fresh

    def serial_text(self, serial: int) -> str:
        return f"{self.epoch}@{serial:08d}"

    def next_serial(self) -> str:
        self.serial += 1
        return self.serial_text(self.serial)

    def resume_point(self, channel_serial: object) -> int | None:
        """The serial a client's ``channelSerial`` names when every later frame is still in the
        backlog (continuity can be kept), else None."""
        if not isinstance(channel_serial, str):
            return None
        epoch, _, number = channel_serial.partition("@")
        if epoch != self.epoch or not number.isdigit():
            return None
        serial = int(number)
        oldest = self.backlog[0][0] if self.backlog else self.serial + 1
        return serial if oldest - 1 <= serial <= self.serial else None


class ChannelHub:
    def __init__(
        self,
        now_ms: Callable[[], int],
        new_epoch: Callable[[], str] = str,
        *,
        history_max_bytes: int = HISTORY_MAX_BYTES,
        history_max_channels: int = HISTORY_MAX_CHANNELS,
    ) -> None:
        self._now_ms = now_ms
        self._new_epoch = new_epoch
        self._channels: dict[tuple[str, str], Channel] = {}
        self._sync_seq = 0
        self._history_max_bytes = history_max_bytes
        self._history_max_channels = history_max_channels
        self._with_history: OrderedDict[tuple[str, str], None] = OrderedDict()  # LRU order

    def channel(self, app_id: str, name: str) -> Channel:
        key = (app_id, name)
        found = self._channels.get(key)
        if found is None:
            found = self._channels[key] = Channel(app_id, name, epoch=self._new_epoch())
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

    def sync_frame(self, channel: Channel, *, always: bool = False) -> Frame | None:
        """The SYNC sent after ATTACHED when the channel has members (one page, empty cursor),
        or ``always`` (a client's SYNC request, RTP19 context)."""
        if not channel.members and not always:
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
        messages = channel.first_seen(messages)
        if not messages:
            return
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
        self._add_backlog(channel, frame, Flag.SUBSCRIBE, messages)
        self._fanout(channel, frame, Flag.SUBSCRIBE, exclude)

    def _keep(self, channel: Channel, messages: list[dict[str, Any]]) -> None:
        """Add to history within the caps (``HistoryLog``), and keep history for at most
        ``history_max_channels`` channels (the least recently published lose theirs, and
        their backlog), so a flood of channels cannot exhaust memory."""
        channel.history.extend(messages, self._history_max_bytes)
        key = (channel.app_id, channel.name)
        self._with_history[key] = None
        self._with_history.move_to_end(key)
        while len(self._with_history) > self._history_max_channels:
            old_key, _ = self._with_history.popitem(last=False)
            old = self._channels.get(old_key)
            if old is not None:
                old.history.clear()
                old.presence_history.clear()
                old.backlog.clear()
                old.backlog_bytes = 0
                if not old.attached and not old.members:
                    del self._channels[old_key]

    def _add_backlog(self, channel: Channel, frame: Frame, mode: int, items: list[Any]) -> None:
        size = sum(message_size(m) for m in items)
        if len(channel.backlog) == channel.backlog.maxlen:
            channel.backlog_bytes -= channel.backlog[0][3]
        channel.backlog.append((channel.serial, frame, mode, size))
        channel.backlog_bytes += size
        while channel.backlog_bytes > self._history_max_bytes and len(channel.backlog) > 1:
            channel.backlog_bytes -= channel.backlog.popleft()[3]

    def history(
        self, app_id: str, name: str, query: HistoryQuery, *, presence: bool = False
    ) -> tuple[list[dict[str, Any]], HistoryQuery | None]:
        """One page of message (or presence) history and the query of the next page."""
        channel = self._channels.get((app_id, name))
        if channel is None:
            return [], None
        return (channel.presence_history if presence else channel.history).page(query)

    # -- presence ---------------------------------------------------------------------------
    def presence(
        self, app_id: str, name: str, items: Iterable[tuple[PresenceAction, Member]]
    ) -> None:
        channel = self.channel(app_id, name)
        events = [e for action, member in items if (e := self._apply(channel, action, member))]
        channel.presence_history.extend(events, self._history_max_bytes)
        if events:
            frame: Frame = {
                "action": int(Action.PRESENCE),
                "channel": name,
                "channelSerial": channel.next_serial(),
                "presence": events,
            }
            self._add_backlog(channel, frame, Flag.PRESENCE_SUBSCRIBE, events)
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
        channel.presence_history.extend(  # fixtures are in presence history too, as on Ably
            [member.wire(PresenceAction.ENTER)], self._history_max_bytes
        )

    # -- delivery ---------------------------------------------------------------------------
    @staticmethod
    def catch_up(channel: Channel, peer: Peer, modes: int, after: int) -> None:
        """Send ``peer`` the backlog frames after serial ``after`` that it may receive."""
        link = peer.link
        if link is None or not link.alive or not peer.can(channel.name, "subscribe"):
            return
        for serial, frame, mode, _ in list(channel.backlog):
            if serial <= after or not modes & mode:
                continue
            own = frame.get("connectionId") == peer.connection_id
            if mode == Flag.SUBSCRIBE and own and not link.echo:
                continue
            link.send(frame)

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
        # A synthesized event: its id must not start with the connectionId (RTP2b1), so SDKs
        # order it by timestamp rather than parse it as connectionId:msgSerial:index.
        id=f"synthesized-leave:{member.connection_id}:{now}",
        timestamp=now,
        data=member.data,
        encoding=member.encoding,
        extras=member.extras,
    )
