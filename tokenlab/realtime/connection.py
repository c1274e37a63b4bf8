"""A named realtime connection: the public face of the client.

``Connection`` is a facade: the state, errorReason, clientId (RSA7, RTC4), connectionId and
key live in its ``ConnectionMachine`` (``machine.py``), driven by the connect/retry loop
(``runloop.py``, RTN14/RTN15). It offers ``connect``, ``close``, ``authorize`` (RTC8), ``ping``
(RTN13) and ``simulate_network_drop``, holds the channels, the pending queue and the event
stream, and implements the ``ConnectionPort`` / ``LoopHost`` Protocols (``port.py``) through
which those parts reach it: sending, ACKs, pings, in-band reauth (RTN22), refusals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

import httpx

from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.core.wire import Action
from tokenlab.realtime.auth import Authenticator, ObtainedToken
from tokenlab.realtime.authhttp import AuthHttp
from tokenlab.realtime.channels import Channels
from tokenlab.realtime.events import (
    ClientRefusal,
    ConnectionState,
    EventBody,
    IdentityKind,
    Note,
    RefusedOperation,
    RenewalFailed,
    RenewalStarted,
    RenewalSucceeded,
    RenewalTrigger,
)
from tokenlab.realtime.machine import ConnectionMachine, StateListener
from tokenlab.realtime.options import AuthConfig, ClientOptions, KeyAuth
from tokenlab.realtime.pending import PendingMessages
from tokenlab.realtime.pings import Pings
from tokenlab.realtime.protocol import ErrorInfo
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
        self.machine = ConnectionMachine(self.emit)
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
        self._pending_auth: asyncio.Future[None] | None = None
        self._renew_lock = asyncio.Lock()
        self._pings = Pings()

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
                await asyncio.wait_for(
                    asyncio.shield(self._task_or_done()), self.options.timeouts.close_timeout / 1000
                )
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
        if self._pending_auth is not None and not self._pending_auth.done():
            self._pending_auth.set_exception(reason.to_exception())

    # -- background work ---------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def log_listener_error(self, listener: object) -> None:
        log.exception("listener %r failed on connection %s", listener, self.name)

    # -- auth ----------------------------------------------------------------------------------

    async def authorize(
        self, token_params: TokenParams | None = None, *, auth: AuthConfig | None = None
    ) -> ObtainedToken:
        """RTC8: get a new token with these params / auth options. Connected: in-band AUTH,
        returning once the server's CONNECTED arrives (AblyError 50003 if it never does).
        Otherwise: (re)connect with the new token and return once connected."""
        self.auth.reconfigure(auth, token_params)
        if isinstance(self.auth.config, KeyAuth):
            self.auth.force_token_auth()
        if self.state == "connected":
            return await self.reauth("authorize")
        token = await self._renew_offline()
        self._check_authorized_client_id(token)
        self._loop.token_refreshed()
        if self.state == "connecting":
            self._loop.restart()
        else:
            self.connect()
        await self.wait_for_state("connected", timeout_ms=self.options.timeouts.authorize_ms * 2)
        return token

    async def _renew_offline(self) -> ObtainedToken:
        self.emit(RenewalStarted("authorize", None))
        try:
            return await self.auth.obtain("authorize")
        except AblyError as err:
            self.emit(RenewalFailed("authorize", ErrorInfo.from_error(err)))
            raise

    async def reauth(self, trigger: RenewalTrigger) -> ObtainedToken:
        """In-band reauthentication while connected (RTC8a, RTN22)."""
        async with self._renew_lock:
            started = time.monotonic()
            self.emit(RenewalStarted(trigger, None))
            try:
                token = await self._reauth_exchange(trigger)
            except AblyError as err:
                self._on_reauth_error(trigger, err)
                raise
            elapsed = (time.monotonic() - started) * 1000
            expires = self.auth.expires_ms
            self.emit(RenewalSucceeded(trigger, expires, elapsed, self.connection_id))
            return token

    async def _reauth_exchange(self, trigger: RenewalTrigger) -> ObtainedToken:
        token = await self.auth.obtain(trigger)
        if trigger == "authorize":
            self._check_authorized_client_id(token)
        else:
            self.check_token_client_id(token)
        transport = self.transport
        if self.state != "connected" or transport is None:
            return token  # the reconnect in progress will use the new token
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending_auth = fut
        ms = self.options.timeouts.authorize_ms
        try:
            await transport.send({"action": Action.AUTH, "auth": {"accessToken": token.token}})
            async with asyncio.timeout(ms / 1000):
                await fut
        except TimeoutError:
            raise AblyError(
                50003,
                f"No CONNECTED within {ms} ms after AUTH: the server did "
                "not answer the reauthentication",
                status=504,
            ) from None
        finally:
            self._pending_auth = None
        return token

    def auth_answered(self) -> None:
        if self._pending_auth is not None and not self._pending_auth.done():
            self._pending_auth.set_result(None)

    def _on_reauth_error(self, trigger: RenewalTrigger, err: AblyError) -> None:
        """RSA4c3/RSA4d: 40171, 40102 or a 403 fail the connection; otherwise it stays
        connected with errorReason set."""
        info = ErrorInfo.from_error(err)
        self.emit(RenewalFailed(trigger, info))
        if self.state in TERMINAL:
            return  # the connection already ended, with its own reason
        if err.ably_code in (40171, 40102) or err.status == 403:
            self._loop.fail(info)
        else:
            self.machine.set_error_reason(info)

    async def reauth_quietly(self, trigger: RenewalTrigger) -> None:
        # Failures are reported as RenewalFailed and acted on in _on_reauth_error.
        with contextlib.suppress(AblyError):
            await self.reauth(trigger)

    def _check_authorized_client_id(self, token: ObtainedToken) -> None:
        """authorize() may not change an established clientId: a client-side 40102 (RTC8)."""
        try:
            self.check_token_client_id(token)
        except AblyError as err:
            raise self.refuse("authorize", err, client_id=token.client_id) from None

    def check_token_client_id(self, token: ObtainedToken) -> None:
        """RSA15a and late initialisation (RSA7b2): a clientId in TokenDetails must fit."""
        token_cid = token.client_id
        if token_cid is None:
            return
        option = self.options.client_id
        if option and token_cid not in ("*", option):
            raise AblyError(
                40102,
                f"The token is for clientId {token_cid!r} but the clientId option is {option!r}",
                status=403,
            )
        provider = token.source in ("auth_callback", "auth_url", "issuer")
        self.machine.apply_client_id(token_cid, "auth_callback" if provider else "token")

    @property
    def states(self) -> StateTracker:
        """The state tracker (await a state with ``wait_for``)."""
        return self.machine.states

    async def __aenter__(self) -> Connection:
        self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
