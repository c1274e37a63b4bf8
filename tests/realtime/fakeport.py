"""Fakes of ``ConnectionPort`` (channels, presence, the pending queue) and ``ReauthPort``
(authorize / in-band reauth) for unit tests of those parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from tokenlab.core.errors import AblyError
from tokenlab.core.keys import ApiKey
from tokenlab.realtime.clock import Clock, LoopClock, ManualClock
from tokenlab.realtime.events import ClientRefusal, ConnectionState, EventBody, RefusedOperation
from tokenlab.realtime.identity import Source as IdentitySource
from tokenlab.realtime.options import ClientOptions, Endpoint, KeyAuth
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.state import state_error

StateListener = Callable[[ConnectionState, ErrorInfo | None], None]


class FakeTransport:
    """Records what is sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, message: Mapping[str, Any]) -> None:
        self.sent.append(dict(message))


class FakePort:
    def __init__(self, client_id: str | None = None, state: ConnectionState = "connected"):
        key = ApiKey.parse("app.key:secret")
        self.name = "fake"
        self.options = ClientOptions(
            endpoint=Endpoint.from_url("ws://127.0.0.1:1"), auth=KeyAuth(key)
        )
        self.state: ConnectionState = state
        self.clock: Clock = LoopClock()
        self.client_id = client_id
        self.transport: FakeTransport | None = FakeTransport() if state == "connected" else None
        self.events: list[EventBody] = []
        self.acked: list[Mapping[str, Any]] = []
        self.connects = 0
        self._listeners: list[StateListener] = []
        self.tasks: set[asyncio.Task[Any]] = set()

    # -- ConnectionPort --------------------------------------------------------------------
    def emit(self, body: EventBody) -> None:
        self.events.append(body)

    def refuse(self, operation: RefusedOperation, error: AblyError, *,
               channel: str | None = None, client_id: str | None = None) -> AblyError:  # fmt: skip
        self.emit(ClientRefusal(operation, channel, client_id, ErrorInfo.from_error(error)))
        return error

    def connect(self) -> None:
        self.connects += 1

    async def send(self, message: Mapping[str, Any]) -> None:
        if self.transport is None:
            raise state_error(self.state)
        await self.transport.send(message)

    async def send_with_ack(self, message: Mapping[str, Any]) -> None:
        self.acked.append(message)

    async def wait_connected(self, timeout_ms: int | None = None) -> None:
        if self.state != "connected":
            raise state_error(self.state)

    def add_state_listener(self, listener: StateListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def log_listener_error(self, listener: object) -> None:
        raise AssertionError(f"listener {listener!r} failed")

    # -- driving the fake ------------------------------------------------------------------
    def set_state(self, state: ConnectionState, reason: ErrorInfo | None = None) -> None:
        self.state = state
        self.transport = FakeTransport() if state == "connected" else None
        for listener in list(self._listeners):
            listener(state, reason)

    def refusals(self) -> list[tuple[str, int]]:
        return [(e.operation, e.error.code) for e in self.events if isinstance(e, ClientRefusal)]


class FakeReauthPort(FakePort):
    """A fake of ``ReauthPort``: FakePort plus the connection-level calls reauth makes, recorded
    (clientIds applied, fail / errorReason, reconnects) instead of acted on a real loop."""

    def __init__(
        self,
        client_id: str | None = None,
        state: ConnectionState = "connected",
        *,
        options: ClientOptions | None = None,
    ) -> None:
        super().__init__(client_id, state)
        self.clock = ManualClock()
        if options is not None:
            self.options = options
        self.connection_id: str | None = "conn-1"
        self.applied: list[tuple[str, str]] = []
        self.failed: list[ErrorInfo] = []
        self.error_reason: ErrorInfo | None = None
        self.reconnects = 0

    def apply_client_id(self, client_id: str, source: IdentitySource) -> None:
        if self.client_id not in (None, client_id):
            raise AblyError(40102, f"clientId {client_id!r} contradicts {self.client_id!r}")
        self.client_id = client_id
        self.applied.append((client_id, source))

    def fail(self, reason: ErrorInfo) -> None:
        self.failed.append(reason)
        self.set_state("failed", reason)

    def set_error_reason(self, reason: ErrorInfo) -> None:
        self.error_reason = reason

    def reconnect_with_new_token(self) -> None:
        self.reconnects += 1
        self.set_state("connected")

    async def wait_for_state(
        self, *states: ConnectionState, timeout_ms: int | None = None
    ) -> ConnectionState:
        if self.state not in states:
            raise state_error(self.state)
        return self.state
