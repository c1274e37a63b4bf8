"""The connection's timers on a manual clock (no real waiting): the disconnected retry with its
RTB1 back-off (RTN14d), SUSPENDED once connectionStateTtl has passed (RTN14e), the idle-server
timeout maxIdleInterval + realtimeRequestTimeout (RTN23a), the CONNECTED timeout (RTN14c), and
the clock itself. The server is the scripted fake in fakeserver.py on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.realtime.fakeserver import FakeAbly, connected, fake_ably
from tokenlab.core.errors import AblyError
from tokenlab.realtime import AuthCallbackAuth, ClientOptions, Connection, Endpoint, Timeouts
from tokenlab.realtime.clock import ManualClock
from tokenlab.realtime.events import StateChanged

GUARD_S = 30  # hang guard for awaited conditions only; no assertion depends on real time
TIMEOUTS = Timeouts(
    realtime_request_timeout=10_000,
    disconnected_retry_timeout=15_000,
    suspended_retry_timeout=30_000,
    connection_state_ttl=60_000,
)
REFUSED = {"action": 6, "error": {"code": 80003, "statusCode": 400, "message": "go away"}}


def _close_only(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """Answer CLOSE with CLOSED (close() waits closeTimeout on the manual clock otherwise)."""
    return [{"action": 8}] if frame.get("action") == 7 else []


def _connection(url: str, clock: ManualClock, name: str = "timers") -> Connection:
    cb = AuthCallbackAuth(lambda params: "opaque-token")
    opts = ClientOptions(
        endpoint=Endpoint.from_url(url),
        auth=cb,
        timeouts=TIMEOUTS,
        clock=clock,
        jitter=lambda: 0.0,
    )
    return Connection(name, opts)


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(GUARD_S):
        while not condition():
            await asyncio.sleep(0.005)


async def _attempt_ends(conn: Connection, fake: FakeAbly, attempts: int) -> None:
    """Wait until ``attempts`` connects reached the server and the last one has ended."""
    await _until(
        lambda: len(fake.queries) >= attempts and conn.state in ("disconnected", "suspended")
    )
    assert len(fake.queries) == attempts


def _retry_ins(conn_events: list[Any]) -> list[tuple[str, int | None]]:
    return [
        (e.body.current, e.body.retry_in_ms)
        for e in conn_events
        if isinstance(e.body, StateChanged) and e.body.current in ("disconnected", "suspended")
    ]


async def test_disconnected_retries_after_the_backoff_then_suspends_after_the_ttl() -> None:
    clock = ManualClock()
    async with fake_ably(lambda r: [REFUSED], lambda f: []) as fake:
        conn = _connection(fake.url, clock)
        sub = conn.stream.subscribe(replay=True)
        conn.connect()
        await _attempt_ends(conn, fake, 1)
        assert conn.state == "disconnected" and conn.error_reason is not None
        # RTB1 with no jitter: 15 s, then 20 s, then 25 s (x min((n + 2) / 3, 2))
        for attempts, wait_ms in ((2, 15_000), (3, 20_000), (4, 25_000)):
            await clock.advance(wait_ms - 1)
            assert conn.state == "disconnected" and len(fake.queries) == attempts - 1
            await clock.advance(1)
            await _attempt_ends(conn, fake, attempts)
        # 60 s after the first failure: connectionStateTtl has passed, so SUSPENDED (RTN14e)
        assert conn.state == "suspended"
        assert _retry_ins(sub.drain()) == [
            ("disconnected", 15_000),
            ("disconnected", 20_000),
            ("disconnected", 25_000),
            ("suspended", 30_000),
        ]
        await clock.advance(29_999)
        assert len(fake.queries) == 4
        await clock.advance(1)  # suspendedRetryTimeout (RTN14f)
        await _attempt_ends(conn, fake, 5)
        assert conn.state == "suspended"
        await conn.close()


async def test_connect_wakes_a_disconnected_retry_wait_at_once() -> None:
    clock = ManualClock()
    async with fake_ably(lambda r: [REFUSED], lambda f: []) as fake:
        conn = _connection(fake.url, clock)
        conn.connect()
        await _attempt_ends(conn, fake, 1)
        assert clock.pending() == [15_000]
        conn.connect()  # RTN11c: no waiting for the timer
        await _attempt_ends(conn, fake, 2)
        await conn.close()


async def test_an_idle_server_is_detected_after_max_idle_plus_request_timeout() -> None:
    clock = ManualClock()
    hellos = iter(["c1", "c1"])
    async with fake_ably(lambda r: [connected(next(hellos), max_idle=15_000)], _close_only) as fake:
        conn = _connection(fake.url, clock, "idle")
        sub = conn.stream.subscribe(replay=True)
        conn.connect()
        await conn.wait_for_state("connected")
        await _until(lambda: 25_000 in clock.pending())
        await clock.advance(24_999)
        assert conn.state == "connected"
        await clock.advance(1)  # RTN23a: 15 000 + 10 000 ms of silence
        await _until(lambda: len(fake.queries) == 2)
        await conn.wait_for_state("connected")
        assert fake.queries[1].get("resume") == "c1!secretkey"  # RTN15a: resumed at once
        drops = [
            e.body
            for e in sub.drain()
            if isinstance(e.body, StateChanged) and e.body.current == "disconnected"
        ]
        assert len(drops) == 1 and drops[0].retry_in_ms == 0
        assert drops[0].reason is not None and drops[0].reason.code == 80003
        assert "25000 ms" in drops[0].reason.message
        await conn.close()


async def test_no_connected_within_the_request_timeout_is_a_retryable_50003() -> None:
    clock = ManualClock()
    async with fake_ably(lambda r: [], lambda f: []) as fake:  # accepts, then says nothing
        conn = _connection(fake.url, clock, "silent")
        conn.connect()
        await _until(lambda: 10_000 in clock.pending())
        await clock.advance(9_999)
        assert conn.state == "connecting"
        await clock.advance(1)  # RTN14c
        await _attempt_ends(conn, fake, 1)
        assert conn.error_reason is not None and conn.error_reason.code == 50003
        await conn.close()


# -- the clock itself --------------------------------------------------------------------------


async def test_manual_sleep_and_timeout_fire_only_when_time_reaches_them() -> None:
    clock = ManualClock(start_ms=1_000)
    order: list[str] = []

    async def sleeper(name: str, ms: int) -> None:
        await clock.sleep(ms)
        order.append(f"{name}@{clock.monotonic_ms():.0f}")

    tasks = [asyncio.create_task(sleeper("b", 200)), asyncio.create_task(sleeper("a", 100))]
    await clock.advance(99)
    assert order == []
    await clock.advance(150)
    assert order == ["a@1100", "b@1200"] and clock.monotonic_ms() == 1_249
    await asyncio.gather(*tasks)

    async def guarded() -> str:
        async with clock.timeout(50):
            await asyncio.Event().wait()
        return "unreachable"

    task = asyncio.create_task(guarded())
    await clock.advance(49)
    assert not task.done()
    await clock.advance(1)
    with pytest.raises(TimeoutError):
        await task
    assert clock.pending() == []


async def test_a_timeout_left_early_or_cancelled_from_outside_is_not_a_timeout() -> None:
    clock = ManualClock()
    done = asyncio.Event()

    async def quick() -> str:
        async with clock.timeout(50):
            await done.wait()
        return "ok"

    task = asyncio.create_task(quick())
    await clock.advance(10)
    done.set()
    assert await task == "ok" and clock.pending() == []

    async def blocked() -> None:
        async with clock.timeout(50):
            await asyncio.Event().wait()

    outer = asyncio.create_task(blocked())
    await clock.advance(10)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert clock.pending() == []


async def test_waiting_for_a_state_times_out_on_the_clock() -> None:
    from tokenlab.realtime.state import StateTracker

    clock = ManualClock()
    states = StateTracker(lambda body: None, clock)
    waiting = asyncio.create_task(states.wait_for("connected", timeout_ms=500))
    await clock.advance(499)
    assert not waiting.done()
    await clock.advance(1)
    with pytest.raises(AblyError) as info:
        await waiting
    assert info.value.ably_code == 50003 and "500 ms" in str(info.value)


async def test_a_websocket_handshake_that_never_completes_times_out_on_the_clock() -> None:
    clock = ManualClock()
    held: list[asyncio.StreamWriter] = []

    async def accept_and_stay_silent(_: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        held.append(w)  # reads nothing, answers nothing: no HTTP 101

    server = await asyncio.start_server(accept_and_stay_silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        conn = _connection(f"ws://127.0.0.1:{port}", clock, "mute")
        conn.connect()
        await _until(lambda: len(held) == 1 and 10_000 in clock.pending())
        await clock.advance(9_999)
        assert conn.state == "connecting"
        await clock.advance(1)
        await _until(lambda: conn.state == "disconnected")
        reason = conn.error_reason
        assert reason is not None and "Timed out opening the WebSocket after 10000 ms" in (
            reason.message
        )
        await conn.close()
    finally:
        for w in held:
            w.close()
        server.close()
        await server.wait_closed()
