"""authorize() and in-band reauthentication: getting a new token onto a connection.

``Reauth`` owns it: RTC8 ``authorize`` (connected: an in-band AUTH answered by CONNECTED;
otherwise a reconnect with the new token), RTN22 reauth when the server sends AUTH, the
RTC8a timeout on the server's answer, and the clientId checks on every new token (RSA15a,
RSA7b2; a client-side 40102 when authorize() would change the clientId). A failure that is
fatal (RSA4c3/RSA4d: 40171, 40102, a 403) fails the connection; any other leaves it connected
with errorReason set. It reaches the connection only through ``ReauthPort``.
"""

from __future__ import annotations

import asyncio
import contextlib

from tokenlab.core.errors import AblyError
from tokenlab.core.tokens import TokenParams
from tokenlab.core.wire import Action
from tokenlab.realtime.auth import Authenticator, ObtainedToken
from tokenlab.realtime.events import (
    RenewalFailed,
    RenewalStarted,
    RenewalSucceeded,
    RenewalTrigger,
)
from tokenlab.realtime.options import AuthConfig, KeyAuth
from tokenlab.realtime.port import ReauthPort
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.state import TERMINAL


class Reauth:
    def __init__(self, port: ReauthPort, auth: Authenticator) -> None:
        self._port = port
        self._auth = auth
        self._pending: asyncio.Future[None] | None = None
        self._lock = asyncio.Lock()

    async def authorize(
        self, token_params: TokenParams | None = None, *, auth: AuthConfig | None = None
    ) -> ObtainedToken:
        """RTC8: get a new token with these params / auth options. Connected: in-band AUTH,
        returning once the server's CONNECTED arrives (AblyError 50003 if it never does).
        Otherwise: (re)connect with the new token and return once connected."""
        port = self._port
        self._auth.reconfigure(auth, token_params)
        if isinstance(self._auth.config, KeyAuth):
            self._auth.force_token_auth()
        if port.state == "connected":
            return await self.reauth("authorize")
        token = await self._renew_offline()
        self._check_authorized_client_id(token)
        port.reconnect_with_new_token()
        await port.wait_for_state("connected", timeout_ms=port.options.timeouts.authorize_ms * 2)
        return token

    async def _renew_offline(self) -> ObtainedToken:
        self._port.emit(RenewalStarted("authorize", None))
        try:
            return await self._auth.obtain("authorize")
        except AblyError as err:
            self._port.emit(RenewalFailed("authorize", ErrorInfo.from_error(err)))
            raise

    async def reauth(self, trigger: RenewalTrigger) -> ObtainedToken:
        """In-band reauthentication while connected (RTC8a, RTN22)."""
        port = self._port
        async with self._lock:
            started = port.clock.monotonic_ms()
            port.emit(RenewalStarted(trigger, None))
            try:
                token = await self._exchange(trigger)
            except AblyError as err:
                self._on_error(trigger, err)
                raise
            elapsed = port.clock.monotonic_ms() - started
            expires = self._auth.expires_ms
            port.emit(RenewalSucceeded(trigger, expires, elapsed, port.connection_id))
            return token

    async def reauth_quietly(self, trigger: RenewalTrigger) -> None:
        """A server AUTH (RTN22): failures are reported as RenewalFailed and acted on."""
        with contextlib.suppress(AblyError):
            await self.reauth(trigger)

    async def _exchange(self, trigger: RenewalTrigger) -> ObtainedToken:
        port = self._port
        token = await self._auth.obtain(trigger)
        if trigger == "authorize":
            self._check_authorized_client_id(token)
        else:
            self.check_token_client_id(token)
        transport = port.transport
        if port.state != "connected" or transport is None:
            return token  # the reconnect in progress will use the new token
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending = fut
        ms = port.options.timeouts.authorize_ms
        try:
            await transport.send({"action": Action.AUTH, "auth": {"accessToken": token.token}})
            async with port.clock.timeout(ms):
                await fut
        except TimeoutError:
            raise AblyError(
                50003,
                f"No CONNECTED within {ms} ms after AUTH: the server did "
                "not answer the reauthentication",
                status=504,
            ) from None
        finally:
            self._pending = None
        return token

    def answered(self) -> None:
        """The server's CONNECTED after our AUTH (RTN24) arrived."""
        if self._pending is not None and not self._pending.done():
            self._pending.set_result(None)

    def lost(self, reason: ErrorInfo) -> None:
        """The transport went away: an AUTH awaiting its answer fails with ``reason``."""
        if self._pending is not None and not self._pending.done():
            self._pending.set_exception(reason.to_exception())

    def _on_error(self, trigger: RenewalTrigger, err: AblyError) -> None:
        """RSA4c3/RSA4d: 40171, 40102 or a 403 fail the connection; otherwise it stays
        connected with errorReason set."""
        info = ErrorInfo.from_error(err)
        self._port.emit(RenewalFailed(trigger, info))
        if self._port.state in TERMINAL:
            return  # the connection already ended, with its own reason
        if err.ably_code in (40171, 40102) or err.status == 403:
            self._port.fail(info)
        else:
            self._port.set_error_reason(info)

    def _check_authorized_client_id(self, token: ObtainedToken) -> None:
        """authorize() may not change an established clientId: a client-side 40102 (RTC8)."""
        try:
            self.check_token_client_id(token)
        except AblyError as err:
            raise self._port.refuse("authorize", err, client_id=token.client_id) from None

    def check_token_client_id(self, token: ObtainedToken) -> None:
        """RSA15a and late initialisation (RSA7b2): a clientId in TokenDetails must fit."""
        token_cid = token.client_id
        if token_cid is None:
            return
        option = self._port.options.client_id
        if option and token_cid not in ("*", option):
            raise AblyError(
                40102,
                f"The token is for clientId {token_cid!r} but the clientId option is {option!r}",
                status=403,
            )
        provider = token.source in ("auth_callback", "auth_url", "issuer")
        self._port.apply_client_id(token_cid, "auth_callback" if provider else "token")
