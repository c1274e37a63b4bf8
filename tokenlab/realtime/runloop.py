"""The connection state machine's driver: connect attempts, the live session, and retries.

One task per connection runs ``RunLoop.run``: an *attempt* gets credentials, opens the socket
and waits for CONNECTED (renewing the token once on a token error, RTN14b); the *session* reads
frames until the transport ends; then the loop decides what comes next (RTN14-RTN15):
an immediate resume after a drop from CONNECTED (RTN15a), a token renewal after 40140-40149
(RTN15h), DISCONNECTED with the RTB1 back-off, SUSPENDED once ``connectionStateTtl`` has passed,
or FAILED for fatal errors (40171, 80019/403, 40102, other connection ERRORs). It changes
the connection's state only through its ``ConnectionMachine`` and reaches the rest of the
connection through the ``LoopHost`` Protocol.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.core.errors import AblyError, is_token_error
from tokenlab.core.wire import Action
from tokenlab.realtime.auth import no_means_to_renew
from tokenlab.realtime.events import Note, RenewalFailed, RenewalStarted, RenewalSucceeded
from tokenlab.realtime.machine import ConnectionMachine
from tokenlab.realtime.options import Timeouts
from tokenlab.realtime.port import LoopHost
from tokenlab.realtime.protocol import ErrorInfo, action_name, frame_action, frame_error
from tokenlab.realtime.redact import redact_text
from tokenlab.realtime.state import retry_delay_ms
from tokenlab.realtime.transport import Transport, TransportClosedError, build_url, connect_params

log = logging.getLogger(__name__)
DEFAULT_STATE_TTL_MS = 120_000


@dataclass(frozen=True)
class Drop:
    """Why a transport ended. ``done``: the state is already final (failed/closed)."""

    reason: ErrorInfo | None
    token_error: bool = False
    was_connected: bool = False
    done: bool = False


FINISHED = Drop(None, done=True)


class RunLoop:
    """Drives one connection's ``ConnectionMachine``; asks the rest of ``host``."""

    def __init__(self, host: LoopHost, machine: ConnectionMachine) -> None:
        self._conn = host
        self._m = machine
        self._wakeup = asyncio.Event()
        self._restart = False
        self._retries = 0
        self._left_connected_at: float | None = None
        self._renewing: tuple[float, ErrorInfo] | None = None
        # A token error not yet answered by a successful renewal: the next attempt renews first
        # (after a failed renewal the old token is known to be bad).
        self._renew_reason: ErrorInfo | None = None

    # -- control from the Connection -------------------------------------------------------

    def wake(self) -> None:
        """End a retry wait now (connect() / authorize() while disconnected or suspended)."""
        self._wakeup.set()

    def restart(self) -> None:
        """RTC8b: abandon the current attempt and reconnect at once with the new token."""
        self._restart = True
        self._wakeup.set()
        if self._m.transport is not None and self._m.state == "connecting":
            self._m.transport.abort()

    def token_refreshed(self) -> None:
        """authorize() obtained a fresh token: no pending token-error renewal any more."""
        self._renew_reason = None

    def fail(self, reason: ErrorInfo) -> Drop:
        self._m.set_state("failed", reason)  # channels and the pending queue listen (RTL3)
        if self._m.transport is not None:
            self._m.transport.abort()
        return FINISHED

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                drop = await self._attempt()
                if drop.done or self._m.state in ("closed", "failed", "closing"):
                    return
                if drop.token_error:
                    self._renew_reason = drop.reason
                await self._after_drop(drop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must surface as a failed connection, not a hang
            log.exception("connection %s: run loop crashed", self._conn.name)
            self.fail(ErrorInfo(50000, 500, f"Internal error in tokenlab: {exc!r}"))

    async def _after_drop(self, drop: Drop) -> None:
        conn = self._conn
        t = conn.options.timeouts
        now = self._conn.clock.monotonic_ms()
        if drop.was_connected or self._left_connected_at is None:
            self._left_connected_at = now
        if self._restart:
            self._restart = False
            return
        ttl = (
            t.connection_state_ttl
            or _int(self._m.details.get("connectionStateTtl"))
            or DEFAULT_STATE_TTL_MS
        )
        jitter = conn.options.jitter()
        if not drop.was_connected and now - self._left_connected_at >= ttl:
            delay = retry_delay_ms(t.suspended_retry_timeout, 1, jitter)
            self._m.forget_resume()  # RTN15g: state is gone, start a fresh connection
            self._m.set_state("suspended", drop.reason, delay)
        else:
            self._retries = 0 if drop.was_connected else self._retries + 1
            delay = (
                0
                if drop.was_connected
                else retry_delay_ms(t.disconnected_retry_timeout, self._retries, jitter)
            )
            self._m.set_state("disconnected", drop.reason, delay)
        await self._sleep(delay)

    async def _sleep(self, delay_ms: int) -> None:
        self._wakeup.clear()
        if delay_ms <= 0:
            return
        try:
            async with self._conn.clock.timeout(delay_ms):
                await self._wakeup.wait()
        except TimeoutError:
            pass

    # -- one attempt -------------------------------------------------------------------------

    async def _attempt(self) -> Drop:
        conn = self._conn
        self._m.set_state("connecting")
        renewed = False
        while True:
            self._restart = False
            try:
                if self._renew_reason is not None:
                    renewed = True
                    await self._renew_for_connect(self._renew_reason)
                    self._renew_reason = None
                token = await conn.auth.ensure()
                if token is not None:
                    conn.check_token_client_id(token)
                transport = await self._open()
            except AblyError as err:
                return self._credentials_failed(err)
            except TransportClosedError as exc:
                return Drop(exc.reason)
            first = await self._first_message(transport)
            if isinstance(first, Drop):
                return first
            if frame_action(first) == Action.CONNECTED:
                drop = self.on_connected(first)
                return drop if drop is not None else await self._session(transport)
            await transport.close()
            outcome = self._refused(first, renewed)
            if isinstance(outcome, Drop):
                return outcome
            self._renew_reason = outcome

    def _refused(self, first: Mapping[str, Any], renewed: bool) -> Drop | ErrorInfo:
        """ERROR / DISCONNECTED instead of CONNECTED: renew once on a token error (RTN14b)."""
        action = frame_action(first)
        err = frame_error(first) or ErrorInfo(
            80000, 400, f"Expected CONNECTED, got {action_name(action)}"
        )
        if is_token_error(err.code) and action in (Action.ERROR, Action.DISCONNECTED):
            if not self._conn.auth.can_renew:
                return self.fail(_cannot_renew(err))
            if renewed:
                return Drop(err, token_error=True)
            return err
        if action == Action.DISCONNECTED:
            return Drop(err)
        return self.fail(err)

    async def _renew_for_connect(self, reason: ErrorInfo) -> None:
        conn = self._conn
        conn.emit(RenewalStarted("token_error", reason))
        started = conn.clock.monotonic_ms()
        try:
            await conn.auth.obtain("token_error")
        except AblyError as err:
            conn.emit(RenewalFailed("token_error", ErrorInfo.from_error(err)))
            if err.ably_code == 40171:
                raise no_means_to_renew(reason.to_exception()) from err
            raise
        self._renewing = (started, reason)

    def _credentials_failed(self, err: AblyError) -> Drop:
        """RSA4c3/RSA4d: 40171, 40102 and a 403 from the provider are fatal; the rest retry."""
        info = ErrorInfo.from_error(err)
        if err.ably_code in (40171, 40102) or err.status == 403:
            return self.fail(info)
        return Drop(info)

    async def _open(self) -> Transport:
        conn = self._conn
        opts = conn.options
        params = connect_params(
            auth=conn.auth.query_params(),
            fmt=opts.format,
            version=opts.protocol_version,
            client_id=opts.client_id,
            echo=opts.echo_messages,
            resume=self._m.connection_key,
            agent=opts.agent,
            extra=opts.transport_params,
        )
        url = build_url(opts.endpoint.ws_url, params)
        conn.emit(Note(f"Opening {redact_text(url)}"))
        transport = await Transport.open(
            url,
            fmt=opts.format,
            timeout_ms=opts.timeouts.realtime_request_timeout,
            emit=conn.emit,
            clock=conn.clock,
        )
        self._m.use_transport(transport)
        return transport

    async def _first_message(self, transport: Transport) -> dict[str, Any] | Drop:
        ms = self._conn.options.timeouts.realtime_request_timeout
        try:
            async with self._conn.clock.timeout(ms):
                return await transport.recv(None)
        except TimeoutError:
            transport.abort()
            return Drop(
                ErrorInfo(50003, 504, f"No CONNECTED within {ms} ms (realtimeRequestTimeout)")
            )
        except TransportClosedError as exc:
            return Drop(exc.reason)

    # -- CONNECTED -----------------------------------------------------------------------------

    def on_connected(self, msg: Mapping[str, Any]) -> Drop | None:
        conn, m = self._conn, self._m
        error = frame_error(msg)
        try:
            outcome = m.connected(msg)
        except AblyError as err:
            return self.fail(ErrorInfo.from_error(err))
        if outcome.update:
            m.update(error)
            conn.auth_answered()
            return None
        if outcome.previous_id is not None and not outcome.resumed:
            conn.emit(
                Note(
                    f"New connectionId {m.connection_id} (was {outcome.previous_id}): "
                    "connection state was not resumed",
                    "warning",
                )
            )
        self._retries, self._left_connected_at = 0, None
        m.set_state("connected", error)
        conn.channels.on_connected(outcome.resumed)
        conn.pending.on_connected(outcome.resumed)  # RTN19a: resend what awaits an ACK
        self._finish_renewal()
        return None

    def _finish_renewal(self) -> None:
        if self._renewing is None:
            return
        started, _ = self._renewing
        self._renewing = None
        elapsed = self._conn.clock.monotonic_ms() - started
        expires = self._conn.auth.expires_ms
        self._conn.emit(RenewalSucceeded("token_error", expires, elapsed, self._m.connection_id))

    # -- the live session ----------------------------------------------------------------------

    async def _session(self, transport: Transport) -> Drop:
        conn = self._conn
        pinger = self._start_pinger()
        drop = Drop(ErrorInfo(80003, 400, "Connection lost"), was_connected=True)
        try:
            drop = await self._read_frames(transport)
            return drop
        finally:
            if pinger is not None:
                pinger.cancel()
            self._m.use_transport(None)
            conn.lost(
                drop.reason or self._m.error_reason or ErrorInfo(80003, 400, "Connection lost")
            )

    async def _read_frames(self, transport: Transport) -> Drop:
        while True:
            idle = _idle_timeout_ms(self._m.details, self._conn.options.timeouts)
            try:
                async with self._conn.clock.timeout(idle):
                    msg = await transport.recv(None)
            except TimeoutError:
                transport.abort()
                text = f"No activity seen from realtime in {idle} ms"
                return Drop(ErrorInfo(80003, 408, text), was_connected=True)
            except TransportClosedError as exc:
                return self._closed_by_peer(exc.reason)
            drop = self._dispatch(msg)
            if drop is not None:
                await transport.close()
                return drop

    def _closed_by_peer(self, reason: ErrorInfo) -> Drop:
        if self._m.state == "closing":
            self._m.set_state("closed")
            return FINISHED
        return Drop(reason, was_connected=True)

    def _dispatch(self, msg: dict[str, Any]) -> Drop | None:
        conn = self._conn
        action = frame_action(msg)
        if action == Action.HEARTBEAT:
            conn.on_heartbeat(msg)
        elif action == Action.CONNECTED:
            return self.on_connected(msg)
        elif action == Action.AUTH:
            conn.spawn(conn.reauth_quietly("server_auth"))
        elif action in (Action.ACK, Action.NACK):
            conn.pending.on_ack(msg, nack=action == Action.NACK)
        elif action == Action.DISCONNECTED:
            err = frame_error(msg) or ErrorInfo(80003, 400, "Disconnected by the server")
            return Drop(err, token_error=is_token_error(err.code), was_connected=True)
        elif action == Action.ERROR and not msg.get("channel"):
            return self._connection_error(msg)
        elif action == Action.CLOSED:
            self._m.set_state("closed")
            return FINISHED
        else:
            conn.channels.dispatch(msg)
        return None

    def _connection_error(self, msg: Mapping[str, Any]) -> Drop:
        err = frame_error(msg) or ErrorInfo(80000, 400, "Connection error")
        if is_token_error(err.code):
            if not self._conn.auth.can_renew:
                return self.fail(_cannot_renew(err))
            return Drop(err, token_error=True, was_connected=True)
        return self.fail(err)

    def _start_pinger(self) -> asyncio.Task[None] | None:
        interval = self._conn.options.heartbeat_interval_ms
        if not interval:
            return None
        return asyncio.create_task(self._ping_every(interval))

    async def _ping_every(self, interval_ms: int) -> None:
        while True:
            await self._conn.clock.sleep(interval_ms)
            try:
                await self._conn.ping()
            except AblyError as err:
                self._conn.emit(Note(f"Heartbeat failed: {err}", "warning"))


def _idle_timeout_ms(details: Mapping[str, Any], timeouts: Timeouts) -> int | None:
    """RTN23a: maxIdleInterval + realtimeRequestTimeout; none when the server promises none."""
    max_idle = _int(details.get("maxIdleInterval"))
    if not max_idle:
        return None
    return max_idle + timeouts.realtime_request_timeout


def _cannot_renew(cause: ErrorInfo) -> ErrorInfo:
    return ErrorInfo.from_error(no_means_to_renew(cause.to_exception()))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
