"""Helpers for the Live and Sandbox tab tests: a real embedded sandbox on 127.0.0.1:0.

The sandbox and the tab live inside the test coroutine (``async with live_tab(ctx)``) rather
than in async fixtures: pytest-qt processes Qt events between test phases while no asyncio loop
is running, and a qasync timer (the sandbox's sweeper, a connection's heartbeat) firing then
would run a coroutine step with no running loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tokenlab.gui.context import AppContext
from tokenlab.gui.live.log_store import LogEntry
from tokenlab.gui.live.tab import LiveTab
from tokenlab.realtime.options import Timeouts
from tokenlab.sandbox import Sandbox, SandboxConfig

# Short retry timers so tests are quick; request timeouts generous for a busy machine.
FAST = {
    "timeouts": Timeouts(
        realtime_request_timeout=10_000,
        disconnected_retry_timeout=500,
        suspended_retry_timeout=1_000,
        http_request_timeout=10_000,
    )
}


@contextlib.asynccontextmanager
async def running_sandbox(ctx: AppContext, **config: Any) -> AsyncIterator[Sandbox]:
    settings = {"reauth_lead_ms": 2_000, "tick_ms": 50, **config}
    async with Sandbox(SandboxConfig(**settings)) as sb:
        ctx.set_sandbox(sb)
        try:
            yield sb
        finally:
            ctx.set_sandbox(None)


@contextlib.asynccontextmanager
async def live_tab(ctx: AppContext) -> AsyncIterator[tuple[LiveTab, Sandbox]]:
    async with running_sandbox(ctx) as sb:
        tab = LiveTab(ctx, options_overrides=FAST)
        tab.resize(1280, 760)
        tab.show()
        try:
            yield tab, sb
        finally:
            tab.shutdown()
            await tab.aclose()
            await ctx.runner.wait_idle()
            tab.hide()  # not close(): closing the last window would quit the app and the loop


def kinds(tab: LiveTab, connection: str) -> list[str]:
    return [e.kind for e in tab.log_model.entries() if e.connection == connection]


def entries(tab: LiveTab, kind: str, connection: str | None = None) -> list[LogEntry]:
    return [
        e
        for e in tab.log_model.entries()
        if e.kind == kind and (connection is None or e.connection == connection)
    ]
