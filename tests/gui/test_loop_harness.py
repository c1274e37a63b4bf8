"""The qasync test harness never runs an asyncio callback with no loop running.

Regression test for the sandbox sweeper racing the loop at fixture teardown: a timer that falls
due just as a test's coroutine ends used to run its coroutine step outside the loop ("no running
event loop"), failing whichever test it hit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tokenlab.sandbox import Sandbox, SandboxConfig


@pytest.fixture
async def busy_sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(SandboxConfig(tick_ms=10)) as sb:  # the sweeper fires every 10 ms
        yield sb


@pytest.mark.parametrize("offset_ms", range(0, 10, 2))
async def test_a_timer_due_as_the_test_ends_runs_on_the_loop(
    busy_sandbox: Sandbox, offset_ms: int
) -> None:
    await asyncio.sleep(offset_ms / 1000)
    time.sleep(0.02)  # block the loop: the sweeper's timer is due when the coroutine returns
    assert busy_sandbox.connections() == []
