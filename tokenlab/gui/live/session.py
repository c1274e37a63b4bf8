"""The Live tab's jobs: connect, close, authorize, revoke, channel operations and export.

``LiveSession`` owns the ``ConnectionManager`` and turns each request into one
``runner.submit`` (the view itself never creates a task). Outcomes come back as signals: a
status line for the connection panel, a result line for the channel panel.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal

from tokenlab.core.clock import system_now_ms
from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.connections import ConnectionSpec, Endpoints, build_options
from tokenlab.gui.live.log_store import LogEntry, to_event
from tokenlab.gui.live.revoke_plan import RevokePlan, describe_result, plan_revoke
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.events import ConnectionState
from tokenlab.realtime.export import write_markdown, write_ndjson
from tokenlab.realtime.manager import ConnectionManager
from tokenlab.realtime.rest import revoke_tokens

LIVE_STATES = ("connecting", "connected", "disconnected", "suspended")
SETTLED_STATES: tuple[ConnectionState, ...] = (
    "connected", "failed", "disconnected", "suspended", "closed",
)  # fmt: skip
ChannelJob = Callable[[Connection], Awaitable[object]]


class Outcome(str):
    """A job's result line with the severity it is shown in: a connect that ended failed is
    an error, one still retrying (disconnected, suspended) a warning."""

    severity: str

    def __new__(cls, text: str, severity: str) -> Outcome:
        self = super().__new__(cls, text)
        self.severity = severity
        return self


def who_text(conn: Connection) -> str:
    """How the connection's identity reads in a status line (Bob is told he is a wildcard)."""
    if conn.client_id is None:
        return " unidentified (anonymous: no clientId, presence refused)"
    if conn.client_id == "*":
        return " as '*' (wildcard: may publish as any clientId, no presence of its own)"
    return f" as {conn.client_id!r}"


@runtime_checkable
class SandboxAdmin(Protocol):
    """The embedded sandbox's read-only views used to count what a revocation hits."""

    def issued_tokens(self, limit: int = 200) -> list[Any]: ...
    def connections(self) -> list[Any]: ...


