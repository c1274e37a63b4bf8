"""Messages awaiting ACK survive a transient drop (RTN19a), publishes made while not connected
are queued (RTN7d), and pending messages fail with the connection state (RTN7e)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.conftest import Recorder, connected, options, sandbox_config
from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action
from tokenlab.realtime import Connection, IssuerAuth, KeyAuth, Timeouts
from tokenlab.realtime.channels import Channel
from tokenlab.realtime.events import Event, FrameSent, MessageReceived, StateChanged
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.history import HistoryQuery


def _sent_serials(rec: Recorder, name: str) -> list[int]:
    """msgSerials of the MESSAGE frames sent for the message called ``name``."""
    return [
        f.message["msgSerial"]
        for f in rec.bodies(FrameSent)
        if f.action == Action.MESSAGE and f.message["messages"][0].get("name") == name
    ]


def _on_message_sent(conn: Connection, name: str, action: Callable[[], Any]) -> Callable[[], None]:
    """Call ``action`` once, synchronously, when the MESSAGE frame for ``name`` is handed to
    the socket: before the server can have answered it."""
    done = False

    def listener(event: Event) -> None:
        nonlocal done
        body = event.body
        if done or event.connection != conn.name or not isinstance(body, FrameSent):
            return
        if body.action == Action.MESSAGE and body.message["messages"][0].get("name") == name:
            done = True
            action()

    return conn.stream.add_listener(listener)


async def _subscriber(sb: Sandbox, channel: str) -> tuple[Connection, list[MessageReceived]]:
    sub = await connected(Connection("sub", options(sb, KeyAuth(sb.demo_keys["full"]))))
    got: list[MessageReceived] = []
    ch = sub.channels.get(channel)
    ch.subscribe(got.append)
    await ch.attach()
    return sub, got


async def _received(got: list[MessageReceived], name: str, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not any(m.name == name for m in got):
            await asyncio.sleep(0.01)


async def _names_after_marker(pub: Channel, got: list[MessageReceived]) -> list[str | None]:
    """Publish a marker and wait for it: the channel keeps order, so everything published
    before it (and any duplicate) has arrived by then."""
    await pub.publish("marker", "m")
    await _received(got, "marker")
    return [m.name for m in got]


async def test_publish_in_flight_is_resent_after_resume(sandbox: Sandbox) -> None:
    sub, got = await _subscriber(sandbox, "room")
    pub = await connected(Connection("pub", options(sandbox, KeyAuth(sandbox.demo_keys["full"]))))
    rec = Recorder(pub.stream)
    try:
        channel = pub.channels.get("room")
        await channel.publish("first", 1)
        conn_id = pub.connection_id
        # The socket is aborted as the MESSAGE is handed to it: it never reaches the server.
        _on_message_sent(pub, "second", pub.simulate_network_drop)
        await channel.publish("second", 2)
        assert pub.connection_id == conn_id  # resumed
        assert [(s.previous, s.current) for s in rec.bodies(StateChanged)][-2:] == [
            ("disconnected", "connecting"),
            ("connecting", "connected"),
        ]
        assert _sent_serials(rec, "second") == [1, 1]  # resent with its original msgSerial
        assert await _names_after_marker(channel, got) == ["first", "second", "marker"]
        assert _sent_serials(rec, "marker") == [2]
        assert len(pub.pending) == 0
    finally:
        await pub.close()
        await sub.close()


async def test_publish_whose_ack_was_lost_is_delivered_once(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub, got = await _subscriber(sandbox, "room")
    pub = await connected(Connection("pub", options(sandbox, KeyAuth(sandbox.demo_keys["full"]))))
    rec = Recorder(pub.stream)
    hub = sandbox.ctx.hub
    publish = hub.publish
    dropped = False

    def publish_then_drop(*args: Any, **kw: Any) -> None:
        # The server publishes the message, then loses the link before its ACK goes out.
        nonlocal dropped
        publish(*args, **kw)
        if not dropped and args[2][0].get("name") == "lost-ack":
            dropped = True
            assert pub.connection_id is not None
            sandbox.drop_connection(pub.connection_id)

    monkeypatch.setattr(hub, "publish", publish_then_drop)
    try:
        channel = pub.channels.get("room")
        conn_id = pub.connection_id
        await channel.publish("lost-ack", 1)
        assert dropped and pub.connection_id == conn_id
        assert _sent_serials(rec, "lost-ack") == [0, 0]
        assert await _names_after_marker(channel, got) == ["lost-ack", "marker"]
    finally:
        await pub.close()
        await sub.close()


async def test_publish_before_connect_is_queued(sandbox: Sandbox) -> None:
    sub, got = await _subscriber(sandbox, "room")
    pub = Connection("pub", options(sandbox, KeyAuth(sandbox.demo_keys["full"])))
    try:
        assert pub.state == "initialized"
        await pub.channels.get("room").publish("early", 1)  # connects, then sends
        assert pub.state == "connected"
        await _received(got, "early")
    finally:
        await pub.close()
        await sub.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


RETRY = Timeouts(
    realtime_request_timeout=10_000,  # generous: these tests are not about timeouts
    disconnected_retry_timeout=200,
    suspended_retry_timeout=300,
    close_timeout=500,
)


async def test_publish_while_disconnected_is_sent_after_reconnect(tmp_path: Path) -> None:
    config = sandbox_config(port=_free_port(), db_path=str(tmp_path / "sandbox.db"))
    first = Sandbox(config)
    await first.start()
    auth = IssuerAuth(first.demo_keys["full"], kind="token", client_id="q")
    pub = Connection("pub", options(first, auth, timeouts=RETRY))
    rec = Recorder(pub.stream)
    second: Sandbox | None = None
    try:
        await connected(pub)
        channel = pub.channels.get("room")
        await channel.publish("before", 0)
        old_id = pub.connection_id
        await first.stop()
        await rec.wait_body(StateChanged, lambda s: s.current == "disconnected")
        assert pub.state in ("disconnected", "connecting")
        queued = [
            asyncio.create_task(channel.publish("queued-1", 1)),
            asyncio.create_task(channel.publish("queued-2", 2)),
        ]
        await asyncio.sleep(0.05)
        assert not any(t.done() for t in queued)
        assert len(pub.pending) == 2 and pub.pending.serials == [None, None]
        second = Sandbox(config)
        await second.start()
        async with asyncio.timeout(30):
            await asyncio.gather(*queued)
        # A new server: a new connectionId, so msgSerial restarted at 0 (RTN19a2).
        assert pub.connection_id != old_id
        assert _sent_serials(rec, "queued-1") == [0]
        assert _sent_serials(rec, "queued-2") == [1]
        app = second.demo_app_id
        assert app is not None
        items, _ = second.ctx.hub.history(app, "room", HistoryQuery(limit=10))
        names = [m.get("name") for m in items]
        assert sorted(n for n in names if n and n.startswith("queued")) == [
            "queued-1",
            "queued-2",
        ]
    finally:
        await pub.close()
        await first.stop()
        if second is not None:
            await second.stop()


async def test_pending_publish_fails_when_the_connection_closes(sandbox: Sandbox) -> None:
    pub = await connected(Connection("pub", options(sandbox, KeyAuth(sandbox.demo_keys["full"]))))
    closing: list[asyncio.Task[None]] = []

    def drop_and_close() -> None:
        pub.simulate_network_drop()  # the MESSAGE never reaches the server
        closing.append(asyncio.create_task(pub.close()))

    _on_message_sent(pub, "doomed", drop_and_close)
    with pytest.raises(AblyError) as info:
        await pub.channels.get("room").publish("doomed", 1)
    assert info.value.ably_code == 80017
    await closing[0]
    assert pub.state == "closed" and len(pub.pending) == 0
    with pytest.raises(AblyError) as after:  # RTN7: no queueing once closed
        await pub.channels.get("room").publish("late", 1)
    assert after.value.ably_code == 80017


async def test_pending_publish_fails_when_the_connection_fails(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    pub = await connected(Connection("pub", options(sandbox, KeyAuth(key))))
    # The key is revoked before the MESSAGE reaches the server: ERROR 40131, FAILED.
    _on_message_sent(pub, "doomed", lambda: sandbox.revoke_key(key.name))
    try:
        with pytest.raises(AblyError) as info:
            await pub.channels.get("room").publish("doomed", 1)
        assert pub.state == "failed"
        assert info.value.ably_code == 40131  # the failure's reason (RTN7e)
        with pytest.raises(AblyError) as after:
            await pub.channels.get("room").publish("late", 1)
        assert after.value.ably_code == 80000
    finally:
        await pub.close()
