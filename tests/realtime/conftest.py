"""Fixtures for realtime tests: a real sandbox on 127.0.0.1 with fast timers, option builders,
and a ``Recorder`` that waits for events with a deadline (every wait is bounded)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest

from tokenlab.realtime import ClientOptions, Connection, Endpoint, Timeouts
from tokenlab.realtime.events import Event, StateChanged
from tokenlab.realtime.options import AuthConfig
from tokenlab.realtime.stream import EventStream, Subscription
from tokenlab.sandbox import Sandbox, SandboxConfig

T = TypeVar("T")

# Short retry delays keep tests quick; request timeouts stay generous so that a busy machine
# never times out a request that a test is not about.
FAST = Timeouts(
    realtime_request_timeout=10_000,
    disconnected_retry_timeout=300,
    suspended_retry_timeout=500,
    authorize_timeout=10_000,
    close_timeout=1_000,
)


def sandbox_config(**kw: Any) -> SandboxConfig:
    base: dict[str, Any] = {"reauth_lead_ms": 1_000, "tick_ms": 20, "max_idle_interval_ms": 5_000}
    base.update(kw)
    return SandboxConfig(**base)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(sandbox_config()) as sb:
        yield sb


def options(sb: Sandbox, auth: AuthConfig, **kw: Any) -> ClientOptions:
    kw.setdefault("timeouts", FAST)
    return ClientOptions(endpoint=Endpoint.sandbox(sb.ws_url, sb.rest_url), auth=auth, **kw)


class Recorder:
    """Keeps every event of one stream and waits for the ones a test expects."""

    def __init__(self, stream: EventStream, connection: str | None = None) -> None:
        self.sub: Subscription = stream.subscribe(connection=connection, replay=True)
        self.events: list[Event] = []

    def _pull(self) -> None:
        self.events.extend(self.sub.drain())

    async def wait(self, predicate: Callable[[Event], bool], timeout: float = 30.0) -> Event:
        for event in self.events:
            if predicate(event):
                return event
        async with asyncio.timeout(timeout):
            while True:
                event = await self.sub.get()
                self.events.append(event)
                if predicate(event):
                    return event

    async def wait_body(
        self,
        kind: type[T],
        predicate: Callable[[T], bool] = lambda b: True,
        timeout: float = 30.0,
        after: int = 0,
    ) -> T:
        event = await self.wait(
            lambda e: e.seq > after and isinstance(e.body, kind) and predicate(e.body), timeout
        )
        return event.body  # type: ignore[return-value]

    def bodies(self, kind: type[T]) -> list[T]:
        self._pull()
        return [e.body for e in self.events if isinstance(e.body, kind)]

    def states(self) -> list[tuple[str, str]]:
        return [(b.previous, b.current) for b in self.bodies(StateChanged)]

    @property
    def last_seq(self) -> int:
        self._pull()
        return self.events[-1].seq if self.events else 0


async def connected(conn: Connection, timeout_ms: int = 30_000) -> Connection:
    conn.connect()
    await conn.wait_for_state("connected", timeout_ms=timeout_ms)
    return conn
