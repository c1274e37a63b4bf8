"""Presence on a channel (RTP): enter/update/leave with ACK/NACK, and the member set kept from
SYNC and PRESENCE messages, so ``get()`` shows who is present and with which clientId.

Like the SDKs (RTP8j), entering without an identity is refused client-side with 91000 unless
``ClientOptions.client_side_checks`` is off, in which case the server's NACK is shown instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from tokenlab.core.errors import AblyError
from tokenlab.core.wire import PRESENCE_ACTION_CODES, PRESENCE_ACTIONS, Action
from tokenlab.realtime.events import PresenceReceived
from tokenlab.realtime.port import ConnectionPort


class ChannelPort(Protocol):
    """What presence needs of its channel: the name, and attaching it first."""

    @property
    def name(self) -> str: ...
    async def attach(self, timeout_ms: int | None = None) -> None: ...


@dataclass(frozen=True)
class PresenceMember:
    client_id: str | None
    connection_id: str | None
    data: Any
    action: str


class Presence:
    def __init__(self, channel: ChannelPort, connection: ConnectionPort) -> None:
        self._channel = channel
        self._conn = connection
        self._members: dict[tuple[str | None, str | None], PresenceMember] = {}
        self._synced = asyncio.Event()

    async def enter(self, data: Any = None, *, client_id: str | None = None) -> None:
        """Enter presence; ``client_id`` enters on behalf of another clientId (RTP14/RTP15),
        which only a wildcard connection may do."""
        await self._send("enter", data, client_id)

    async def update(self, data: Any = None, *, client_id: str | None = None) -> None:
        await self._send("update", data, client_id)

    async def leave(self, data: Any = None, *, client_id: str | None = None) -> None:
        await self._send("leave", data, client_id)

    async def get(self, timeout_ms: int | None = None) -> list[PresenceMember]:
        """The members present once the channel is attached and the SYNC is complete."""
        await self._channel.attach(timeout_ms)
        ms = timeout_ms or self._conn.options.timeouts.realtime_request_timeout
        try:
            async with self._conn.clock.timeout(ms):
                await self._synced.wait()
        except TimeoutError:
            raise AblyError(
                50003,
                f"Presence sync on {self._channel.name!r} did not complete within {ms} ms",
                status=504,
            ) from None
        return sorted(
            self._members.values(), key=lambda m: (m.client_id or "", m.connection_id or "")
        )

    def _check(self, action: str, claimed: str | None) -> None:
        """RTP8j / RTP15f: presence needs an identity; an identified client may not act as
        another clientId. Refusals are reported as ClientRefusal events."""
        own = self._conn.client_id
        if not self._conn.options.client_side_checks:
            return
        err: AblyError | None = None
        if claimed is None and own in (None, "*"):
            err = AblyError(
                91000,
                f"Unable to {action} presence: this connection has no "
                f"clientId of its own ({'wildcard' if own else 'anonymous'})",
                status=400,
                fix="Use a token or key option with a clientId.",
            )
        elif claimed is not None and own not in (None, "*") and claimed != own:
            err = AblyError(
                40012,
                f"Presence clientId {claimed!r} does not match this connection's clientId {own!r}",
                status=400,
            )
        if err is not None:
            channel = self._channel.name
            raise self._conn.refuse("presence", err, channel=channel, client_id=claimed)

    async def _send(self, action: str, data: Any, claimed: str | None = None) -> None:
        self._check(action, claimed)
        await self._channel.attach()
        item: dict[str, Any] = {"action": PRESENCE_ACTION_CODES[action]}
        if data is not None:
            item["data"] = data
        if claimed is not None:
            item["clientId"] = claimed
        await self._conn.send_with_ack(
            {"action": Action.PRESENCE, "channel": self._channel.name, "presence": [item]}
        )

    def _on_attached(self, has_presence: bool) -> None:
        if has_presence:
            self._synced.clear()
        else:
            self._members.clear()
            self._synced.set()

    def _on_frame(self, msg: Mapping[str, Any], *, sync: bool) -> None:
        items = msg.get("presence")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                self._apply(msg, item, sync)
        serial = msg.get("channelSerial")
        if sync and (not isinstance(serial, str) or serial.endswith(":") or ":" not in serial):
            self._synced.set()

    def _apply(self, msg: Mapping[str, Any], item: Mapping[str, Any], sync: bool) -> None:
        code = item.get("action")
        action = (
            PRESENCE_ACTIONS.get(code, f"unknown({code})") if isinstance(code, int) else str(code)
        )
        client_id = item.get("clientId")
        conn_id = item.get("connectionId") or msg.get("connectionId")
        member = PresenceMember(
            client_id if isinstance(client_id, str) else None,
            conn_id if isinstance(conn_id, str) else None,
            item.get("data"),
            action,
        )
        key = (member.client_id, member.connection_id)
        if action in ("leave", "absent"):
            self._members.pop(key, None)
        else:
            self._members[key] = member
        self._conn.emit(
            PresenceReceived(
                self._channel.name,
                action,
                member.client_id,
                member.data,
                member.connection_id,
                sync,
            )
        )
