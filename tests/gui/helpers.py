"""Awaitable waits for async GUI tests (never block the qasync loop the way qtbot waits do)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import SignalInstance


async def wait_signal(signal: SignalInstance, timeout: float = 30.0) -> tuple[Any, ...]:
    """Wait for the next emission of ``signal``; return its arguments."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def on_emit(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(on_emit)
    try:
        return await asyncio.wait_for(future, timeout)
    finally:
        signal.disconnect(on_emit)


async def wait_until(
    predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.01
) -> None:
    """Poll ``predicate`` while the loop keeps running; TimeoutError if it stays false."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(interval)


async def settle(seconds: float = 0.0) -> None:
    """Let queued Qt events and loop callbacks run."""
    await asyncio.sleep(seconds)