def _matches(kind: str, value: str, client_id: str | None, revocation_key: str | None) -> bool:
    return (kind == "clientId" and client_id == value) or (
        kind == "revocationKey" and revocation_key == value
    )


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
        self._exports = 0

    def connection(self, name: str | None) -> Connection | None:
        return self.manager.get(name) if name is not None and name in self.manager else None

    def submit(self, what: str, make: Callable[[], Awaitable[object]], key: str,
               done: str | None = None) -> None:  # fmt: skip
        def on_ok(result: object) -> None:
            text = done or f"{what}: {result}"
            severity = result.severity if isinstance(result, Outcome) else "ok"
            self.status_reported.emit(text, severity)

        self.ctx.runner.submit(
            make, on_ok=on_ok, on_error=self._report_error(what), owner=self, key=key,
            label=what, track_busy=False,
        )  # fmt: skip

    # -- connections ------------------------------------------------------------------------------

    def start(self, spec: ConnectionSpec, keys: Mapping[str, ApiKey], endpoints: Endpoints,
                stale: str | None = None) -> None:  # fmt: skip
        """(Re)connect ``spec``; UserError at once if its settings cannot work."""
        options = build_options(spec, keys, endpoints, **self._overrides)
        self.submit(f"Connect {spec.name}", lambda: self._connect(spec.name, options, stale),
                    key=f"connect:{spec.name}")  # fmt: skip

    async def _connect(self, name: str, options: Any, stale: str | None) -> Outcome:
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
        severity = {"connected": "ok", "failed": "error", "closed": "error"}.get(state, "warning")
        return Outcome(f"{state}{who_text(conn)}{reason}", severity)

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

    def revoke_plan(
        self, name: str, key: ApiKey | None, jwt_claims: Mapping[str, Any] | None
    ) -> RevokePlan:
        """What Revoke would do for ``name`` (its target, or why there is none)."""
        conn = self.connection(name)
        if conn is None or conn.state not in LIVE_STATES:
            return RevokePlan(None, f"{name} is not connected.")
        return plan_revoke(name, conn.client_id, jwt_claims, key.name if key else None)

    def revoke(self, name: str, key: ApiKey | None, jwt_claims: Mapping[str, Any] | None) -> None:
        """Revoke the connection's tokens (revokeTokens over REST), saying what it will do
        first and how many tokens and connections it hit afterwards."""
        conn = self.connection(name)
        plan = self.revoke_plan(name, key, jwt_claims)
        if conn is None or key is None or plan.target is None:
            self.status_reported.emit(f"Cannot revoke: {plan.before}", "warning")
            return
        self.status_reported.emit(f"Revoking {plan.target}: {plan.before}", "ok")
        rest_url, target = conn.options.endpoint.rest_url, plan.target
        tokens, connections = self._hits(key, target)

        async def revoke() -> str:
            outcomes = await revoke_tokens(self.ctx.http, rest_url, key, [target])
            return describe_result(outcomes, tokens, connections, system_now_ms())

        def on_ok(result: object) -> None:
            failed = "failed" in str(result)
            self.status_reported.emit(str(result), "error" if failed else "ok")

        self.ctx.runner.submit(
            revoke, on_ok=on_ok, on_error=self._report_error(f"Revoke {target}"), owner=self,
            key=f"revoke:{name}", label="Revoke", track_busy=False,
        )  # fmt: skip

    def _hits(self, key: ApiKey, target: str) -> tuple[int | None, int]:
        """(tokens, connections) the target matches: counted on the embedded sandbox when
        there is one, else among this tab's connections (tokens unknown)."""
        kind, _, value = target.partition(":")
        sandbox = self.ctx.sandbox
        if isinstance(sandbox, SandboxAdmin):
            tokens = [t for t in sandbox.issued_tokens(10_000) if t.key_name == key.name]
            now = system_now_ms()
            hit = [t for t in tokens if t.revocable and t.expires > now and _matches(
                kind, value, t.client_id, t.revocation_key)]  # fmt: skip
            conns = [c for c in sandbox.connections() if c.key_name == key.name]
            return len(hit), sum(1 for c in conns if kind == "clientId" and c.client_id == value)
        return None, sum(1 for c in self.manager if kind == "clientId" and c.client_id == value)

    def _report_error(self, what: str) -> Callable[[UserError], None]:
        def on_error(error: UserError) -> None:
            code = f" ({error.ably_code})" if error.ably_code is not None else ""
            self.status_reported.emit(f"{what} failed{code}: {error.message}", "error")

        return on_error

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

    def attach(self, name: str | None, channel: str) -> None:
        self.channel_job(name, f"Attach {channel}", lambda c: c.channels.get(channel).attach())

    def detach(self, name: str | None, channel: str) -> None:
        self.channel_job(name, f"Detach {channel}", lambda c: c.channels.get(channel).detach())

    def publish(self, name: str | None, channel: str, message: str | None, data: str,
                client_id: str | None) -> None:  # fmt: skip
        """Publish (``client_id``: claim that identity; refused locally with 40012 when the
        connection is identified as someone else, RTL6g)."""
        self.channel_job(name, f"Publish to {channel}", lambda c: c.channels.get(channel)
                         .publish(message, data, client_id=client_id))  # fmt: skip

    def presence(self, name: str | None, channel: str, action: str) -> None:
        async def run(conn: Connection) -> None:
            presence = conn.channels.get(channel).presence
            await (presence.enter() if action == "enter" else presence.leave())

        self.channel_job(name, f"Presence {action} on {channel}", run)

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

        self._exports += 1  # each export its own key: a second one never cancels the first
        self.submit("Export", write, key=f"export:{self._exports}")

    async def aclose(self) -> None:
        """Close every connection (CLOSE handshake where possible); safe to call twice."""
        for name in self.manager.names():
            if name in self.manager:
                with contextlib.suppress(UserError):
                    await self.manager.remove(name)
        await self.manager.close_all()
