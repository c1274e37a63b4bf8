"""ably-python driven through the behaviours its own test suite checks (issue 12): the same
scenario names and events as js/compat.js, so one test body asserts on both SDKs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ably import AblyRealtime, AblyRest
from ably.types.channeloptions import ChannelOptions
from ably.types.connectionstate import ConnectionState

from tests.interop.pypeer import PyPeer
from tests.interop.pywatch import err_info

CONNECTED_OR_FAILED = {"connected", "failed"}


class CompatPeer(PyPeer):
    def _expiry_options(self) -> dict[str, Any]:
        o = dict(self.common)
        if "clientId" in self.cfg:
            o["client_id"] = self.cfg["clientId"]
        if self.cfg["mode"] == "callback":

            async def callback(_token_params: Any) -> Any:
                self.callback_calls += 1
                params = {"ttl": self.cfg["ttl"], "client_id": self.cfg.get("clientId")}
                td = await self.signer.auth.request_token(params)
                return td.token if self.cfg.get("asString") else td

            o["auth_callback"] = callback
        return o

    async def expiry(self) -> None:
        """See js/compat.js ``expiry``."""
        o = self._expiry_options()
        if self.cfg["mode"] in ("token", "tokenDetails"):
            params: dict[str, Any] = {"ttl": self.cfg["ttl"]}
            if "clientId" in self.cfg:
                params["client_id"] = self.cfg["clientId"]
            td = await self.signer.auth.request_token(params)
            if self.cfg["mode"] == "token":
                o["token"] = td.token
            else:
                o.update(token_details=td, query_time=True)
        rt, watch = self.new_client(o)
        up = await watch.until(_state_in(CONNECTED_OR_FAILED), 0, 8, "connect")
        first = _connection_id(rt)
        self.emit("connected", state=watch.seen[up].current.value, connectionId=first)
        wait = self.cfg["ttl"] / 1000 + 8
        down = await watch.until(lambda sc: sc.current.value != "connected", up + 1, wait, "expiry")
        self.emit(
            "expired",
            state=watch.seen[down].current.value,
            reason=err_info(watch.seen[down].reason),
        )
        after = down
        if watch.seen[down].current.value != "failed":
            after = await watch.until(_state_in(CONNECTED_OR_FAILED), down + 1, 10, "after")
        self.emit(
            "after",
            state=watch.seen[after].current.value,
            reason=err_info(watch.seen[after].reason),
            before=first,
            connectionId=_connection_id(rt),
            callbacks=self.callback_calls,
            changes=[sc.current.value for sc in watch.seen],
        )
        await self.close_client(rt)

    async def _listen(
        self, rt: AblyRealtime, names: list[str]
    ) -> tuple[dict[str, list[Any]], dict[str, list[bool]]]:
        received: dict[str, list[Any]] = {}
        attached: dict[str, list[bool]] = {}
        for name in names:
            channel = rt.channels.get(name)
            received[name], attached[name] = [], []
            channel.on("attached", lambda sc, n=name: attached[n].append(sc.resumed))
            await asyncio.wait_for(
                channel.subscribe(lambda m, n=name: received[n].append(m.data)), 5
            )
        return received, attached

    async def _publish_all(self, names: list[str], prefix: str, count: int) -> None:
        # Token auth: both SDKs refuse Basic auth over plain HTTP (40103).
        rest = AblyRest(key=self.cfg["key"], use_token_auth=True, **self.common)
        try:
            for index in range(count):
                for name in names:
                    await rest.channels.get(name).publish("m", f"{prefix} {index}")
        finally:
            await rest.close()

    async def resume_active(self) -> None:
        """See js/compat.js ``resume_active``; the drop is the one ably-python's own
        test_resume_receives_channel_messages_while_disconnected makes (RAW: internals)."""
        names, count = self.cfg["channels"], self.cfg["count"]
        rt, watch = await self.connect("key")
        received, attached = await self._listen(rt, names)
        await self._publish_all(names, "before", 1)
        await _until(lambda: all(len(received[n]) == 1 for n in names), 5, "before")
        first = _connection_id(rt)
        manager = rt.connection.connection_manager
        await manager.transport.dispose()
        manager.notify_state(ConnectionState.DISCONNECTED, retry_immediately=False)
        await self._publish_all(names, "missed", count)
        start = len(watch.seen)
        rt.connect()
        await watch.until(_state_in({"connected"}), start, 8, "reconnected")
        await self._publish_all(names, "live", 1)
        await _until(lambda: all(len(received[n]) == count + 2 for n in names), 8, "all")
        self.emit(
            "resumed", before=first, after=_connection_id(rt), received=received, attached=attached
        )
        await self.close_client(rt)

    async def history(self) -> None:
        """See js/compat.js ``history``."""
        name, count = self.cfg["channel"], self.cfg["count"]
        await self._publish_all([name], "m", count)
        rest = AblyRest(key=self.cfg["key"], use_token_auth=True, **self.common)
        try:
            pages: dict[str, list[list[Any]]] = {}
            for direction in ("backwards", "forwards"):
                pages[direction] = []
                page = await rest.channels.get(name).history(limit=2, direction=direction)
                while True:
                    pages[direction].append([m.data for m in page.items])
                    if not page.has_next():
                        break
                    page = await page.next()
            self.cfg["clientId"] = "historian"
            rt, _ = await self.connect("key")
            channel = rt.channels.get(f"{name}-presence")
            await asyncio.wait_for(channel.attach(), 5)
            await asyncio.wait_for(channel.presence.enter("here"), 5)
            await asyncio.wait_for(channel.presence.leave("gone"), 5)
            presence = await rest.channels.get(f"{name}-presence").presence.history()
            options = ChannelOptions(params={"rewind": "2", "unknown": "x"})
            rewound = rt.channels.get(name, options)
            got: list[Any] = []
            await asyncio.wait_for(rewound.subscribe(lambda m: got.append(m.data)), 5)
            await _until(lambda: len(got) == 2, 5, "rewind messages")
            self.emit(
                "history",
                pages=pages,
                presence=[[int(p.action), p.client_id, p.data] for p in presence.items],
                rewind={"got": got, "params": rewound.params},
            )
            await self.close_client(rt)
        finally:
            await rest.close()

    async def channel_modes(self) -> None:
        """The part of js/compat.js ``channel_modes`` ably-python has API for."""
        rt, _ = await self.connect("key")
        bad = rt.channels.get(":hell")
        try:
            await asyncio.wait_for(bad.attach(), 5)
            invalid: Any = "ok"
        except Exception as e:
            invalid = getattr(e, "code", repr(e))
        await asyncio.sleep(0.3)
        self.emit("modes", invalid=invalid, connection=rt.connection.state.value)
        await self.close_client(rt)

    async def bad_key(self) -> None:
        """See js/compat.js ``bad_key`` (ably-python's realtimeauth invalid-key tests)."""
        rt, watch = self.new_client(dict(self.common, key=self.cfg["badKey"]))
        index = await watch.until(_state_in(CONNECTED_OR_FAILED), 0, 8, "outcome")
        sc = watch.seen[index]
        self.emit("outcome", state=sc.current.value, reason=err_info(sc.reason))
        await self.close_client(rt)

    async def tls_basic(self) -> None:
        """See js/compat.js ``tls_basic`` (trust through SSL_CERT_FILE)."""
        rest = AblyRest(key=self.cfg["key"], **self.common)
        try:
            await rest.channels.get("secure").publish("n", "over tls")
            history = await rest.channels.get("secure").history()
        finally:
            await rest.close()
        rt, _ = await self.connect("key")
        self.emit("tls", history=[m.data for m in history.items], state=rt.connection.state.value)
        await self.close_client(rt)


async def _until(pred: Callable[[], bool], timeout_s: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not pred():
        if loop.time() > deadline:
            raise TimeoutError(f"timeout after {timeout_s} s: {what}")
        await asyncio.sleep(0.02)


def _state_in(states: set[str]) -> Any:
    return lambda sc: sc.current.value in states


def _connection_id(rt: AblyRealtime) -> str | None:
    value: str | None = rt.connection.connection_manager.connection_id
    return value
