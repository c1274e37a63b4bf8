"""A named realtime connection: the public face of the client.

``Connection`` is a facade: the state, errorReason, clientId (RSA7, RTC4), connectionId and
key live in its ``ConnectionMachine`` (``machine.py``), driven by the connect/retry loop
(``runloop.py``, RTN14/RTN15). It offers ``connect``, ``close``, ``authorize`` (RTC8), ``ping``
(RTN13) and ``simulate_network_drop``, holds the channels, the pending queue and the event
stream, and implements the ``ConnectionPort`` / ``LoopHost`` / ``ReauthPort`` Protocols
(``port.py``) through which those parts reach it: sending, ACKs, pings, refusals. authorize()
and in-band reauth (RTN22) live in ``reauth.py``; every timer runs on ``clock`` (``clock.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

import httpx

from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.core.wire import Action
from tokenlab.realtime.auth import Authenticator, ObtainedToken
from tokenlab.realtime.authhttp import AuthHttp
from tokenlab.realtime.channels import Channels
from tokenlab.realtime.clock import Clock, LoopClock
from tokenlab.realtime.events import (
    ClientRefusal,
    ConnectionState,
    EventBody,
    IdentityKind,
    Note,
    RefusedOperation,
    RenewalTrigger,
)
from tokenlab.realtime.identity import Source as IdentitySource
from tokenlab.realtime.machine import ConnectionMachine, StateListener
from tokenlab.realtime.options import AuthConfig, ClientOptions
from tokenlab.realtime.pending import PendingMessages
from tokenlab.realtime.pings import Pings
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.reauth import Reauth
from tokenlab.realtime.runloop import RunLoop
from tokenlab.realtime.state import TERMINAL, StateTracker, state_error
from tokenlab.realtime.stream import EventStream
from tokenlab.realtime.transport import Transport

log = logging.getLogger(__name__)
T = TypeVar("T")


class Connection:
    """One realtime connection. Create it inside a running event loop, then ``connect()``."""

    def __init__(
        self,
        name: str,
        options: ClientOptions,
        *,
        stream: EventStream | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        options.validate()
        self.name = name
        self.options = options
        self.stream = stream or EventStream(
            now_ms=options.now_ms, monotonic_ms=options.monotonic_ms
        )
        self.clock: Clock = options.clock or LoopClock(options.monotonic_ms)
        self.machine = ConnectionMachine(self.emit, self.clock)
        self._http = AuthHttp(
            options.endpoint,
            timeout_ms=options.timeouts.http_request_timeout,
            protocol_version=options.protocol_version,
            on_exchange=self.emit,
            client=http_client,
        )
        self.auth = Authenticator(options, self._http, self.emit)
        self.pending = PendingMessages(self)  # first: it fails messages before channels move
        self.channels = Channels(self)
        self._loop = RunLoop(self, self.machine)
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._reauth = Reauth(self, self.auth)
        self._pings = Pings(self.clock)

    # -- read-only view ----------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self.machine.state

    @property
    def error_reason(self) -> ErrorInfo | None:
        return self.machine.error_reason

    @property
    def client_id(self) -> str | None:
        return self.machine.client_id

    @property
    def identity(self) -> IdentityKind:
        return self.machine.identity

    @property
    def connection_id(self) -> str | None:
        return self.machine.connection_id

    @property
    def connection_key(self) -> str | None:
        return self.machine.connection_key

    @property
    def details(self) -> Mapping[str, Any]:
        """The server's connectionDetails from the last CONNECTED."""
        return self.machine.details

    @property
    def transport(self) -> Transport | None:
        return self.machine.transport

    def add_state_listener(self, listener: StateListener) -> Callable[[], None]:
        return self.machine.add_state_listener(listener)

    @property
    def token(self) -> ObtainedToken | None:
        return self.auth.token

    def emit(self, body: EventBody) -> None:
        self.stream.emit(self.name, body)

    def refuse(
        self,
        operation: RefusedOperation,
        error: AblyError,
        *,
        channel: str | None = None,
        client_id: str | None = None,
    ) -> AblyError:
        """Report an operation the client itself refuses (a ClientRefusal event with its Ably
        code) and return the error for the caller to raise."""
        self.emit(ClientRefusal(operation, channel, client_id, ErrorInfo.from_error(error)))
        return error

    # -- lifecycle -----------------------------------------------------------------------------

    def connect(self) -> None:
        """Start (or restart after closed/failed) connecting; returns at once (RTN11)."""
        if self._task is not None and not self._task.done():
            self._loop.wake()
            return
        self.machine.start(self.options.client_id)
        self._task = asyncio.create_task(self._loop.run(), name=f"tokenlab-conn-{self.name}")

    async def wait_for_state(
        self, *states: ConnectionState, timeout_ms: int | None = None
    ) -> ConnectionState:
        ms = timeout_ms or self.options.timeouts.realtime_request_timeout * 2
        return await self.machine.states.wait_for(*states, timeout_ms=ms)

    async def wait_connected(self, timeout_ms: int | None = None) -> None:
        """Wait for CONNECTED (publishes and attaches queue this way); fails fast when the
        connection is suspended, failed or closed (80002 / 80000 / 80017)."""
        if self.state == "connected":
            return
        if self.state in ("suspended", "closing", *TERMINAL):
            raise state_error(self.state)
        if self.state == "initialized":
            self.connect()
        await self.wait_for_state("connected", timeout_ms=timeout_ms)

    async def close(self) -> None:
        """CLOSE -> CLOSED when connected; in any case end in ``closed`` and free resources."""
        if self.state == "closed" and (self._task is None or self._task.done()):
            await self._http.aclose()
            return
        if self.state == "connected" and self.transport is not None:
            self.machine.set_state("closing")
            try:
                await self.transport.send({"action": Action.CLOSE})
                async with self.clock.timeout(self.options.timeouts.close_timeout):
                    await asyncio.shield(self._task_or_done())
            except (Exception, TimeoutError):
                pass  # the server did not answer CLOSE in time; close the socket ourselves
        await self._stop_task()
        if self.state != "closed":
            self.machine.set_state("closed", None)
        await self._http.aclose()

    async def _task_or_done(self) -> None:
        if self._task is not None:
            await self._task

    async def _stop_task(self) -> None:
        for task in [self._task, *self._background]:
            if task is not None and not task.done():
                task.cancel()
        for task in [self._task, *self._background]:
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._background.clear()
        if self.transport is not None:
            self.transport.abort()
            self.machine.use_transport(None)
        self.lost(ErrorInfo(80017, 400, "Connection closed"))

    def simulate_network_drop(self) -> None:
        """Drop the socket without a close handshake: the client resumes (RTN15a)."""
        if self.transport is not None:
            self.emit(Note("Network drop simulated: socket aborted", "warning"))
            self.transport.abort()

    # -- sending -------------------------------------------------------------------------------

    async def send(self, message: Mapping[str, Any]) -> None:
        if self.transport is None or self.state != "connected":
            await self.wait_connected()
        assert self.transport is not None
        await self.transport.send(message)

    async def send_with_ack(self, message: Mapping[str, Any]) -> None:
        """Send (or queue) a MESSAGE/PRESENCE with the next msgSerial; wait for its ACK (or
        raise the NACK's error). Resent after a reconnection (RTN19a): see pending.py."""
        await self.pending.send(message)

    def on_ack(self, msg: Mapping[str, Any], nack: bool) -> None:
        self.pending.on_ack(msg, nack)

    async def ping(self, timeout_ms: int | None = None) -> float:
        """HEARTBEAT with an id, answered by the server with the same id (RTN13); ms."""
        await self.wait_connected()
        ms = timeout_ms or self.options.timeouts.realtime_request_timeout
        return await self._pings.ping(self.send, ms)

    def on_heartbeat(self, msg: Mapping[str, Any]) -> None:
        self._pings.answer(msg)

    def lost(self, reason: ErrorInfo) -> None:
        """The transport went away: fail what waited on it (pings, an in-band AUTH). Messages
        awaiting an ACK are kept for the resend (RTN19a) and fail with the state (RTN7e)."""
        self._pings.fail_all(reason)
        self._reauth.lost(reason)

    # -- background work ---------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def log_listener_error(self, listener: object) -> None:
        log.exception("listener %r failed on connection %s", listener, self.name)

    # -- auth (RTC8, RTN22): see reauth.py ------------------------------------------------------

    async def authorize(
        self, token_params: TokenParams | None = None, *, auth: AuthConfig | None = None
    ) -> ObtainedToken:
        """RTC8: get a new token with these params / auth options. Connected: in-band AUTH,
        returning once the server's CONNECTED arrives (AblyError 50003 if it never does).
        Otherwise: (re)connect with the new token and return once connected."""
        return await self._reauth.authorize(token_params, auth=auth)

    async def reauth(self, trigger: RenewalTrigger) -> ObtainedToken:
        """In-band reauthentication while connected (RTC8a, RTN22)."""
        return await self._reauth.reauth(trigger)

    async def reauth_quietly(self, trigger: RenewalTrigger) -> None:
        await self._reauth.reauth_quietly(trigger)

    def auth_answered(self) -> None:
        self._reauth.answered()

    def check_token_client_id(self, token: ObtainedToken) -> None:
        """RSA15a and late initialisation (RSA7b2): a clientId in TokenDetails must fit."""
        self._reauth.check_token_client_id(token)

    # -- ReauthPort: the machine and the loop as reauth sees them ------------------------------

    def apply_client_id(self, client_id: str, source: IdentitySource) -> None:
        self.machine.apply_client_id(client_id, source)

    def fail(self, reason: ErrorInfo) -> None:
        self._loop.fail(reason)

    def set_error_reason(self, reason: ErrorInfo) -> None:
        self.machine.set_error_reason(reason)

    def reconnect_with_new_token(self) -> None:
        """RTC8b: a token obtained while not connected; connect (or restart connecting) with it."""
        self._loop.token_refreshed()
        if self.state == "connecting":
            self._loop.restart()
        else:
            self.connect()

    @property
    def states(self) -> StateTracker:
        """The state tracker (await a state with ``wait_for``)."""
        return self.machine.states

    async def __aenter__(self) -> Connection:
        self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
