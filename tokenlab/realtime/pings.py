"""Pings (RTN13): HEARTBEAT frames with an id, each answered by the server with the same id.

``Pings`` keeps the outstanding ones: ``ping`` sends and times the round trip, ``answer``
settles the one a HEARTBEAT names, ``fail_all`` fails every waiting ping when the transport
goes away. It sends through the callable it is given; no connection import.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action
from tokenlab.realtime.clock import Clock
from tokenlab.realtime.protocol import ErrorInfo

Send = Callable[[Mapping[str, Any]], Awaitable[None]]


class Pings:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._ids = itertools.count(1)

    async def ping(self, send: Send, timeout_ms: int) -> float:
        """Send a HEARTBEAT and wait for its answer; the round trip in ms, AblyError 50003
        when none comes within ``timeout_ms``."""
        ping_id = f"{secrets.token_hex(4)}{next(self._ids)}"
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[ping_id] = fut
        started = self._clock.monotonic_ms()
        try:
            await send({"action": Action.HEARTBEAT, "id": ping_id})
            async with self._clock.timeout(timeout_ms):
                await fut
        except TimeoutError:
            raise AblyError(
                50003, f"No HEARTBEAT answer within {timeout_ms} ms", status=504
            ) from None
        finally:
            self._waiting.pop(ping_id, None)
        return self._clock.monotonic_ms() - started

    def answer(self, msg: Mapping[str, Any]) -> None:
        fut = self._waiting.pop(str(msg.get("id")), None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    def fail_all(self, reason: ErrorInfo) -> None:
        waiting, self._waiting = list(self._waiting.values()), {}
        for fut in waiting:
            if not fut.done():
                fut.set_exception(reason.to_exception())
