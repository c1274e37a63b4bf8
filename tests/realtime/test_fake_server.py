"""Behaviours only a scripted server can show: AUTH ignored, idle timeout, heartbeats."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.realtime.fakeserver import connected, fake_ably
from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.realtime import AuthCallbackAuth, ClientOptions, Connection, Endpoint, Timeouts
from tokenlab.realtime.events import FrameReceived, RenewalFailed, StateChanged

# Hang guards for waits on conditions: generous, so a busy machine never trips them.
GUARD_MS = 30_000

FAST = Timeouts(
    realtime_request_timeout=10_000,
    disconnected_retry_timeout=200,
    suspended_retry_timeout=400,
    authorize_timeout=700,
)


def _options(url: str, **kw: Any) -> ClientOptions:
    counter = iter(range(1000))
    cb = AuthCallbackAuth(lambda params: f"opaque-token-{next(counter)}")
    kw.setdefault("timeouts", FAST)
    return ClientOptions(endpoint=Endpoint.from_url(url), auth=cb, **kw)


def _echo(frame: dict[str, Any]) -> list[dict[str, Any]]:
    if frame.get("action") == 0:
        return [{"action": 0, "id": frame.get("id")}]
    if frame.get("action") == 7:
        return [{"action": 8}]
    return []  # AUTH and everything else: silence


async def test_authorize_against_a_server_that_ignores_auth_times_out() -> None:
    async with fake_ably(lambda r: [connected()], _echo) as fake:
        conn = Connection("ignored", _options(fake.url))
        sub = conn.stream.subscribe()
        conn.connect()
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        started = time.monotonic()
        with pytest.raises(AblyError) as info:
            await conn.authorize(TokenParams(ttl=5000))
        elapsed = time.monotonic() - started
        assert info.value.ably_code == 50003
        assert elapsed >= 0.65  # it waited authorize_timeout; no upper bound on a busy machine
        assert any(f.get("action") == 17 for f in fake.received)
        assert conn.state == "connected"  # like the SDKs: the connection stays up
        assert conn.error_reason is not None and conn.error_reason.code == 50003
        failed = [e.body for e in sub.drain() if isinstance(e.body, RenewalFailed)]
        assert [f.trigger for f in failed] == ["authorize"]
        await conn.close()
        assert conn.state == "closed"


async def test_idle_server_is_detected_and_resumed() -> None:
    hellos = iter(["c1", "c1"])
    async with fake_ably(lambda r: [connected(next(hellos), max_idle=100)], lambda f: []) as fake:
        opts = _options(
            fake.url,
            timeouts=Timeouts(realtime_request_timeout=2_000, disconnected_retry_timeout=200),
        )
        conn = Connection("idle", opts)
        sub = conn.stream.subscribe()
        conn.connect()
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        await conn.wait_for_state("disconnected", timeout_ms=GUARD_MS)
        assert conn.error_reason is not None and conn.error_reason.code == 80003
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        assert fake.queries[1].get("resume") == "c1!secretkey"
        changes = [
            (e.body.previous, e.body.current)
            for e in sub.drain()
            if isinstance(e.body, StateChanged)
        ]
        assert ("connected", "disconnected") in changes
        await conn.close()


async def test_ping_is_echoed_and_query_params_follow_ably() -> None:
    async with fake_ably(lambda r: [connected()], _echo) as fake:
        conn = Connection("ping", _options(fake.url, client_id="alice"))
        conn.connect()
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        rtt = await conn.ping()
        assert rtt >= 0
        q = fake.queries[0]
        assert q["v"] == "6" and q["format"] == "json" and q["heartbeats"] == "true"
        assert q["accessToken"] == "opaque-token-0" and q["clientId"] == "alice"
        await conn.close()


async def test_client_heartbeats_are_sent_and_answered() -> None:
    async with fake_ably(lambda r: [connected()], _echo) as fake:
        conn = Connection("hb", _options(fake.url, heartbeat_interval_ms=100))
        conn.connect()
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        async with asyncio.timeout(GUARD_MS / 1000):
            while len(pings := [f for f in fake.received if f.get("action") == 0]) < 2:
                await asyncio.sleep(0.01)
        assert all(p.get("id") for p in pings)
        assert conn.state == "connected"
        await conn.close()


async def test_connected_without_details_and_garbage_frames_do_not_crash() -> None:
    def hello(_: object) -> list[dict[str, Any]]:
        return [{"action": 4, "connectionId": "bare"}, {"action": 99}, {"action": 11}]

    async with fake_ably(hello, _echo) as fake:
        conn = Connection("bare", _options(fake.url))
        rec = conn.stream.subscribe(replay=True)
        conn.connect()
        await conn.wait_for_state("connected", timeout_ms=GUARD_MS)
        await conn.ping()
        assert conn.connection_id == "bare" and conn.connection_key is None
        names = [e.body.action_name for e in rec.drain() if isinstance(e.body, FrameReceived)]
        assert "UNKNOWN(99)" in names
        await conn.close()
