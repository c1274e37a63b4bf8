"""The Live tab's jobs: connect, close, authorize, revoke, channel operations and export.

``LiveSession`` owns the ``ConnectionManager`` and turns each request into one
``runner.submit`` (the view itself never creates a task). Outcomes come back as signals: a
status line for the connection panel, a result line for the channel panel.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.connections import ConnectionSpec, Endpoints, build_options
from tokenlab.gui.live.packing import to_event
from tokenlab.gui.live.records import LogEntry
from tokenlab.gui.models.revocation import revoke_tokens
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.events import ConnectionState
from tokenlab.realtime.export import write_markdown, write_ndjson
from tokenlab.realtime.manager import ConnectionManager

SETTLED_STATES: tuple[ConnectionState, ...] = (
    "connected", "failed", "disconnected", "suspended", "closed",
)  # fmt: skip
ChannelJob = Callable[[Connection], Awaitable[object]]


class LiveSession(QObject):
    status_reported = Signal(str, str)  # text, severity ("ok", "warning", "error")
    channel_result = Signal(str, object)  # text, UserError | None

    def __init__(
        self,
        ctx: AppContext,
        manager: ConnectionManager,
        overrides: Mapping[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.manager = manager
        self._overrides = dict(overrides)

    def connection(self, name: str | None) -> Connection | None:
        return self.manager.get(name) if name is not None and name in self.manager else None

    def submit(self, what: str, make: Callable[[], Awaitable[object]], key: str,
               done: str | None = None) -> None:  # fmt: skip
        def on_ok(result: object) -> None:
            self.status_reported.emit(done or f"{what}: {result}", "ok")

        def on_error(error: UserError) -> None:
            code = f" ({error.ably_code})" if error.ably_code is not None else ""
            self.status_reported.emit(f"{what} failed{code}: {error.message}", "error")

        self.ctx.runner.submit(
            make, on_ok=on_ok, on_error=on_error, owner=self, key=key, label=what,
            track_busy=False,
        )  # fmt: skip

    # -- connections ------------------------------------------------------------------------------

    def start(self, spec: ConnectionSpec, keys: Mapping[str, ApiKey], endpoints: Endpoints,
                stale: str | None = None) -> None:  # fmt: skip
        """(Re)connect ``spec``; UserError at once if its settings cannot work."""
        options = build_options(spec, keys, endpoints, **self._overrides)
        self.submit(f"Connect {spec.name}", lambda: self._connect(spec.name, options, stale),
                    key=f"connect:{spec.name}")  # fmt: skip

    async def _connect(self, name: str, options: Any, stale: str | None) -> str:
        for old in {name, stale} - {None}:
            if old in self.manager:
                await self.manager.remove(str(old))
        conn = self.manager.add(name, options)
        timeout = options.timeouts.realtime_request_timeout * 2
        try:
            state = await conn.wait_for_state(*SETTLED_STATES, timeout_ms=timeout)
        except TimeoutError:
            state = conn.state
        reason = f" ({conn.error_reason})" if conn.error_reason and state != "connected" else ""
        who = f" as {conn.client_id!r}" if conn.client_id else ""
        return f"{state}{who}{reason}"

    def close(self, name: str) -> None:
        conn = self.connection(name)
        if conn is not None:
            self.submit(f"Close {name}", conn.close, key=f"close:{name}", done=f"{name} closed")

    def remove(self, name: str) -> None:
        if name in self.manager:
            self.submit(f"Remove {name}", lambda: self.manager.remove(name), key=f"rm:{name}",
                        done=f"{name} removed")  # fmt: skip

    def drop(self, name: str) -> None:
        conn = self.connection(name)
        if conn is not None:
            conn.simulate_network_drop()
            self.status_reported.emit(f"{name}: socket dropped; watch it resume", "warning")

    def authorize(self, name: str, capability: str, ttl_s: int) -> None:
        conn = self.connection(name)
        if conn is None:
            return
        params = TokenParams(ttl=ttl_s * 1000 or None, capability=capability or None)

        async def authorize() -> str:
            token = await conn.authorize(params)
            return f"new token for {token.client_id or 'no clientId'}, state {conn.state}"

        self.submit(f"Authorize {name}", authorize, key=f"authorize:{name}")

    def revoke(self, name: str, key: ApiKey | None) -> None:
        """Revoke the connection's clientId with the issuing key (revokeTokens over REST)."""
        conn = self.connection(name)
        if conn is None:
            return
        if key is None or conn.client_id in (None, "*"):
            why = "no key known" if key is None else "it has no clientId of its own"
            self.status_reported.emit(f"Cannot revoke {name} by clientId: {why}.", "warning")
            return
        rest_url, targets = conn.options.endpoint.rest_url, [f"clientId:{conn.client_id}"]

        async def revoke() -> str:
            outcomes = await revoke_tokens(self.ctx.http, rest_url, key, targets)
            return "; ".join(o.describe() for o in outcomes) or "no answer"

        self.submit(f"Revoke {conn.client_id}", revoke, key=f"revoke:{name}")

    # -- channels ---------------------------------------------------------------------------------

    def channel_job(self, name: str | None, what: str, job: ChannelJob) -> None:
        conn = self.connection(name)
        if conn is None:
            return

        def on_ok(_result: object) -> None:
            self.channel_result.emit(f"{conn.name}: {what}: done", None)

        def on_error(error: UserError) -> None:
            self.channel_result.emit(f"{conn.name}: {what} failed", error)

        self.ctx.runner.submit(
            lambda: job(conn), on_ok=on_ok, on_error=on_error, owner=self,
            key=f"channel:{conn.name}", label=what, track_busy=False,
        )  # fmt: skip

    # -- export -----------------------------------------------------------------------------------

    def export(self, kind: str, path: str, rows: Sequence[LogEntry]) -> None:
        """Write the rows (redacted by the realtime export) to ``path`` off the GUI thread;
        frames are decoded again from their raw bytes there."""

        async def write() -> str:
            if kind == "ndjson":
                count = await asyncio.to_thread(write_ndjson, map(to_event, rows), path)
                return f"{count} events written to {path}"
            events = await asyncio.to_thread(lambda: [to_event(r) for r in rows])
            await asyncio.to_thread(write_markdown, events, path)
            return f"report of {len(events)} events written to {path}"

        self.submit("Export", write, key="export")

    async def aclose(self) -> None:
        """Close every connection (CLOSE handshake where possible); safe to call twice."""
        for name in self.manager.names():
            if name in self.manager:
                with contextlib.suppress(UserError):
                    await self.manager.remove(name)
        await self.manager.close_all()
