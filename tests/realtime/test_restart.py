"""The sandbox restarted mid-connection (fixed port, file database): the client reconnects."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.realtime.conftest import Recorder, connected, options, sandbox_config
from tokenlab.core.errors import AblyError
from tokenlab.realtime import Connection, IssuerAuth, Timeouts
from tokenlab.realtime.events import ChannelStateChanged, StateChanged
from tokenlab.sandbox import Sandbox

RETRY = Timeouts(
    realtime_request_timeout=10_000,  # generous: these tests are not about timeouts
    disconnected_retry_timeout=200,
    suspended_retry_timeout=300,
    close_timeout=500,
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_sandbox_restart_mid_connection(tmp_path: Path) -> None:
    config = sandbox_config(port=_free_port(), db_path=str(tmp_path / "sandbox.db"))
    first = Sandbox(config)
    await first.start()
    key = first.demo_keys["full"]
    conn = Connection(
        "survivor",
        options(first, IssuerAuth(key, kind="token", client_id="phoenix"), timeouts=RETRY),
    )
    rec = Recorder(conn.stream)
    try:
        await connected(conn)
        await conn.channels.get("room").attach()
        old_id = conn.connection_id
        await first.stop()
        down = await rec.wait_body(StateChanged, lambda s: s.current == "disconnected")
        assert down.reason is not None and down.reason.code == 80003
        await rec.wait_body(
            StateChanged, lambda s: s.current == "disconnected", after=rec.last_seq
        )  # retries while the server is down
        reconnect_seq = rec.last_seq
        second = Sandbox(config)
        await second.start()
        try:
            assert second.demo_keys["full"] == key  # the file database kept the demo key
            await conn.wait_for_state("connected", timeout_ms=30_000)
            assert conn.client_id == "phoenix"
            # The new server cannot resume the old connection: a new connectionId, and the
            # channel that was attached is attached again without being asked (RTN15c7).
            assert conn.connection_id != old_id
            await rec.wait_body(
                ChannelStateChanged, lambda c: c.current == "attached", after=reconnect_seq
            )
        finally:
            await conn.close()
            await second.stop()
    finally:
        await conn.close()
        await first.stop()


async def test_long_outage_goes_suspended_then_recovers(tmp_path: Path) -> None:
    config = sandbox_config(port=_free_port(), db_path=str(tmp_path / "sandbox.db"))
    timeouts = Timeouts(
        realtime_request_timeout=10_000,  # generous: these tests are not about timeouts
        disconnected_retry_timeout=100,
        suspended_retry_timeout=300,
        connection_state_ttl=500,
        close_timeout=500,
    )
    first = Sandbox(config)
    await first.start()
    conn = Connection(
        "patient", options(first, IssuerAuth(first.demo_keys["full"]), timeouts=timeouts)
    )
    rec = Recorder(conn.stream)
    try:
        await connected(conn)
        await first.stop()
        suspended = await rec.wait_body(
            StateChanged, lambda s: s.current == "suspended", timeout=30
        )
        assert suspended.retry_in_ms is not None and 200 <= suspended.retry_in_ms <= 300
        assert conn.connection_key is None  # state is gone: the next connect is fresh
        with pytest.raises(AblyError) as info:
            await conn.channels.get("x").attach()
        assert info.value.ably_code == 80002
        async with Sandbox(config):
            await conn.wait_for_state("connected", timeout_ms=30_000)
            assert rec.states()[-2:] == [("suspended", "connecting"), ("connecting", "connected")]
            await conn.close()
    finally:
        await conn.close()
        await first.stop()
