"""The clock a connection's timers run on, injected so tests can drive them without waiting.

``Clock`` is what the realtime parts need of time: ``monotonic_ms()`` to measure, ``sleep(ms)``
and ``timeout(ms)`` (an ``async with`` block that raises ``TimeoutError`` once ``ms`` have
passed, like ``asyncio.timeout``). ``LoopClock`` is the default, backed by the running asyncio
loop; ``ClientOptions.clock`` replaces it (the unit tests use a fake whose time only moves when
told to). The retry waits (RTN14d, RTN15), connectionStateTtl (RTN14e), the CONNECTED and idle
timeouts (RTN14c, RTN23a), the WebSocket opening handshake, in-band reauth (RTC8a), pings
(RTN13), closeTimeout, ACKs (RTN7), attach/detach and presence SYNC, and waiting for a state all
read it. Not on it: the socket's closing handshake (the websockets library's own 1 s) and auth
HTTP requests (httpx's httpRequestTimeout).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class Clock(Protocol):
    def monotonic_ms(self) -> float:
        """Milliseconds on a clock that never goes back (for durations and deadlines)."""
        ...

    async def sleep(self, ms: float) -> None: ...

    def timeout(self, ms: float | None) -> AbstractAsyncContextManager[object]:
        """Raise ``TimeoutError`` in the block once ``ms`` have passed (None: never)."""
        ...


def _system_monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class LoopClock:
    """Real time: the running asyncio loop's timers; ``monotonic_ms`` as given (the options')."""

    def __init__(self, monotonic_ms: Callable[[], float] = _system_monotonic_ms) -> None:
        self._monotonic_ms = monotonic_ms

    def monotonic_ms(self) -> float:
        return self._monotonic_ms()

    async def sleep(self, ms: float) -> None:
        await asyncio.sleep(max(ms, 0) / 1000)

    def timeout(self, ms: float | None) -> AbstractAsyncContextManager[object]:
        return asyncio.timeout(None if ms is None else max(ms, 0) / 1000)


class Timer:
    """One callback a ``ManualClock`` will run at ``due`` unless cancelled."""

    def __init__(self, due: float, seq: int, callback: Callable[[], None]) -> None:
        self.due, self.seq, self.callback = due, seq, callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock whose time moves only through ``advance``: deterministic timers for tests and
    for stepping a connection by hand. Timers due by the new time fire in order of due time."""

    def __init__(self, start_ms: float = 0.0) -> None:
        self._now = start_ms
        self._timers: list[Timer] = []
        self._seq = 0

    def monotonic_ms(self) -> float:
        return self._now

    def call_later(self, ms: float, callback: Callable[[], None]) -> Timer:
        self._seq += 1
        timer = Timer(self._now + max(ms, 0), self._seq, callback)
        self._timers.append(timer)
        return timer

    def pending(self) -> list[float]:
        """Due times (ms from now) of the timers still waiting, soonest first."""
        return sorted(t.due - self._now for t in self._timers if not t.cancelled)

    async def sleep(self, ms: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not fut.done():
                fut.set_result(None)

        timer = self.call_later(ms, wake)
        try:
            await fut
        finally:
            timer.cancel()

    def timeout(self, ms: float | None) -> AbstractAsyncContextManager[object]:
        return self._timeout(ms)

    @asynccontextmanager
    async def _timeout(self, ms: float | None) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if ms is None or task is None:
            yield
            return
        fired = False

        def fire() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        timer = self.call_later(ms, fire)
        try:
            yield
        except asyncio.CancelledError:
            if fired and task.uncancel() == 0:
                raise TimeoutError from None
            raise
        finally:
            timer.cancel()

    async def advance(self, ms: float) -> None:
        """Move time forward by ``ms``, firing each timer when its time comes and letting the
        loop run what it woke (so chains of timers within ``ms`` fire too)."""
        target = self._now + ms
        while True:
            await _settle()
            due = [t for t in self._timers if not t.cancelled and t.due <= target]
            if not due:
                break
            timer = min(due, key=lambda t: (t.due, t.seq))
            self._timers.remove(timer)
            self._now = max(self._now, timer.due)
            timer.callback()
        self._timers = [t for t in self._timers if not t.cancelled]
        self._now = target
        await _settle()


async def _settle(rounds: int = 20) -> None:
    """Let tasks woken by a timer run until they block again."""
    for _ in range(rounds):
        await asyncio.sleep(0)
