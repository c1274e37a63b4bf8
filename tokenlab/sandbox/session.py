"""Realtime sessions: connection state that outlives a WebSocket, resume, and enforcement.

A ``Session`` is what Ably calls a connection: id, private key, credentials, identity and
attached channels. Its ``Link`` (the WebSocket) may drop and be replaced by a resume within
``connectionStateTtl`` (RTN15b, RTN15c). ``SessionRegistry`` owns all sessions and runs
one sweeper task that, every ``tick_ms``:

- sends a protocol HEARTBEAT on any link idle for half of ``maxIdleInterval`` (RTN23a);
- sends a server AUTH ``reauth_lead`` (30 s, as Ably) before a token expires when that moment
  was still ahead when the token was presented, and DISCONNECTED 40142 when it expires (RTN22,
  RTN15h); a shorter token gets no hint, only the 40142;
- enforces revocations whose ``appliesAt`` has arrived (DISCONNECTED 40141, RSA17);
- makes the presence members of a connection whose transport dropped leave after
  ``presence_leave_ms`` (about 15 s as Ably, or the ``remainPresentFor`` transport param);
- discards sessions detached for longer than ``connectionStateTtl``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tokenlab.core.capability import Capability
from tokenlab.core.clientid import Identity
from tokenlab.core.errors import AblyError
from tokenlab.core.wire import Action, Frame
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.auth import Credentials
from tokenlab.sandbox.link import Link
from tokenlab.sandbox.protocol import error_frame

if TYPE_CHECKING:
    from tokenlab.sandbox.context import Context

log = logging.getLogger(__name__)
EXPIRED_KEYS_KEPT = 10_000
_REMEMBERED_NACKS = 64  # per connection: enough for any resend window


@functools.lru_cache(maxsize=65_536)
def allows(capability: Capability, channel: str, operation: str) -> bool:
    return capability.allows(channel, operation) is not None


@dataclass(eq=False)
class Session:
    connection_id: str
    connection_key: str
    creds: Credentials
    identity: Identity
    query_client_id: str | None
    opened_ms: int
    link: Link | None = None
    attached: dict[str, int] = field(default_factory=dict)
    reauth_sent_for: int | None = None
    detached_at: int | None = None  # sandbox clock (ms) when the transport went away
    hinted: set[int] = field(default_factory=set)  # revocation ids already hinted with AUTH
    authed_ms: int = 0  # when the current credentials were presented (connect, resume, AUTH)
    remain_present_ms: int | None = None  # remainPresentFor transport param, if given
    members_left: bool = False  # its presence members already left after a drop
    # Highest msgSerial processed on this connection: after a resume the client resends what it
    # had no ACK for (RTN19a) with the same serials, and those must not be published twice.
    last_serial: int = -1
    nacks: dict[int, AblyError] = field(default_factory=dict)  # recent NACKs, for resends

    def is_repeat(self, serial: object) -> bool:
        """Has a MESSAGE/PRESENCE with this msgSerial already been processed (a resend)?"""
        return (
            isinstance(serial, int)
            and not isinstance(serial, bool)
            and (serial <= self.last_serial)
        )

    def processed(self, serial: object) -> None:
        if isinstance(serial, int) and not isinstance(serial, bool):
            self.last_serial = max(self.last_serial, serial)

    def remember_nack(self, serial: object, error: AblyError) -> None:
        if isinstance(serial, int) and not isinstance(serial, bool):
            self.nacks[serial] = error
            while len(self.nacks) > _REMEMBERED_NACKS:
                del self.nacks[next(iter(self.nacks))]

    def use_credentials(self, creds: Credentials, identity: Identity, now: int) -> None:
        self.creds, self.identity, self.authed_ms = creds, identity, now
        self.reauth_sent_for = None

    @property
    def app_id(self) -> str:
        return self.creds.app_id

    def can(self, channel: str, operation: str) -> bool:
        return allows(self.creds.capability, channel, operation)


class SessionRegistry:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._sessions: dict[str, Session] = {}
        self._by_key: dict[str, Session] = {}
        self._expired: OrderedDict[str, None] = OrderedDict()
        self._last_maintenance = 0.0

    # -- lookup -----------------------------------------------------------------------------
    def all(self) -> list[Session]:
        return list(self._sessions.values())

    def get(self, connection_id: str) -> Session | None:
        return self._sessions.get(connection_id)

    def by_key(self, connection_key: str) -> Session | None:
        return self._by_key.get(connection_key)

    def live(self) -> list[Session]:
        return [s for s in self._sessions.values() if s.link is not None and s.link.alive]

    # -- lifecycle --------------------------------------------------------------------------
    def create(
        self, creds: Credentials, identity: Identity, query_client_id: str | None, link: Link
    ) -> Session:
        connection_id = self._ctx.new_id(10)
        session = Session(
            connection_id=connection_id,
            connection_key=self._new_key(connection_id),
            creds=creds,
            identity=identity,
            query_client_id=query_client_id,
            opened_ms=self._ctx.now_ms(),
            link=link,
            authed_ms=self._ctx.now_ms(),
        )
        self._sessions[connection_id] = session
        self._by_key[session.connection_key] = session
        return session

    def _new_key(self, connection_id: str) -> str:
        return f"{connection_id}!{self._ctx.new_id(16)}"

    def resume(
        self, key: str, creds: Credentials, identity: Identity, link: Link
    ) -> tuple[Session | None, AblyError | None]:
        """The session to resume, or the error to put on a fresh CONNECTED (RTN15c)."""
        session = self._by_key.get(key)
        if session is None:
            # 80008 for keys of sessions this server discarded (closed or past the TTL; it
            # remembers the last EXPIRED_KEYS_KEPT), 80018 for anything else.
            if key in self._expired:
                return None, AblyError(80008, "Unable to recover connection: connection expired.")
            return None, AblyError(80018, "Unable to recover connection: invalid connection key.")
        # UNCERTAIN: "compatible" is read as same key and same effective clientId (RTN16).
        if session.creds.key_name != creds.key_name or (
            session.identity.client_id != identity.client_id
        ):
            return None, AblyError(
                80011, "Unable to recover connection: credentials incompatible with it."
            )
        old = session.link
        if old is not None and old is not link:
            old.abort()
            self.link_closed(session, old)
        del self._by_key[session.connection_key]
        session.connection_key = self._new_key(session.connection_id)
        self._by_key[session.connection_key] = session
        session.use_credentials(creds, identity, self._ctx.now_ms())
        session.link, session.detached_at, session.members_left = link, None, False
        return session, None

    def link_closed(self, session: Session, link: Link) -> None:
        if session.link is not link:
            return
        session.link = None
        if session.connection_id in self._sessions:
            session.detached_at = self._ctx.now_ms()
        for name in list(session.attached):
            self._ctx.hub.detach(session.app_id, name, session.connection_id)
        session.attached.clear()

    def discard(self, session: Session, why: str) -> None:
        if self._sessions.pop(session.connection_id, None) is None:
            return
        self._by_key.pop(session.connection_key, None)
        self._expired[session.connection_key] = None
        while len(self._expired) > EXPIRED_KEYS_KEPT:
            self._expired.popitem(last=False)
        if session.link is not None:
            self.link_closed(session, session.link)
        self._ctx.hub.leave_connection(session.connection_id)
        self._emit(ev.CONNECTION_CLOSED, session, f"Connection {session.connection_id} {why}")

    # -- frames -----------------------------------------------------------------------------
    def connected_frame(self, session: Session, error: AblyError | None = None) -> Frame:
        cfg = self._ctx.config
        details = {
            "clientId": session.identity.client_id,
            "connectionKey": session.connection_key,
            "maxMessageSize": cfg.max_message_size,
            "maxFrameSize": cfg.max_frame_size,
            "maxInboundRate": 250,
            "maxOutboundRate": 100,
            "maxIdleInterval": cfg.max_idle_interval_ms,
            "connectionStateTtl": cfg.connection_state_ttl_ms,
            "serverId": cfg.server_id,
            "siteCode": "local",
        }
        frame: Frame = {
            "action": int(Action.CONNECTED),
            "connectionId": session.connection_id,
            "connectionKey": session.connection_key,
            "connectionDetails": details,
        }
        if error is not None:
            frame["error"] = error.error_info()
        return frame

    # -- enforcement ------------------------------------------------------------------------
    def request_reauth(self, session: Session, why: str) -> None:
        if session.link is None or not session.link.alive:
            return
        session.link.send({"action": int(Action.AUTH)})
        self._emit(
            ev.AUTH_REQUESTED, session, f"Server sent AUTH to {session.connection_id}: {why}"
        )

    def disconnect(self, session: Session, error: AblyError, kind: str = ev.ERROR) -> None:
        """DISCONNECTED with ``error`` and close the socket; the session stays resumable."""
        link = session.link
        if link is not None and link.alive:
            link.close_after(error_frame(Action.DISCONNECTED, error))
        self._emit(
            kind, session, f"DISCONNECTED {error.ably_code}: {error.message}", code=error.ably_code
        )

    def fail(self, session: Session, error: AblyError, kind: str = ev.ERROR) -> None:
        """Connection-level ERROR, close, and forget the session (the client goes FAILED)."""
        link = session.link
        if link is not None and link.alive:
            link.close_after(error_frame(Action.ERROR, error))
        self._emit(kind, session, f"ERROR {error.ably_code}: {error.message}", code=error.ably_code)
        self.discard(session, f"failed ({error.ably_code})")

    def expire(self, session: Session) -> None:
        error = AblyError(40142, "Token expired.", code="sandbox.token_expired")
        self.disconnect(session, error, ev.TOKEN_EXPIRED)

    def enforce_revocations(self, key_name: str) -> int:
        """Apply new revocations to live sessions: DISCONNECTED 40141 now, or an AUTH hint
        when ``appliesAt`` is in the future (allowReauthMargin). Returns sessions affected."""
        now, hit_count = self._ctx.now_ms(), 0
        for session in self.live():
            if session.creds.key_name != key_name:
                continue
            hit = self._ctx.revocations.match(session.creds, now, pending=True)
            if hit is None:
                continue
            hit_count += 1
            if hit.applies_at <= now:
                self._revoked(session)
            elif hit.id not in session.hinted:
                session.hinted.add(hit.id)
                self.request_reauth(session, "token revoked; reauthenticate before appliesAt")
        return hit_count

    def _revoked(self, session: Session) -> None:
        error = AblyError(40141, "Token revoked.", code="sandbox.token_revoked")
        self.disconnect(session, error, ev.REVOCATION)

    def end_key(self, key_name: str, error: AblyError) -> int:
        # UNCERTAIN: 40131 is not a token error, so it is sent as ERROR (the client goes
        # FAILED) rather than DISCONNECTED followed by a doomed reconnect.
        victims = [s for s in self.all() if s.creds.key_name == key_name]
        for session in victims:
            self.fail(session, error, ev.KEY_REVOKED)
        return len(victims)

    def end_app(self, app_id: str, error: AblyError) -> None:
        for session in [s for s in self.all() if s.app_id == app_id]:
            self.fail(session, error, ev.APP_DELETED)

    # -- sweeper ----------------------------------------------------------------------------
    async def run(self) -> None:
        tick = max(0.01, self._ctx.config.tick_ms / 1000)
        while True:
            await asyncio.sleep(tick)
            try:
                self.sweep(asyncio.get_running_loop().time())
            except Exception:  # the sweeper must survive any single failure
                log.exception("sandbox sweeper failed")

    def sweep(self, mono: float) -> None:
        cfg, now = self._ctx.config, self._ctx.now_ms()
        idle = cfg.max_idle_interval_ms / 2000
        ttl_ms = cfg.connection_state_ttl_ms
        for session in list(self._sessions.values()):
            link = session.link
            if link is None or not link.alive:
                if session.detached_at is not None and now - session.detached_at >= ttl_ms:
                    self.discard(session, "expired after connectionStateTtl")
                else:
                    self._leave_after_drop(session, now)
                continue
            if self._check_token(session, now):
                continue
            if idle > 0 and mono - link.last_send >= idle:
                link.send({"action": int(Action.HEARTBEAT)})
        self._ctx.flush_journal()
        if mono - self._last_maintenance > 30:
            self._last_maintenance = mono
            self._ctx.maintenance()

    def _leave_after_drop(self, session: Session, now: int) -> None:
        """A dropped connection's members leave ~15 s later, not after connectionStateTtl; a
        resume after that re-enters them from the client (RTP17i)."""
        if session.detached_at is None or session.members_left:
            return
        delay = session.remain_present_ms
        if delay is None:
            delay = self._ctx.config.presence_leave_ms
        if now - session.detached_at >= delay:
            session.members_left = True
            self._ctx.hub.leave_connection(session.connection_id)

    def _check_token(self, session: Session, now: int) -> bool:
        """Expiry, reauth hint and revocation for one live session; True if it was closed."""
        creds = session.creds
        if creds.expires is None:
            return False
        if now >= creds.expires:
            self.expire(session)
            return True
        if session.reauth_sent_for != creds.expires:
            hint_at = creds.expires - self._ctx.settings.reauth_lead_ms
            if session.authed_ms < hint_at <= now:
                session.reauth_sent_for = creds.expires
                left = (creds.expires - now) / 1000
                self.request_reauth(session, f"token expires in {left:.1f} s")
        if creds.revocable and self._ctx.revocations.match(creds, now) is not None:
            self._revoked(session)
            return True
        return False

    def _emit(self, kind: str, session: Session, message: str, code: int | None = None) -> None:
        self._ctx.events.emit(
            kind,
            message,
            connection_id=session.connection_id,
            client_id=session.identity.client_id,
            key_name=session.creds.key_name,
            code=code,
        )
