"""``Sandbox``: the embeddable Ably-compatible server (REST + WebSocket on one port).

Usage (GUI and tests)::

    async with Sandbox(SandboxConfig(port=0)) as sb:
        sb.rest_url, sb.ws_url, sb.demo_keys["full"]
        unsubscribe = sb.subscribe(lambda event: print(event.kind, event.message))

Lifecycle: ``await start()`` / ``await stop()`` (or ``async with``). Binding a non-loopback host
needs ``allow_remote=True``. Requests whose Host/Origin is neither loopback nor an address the
sandbox serves are always refused (the DNS-rebinding guard).

Admin methods (all synchronous and cheap; frames they cause are queued to the connections):

- ``list_apps() -> list[AppInfo]``, ``list_keys(app_id=None) -> list[KeyInfo]``,
  ``api_key(key_name) -> ApiKey`` (the only way to get a secret back), ``demo_app_id``;
- ``create_app(label) -> str``, ``delete_app(app_id)``;
- ``create_key(app_id=None, *, capability='{"*":["*"]}', revocable=False, label='') -> ApiKey``;
- ``issue_token(key_name, *, client_id=None, capability=None, ttl_ms=None) -> TokenDetails``,
  ``mint_jwt(key_name, *, client_id=None, capability=None, ttl_ms=3_600_000,
  revocation_key=None) -> str``;
- ``issued_tokens(limit=200) -> list[TokenInfo]``, ``connections() -> list[ConnectionInfo]``;
- ``revoke_tokens(key_name, targets, *, issued_before=None, allow_reauth_margin=False)
  -> list[TargetResult]``, ``revoke_client_id(key_name, client_id, **kw)``,
  ``revoke_revocation_key(key_name, revocation_key, **kw)``, ``revoke_key(key_name) -> int``;
- ``settings -> Settings``, ``update_settings(*, reauth_lead_ms=None, clock_skew_ms=None)``;
- ``set_auth_server_mode(mode | None)``, ``set_auth_server_defaults(*, client_id, capability,
  ttl_ms, key_label)`` (the demo auth server of ``authserver``);
- ``drop_connection(connection_id) -> bool`` (abrupt close: "drop network"),
  ``request_reauth(connection_id) -> bool`` (send a server AUTH now);
- ``now_ms()``, ``events(limit=200) -> list[SandboxEvent]`` (the journal), ``subscribe(cb)``;
- classroom mode: ``await open_classroom(hosts) -> list[str]`` (join URLs),
  ``await close_classroom()``, ``classroom`` (roster, addresses, ``instructor_credential``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from tokenlab.core.capability import Capability
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.issued import IssuedToken
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenDetails, validate_ttl
from tokenlab.core.wire import Action
from tokenlab.sandbox import admin, authserver, provisioning, rest, rest_batch, rest_channels, tls
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.attendees import AttendeeListener
from tokenlab.sandbox.auth import Credentials, parse_capability
from tokenlab.sandbox.classroom import Classroom
from tokenlab.sandbox.config import SandboxConfig, SandboxEvent, Settings, Subscriber
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.httpserver import SandboxRunner
from tokenlab.sandbox.httpwire import MAX_BODY_BYTES, is_local_name, make_middlewares
from tokenlab.sandbox.joinpage import CLASSROOM, roster_route
from tokenlab.sandbox.protocol import error_frame
from tokenlab.sandbox.realtime import websocket_route
from tokenlab.sandbox.revocation import TargetResult
from tokenlab.sandbox.store import KeyRecord, Store

log = logging.getLogger(__name__)
MAX_REQUEST_LINE = 1_048_576  # room for a 128 KiB token in a query string or header
_UNSET: Any = object()


class Sandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self._ctx: Context | None = None
        self._runner: web.AppRunner | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._pending_subscribers: list[Subscriber] = []
        self._attendees: AttendeeListener | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        cfg = self.config
        if not cfg.allow_remote and not is_local_name(cfg.host):
            raise UserError(
                f"Refusing to listen on {cfg.host}: a non-loopback address needs allow_remote.",
                code="sandbox.remote_not_allowed",
                fix="Pass --host 0.0.0.0 on the command line (it opts in) or allow_remote=True.",
            )
        ctx = Context(cfg, Store(cfg.db_path))
        for callback in self._pending_subscribers:
            ctx.events.subscribe(callback)
        if cfg.provision_demo:
            provisioning.ensure_demo(ctx)
        app = web.Application(
            middlewares=make_middlewares(cfg.host), client_max_size=MAX_BODY_BYTES
        )
        app[CONTEXT] = ctx
        classroom = app[CLASSROOM] = Classroom(ctx, instructor_credential=ctx.admin_token)
        ctx.events.subscribe(classroom.on_event)
        rest.add_routes(app)
        rest_channels.add_routes(app)
        rest_batch.add_routes(app)
        authserver.add_routes(app)
        app.router.add_get("/", websocket_route)
        app.router.add_get("/classroom/roster", roster_route)
        runner = SandboxRunner(
            app,
            access_log=None,
            shutdown_timeout=2.0,
            max_line_size=MAX_REQUEST_LINE,
            max_field_size=MAX_REQUEST_LINE,
            keepalive_timeout=cfg.header_timeout_s,  # also ends connections that never finish
        )
        await runner.setup()
        ssl_context = None
        if cfg.tls_cert and cfg.tls_key:
            ssl_context = tls.server_context(tls.Certificate(Path(cfg.tls_cert), Path(cfg.tls_key)))
        site = web.TCPSite(runner, cfg.host, cfg.port, backlog=4096, ssl_context=ssl_context)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            ctx.store.close()
            raise
        ctx.port = int(runner.addresses[0][1])
        self._ctx, self._runner = ctx, runner
        self._attendees = AttendeeListener(ctx, classroom)
        self._sweeper = asyncio.create_task(ctx.sessions.run(), name="sandbox-sweeper")

    async def stop(self) -> None:
        ctx, runner = self._ctx, self._runner
        if ctx is None or runner is None:
            return
        if self._attendees is not None:
            await self._attendees.close()
            self._attendees = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        bye = AblyError(80003, "The sandbox is shutting down.", status=503)
        for session in ctx.sessions.live():
            if session.link is not None:
                session.link.close_after(error_frame(Action.DISCONNECTED, bye))
        await asyncio.sleep(0.05 if ctx.sessions.live() else 0)
        await runner.cleanup()
        ctx.flush_journal()
        ctx.store.close()
        self._ctx = self._runner = None

    @property
    def running(self) -> bool:
        """Started and not yet stopped: the admin API answers only then."""
        return self._ctx is not None

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            raise RuntimeError("The sandbox is not running (use 'async with Sandbox(...)').")
        return self._ctx

    @property
    def admin_token(self) -> str:
        """This run's admin credential (the ``X-Tokenlab-Admin`` header of POST /auth/mode)."""
        return self.ctx.admin_token

    # -- addresses --------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return self.config.host

    @property
    def port(self) -> int:
        return self.ctx.port

    @property
    def _url_host(self) -> str:
        # An unspecified address is not connectable: show the loopback one of its family.
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.config.host)
        host = host or self.config.host
        return f"[{host}]" if ":" in host else host

    @property
    def rest_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self._url_host}:{self.port}"

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.tls else "ws"
        return f"{scheme}://{self._url_host}:{self.port}"

    @property
    def tls(self) -> bool:
        return bool(self.config.tls_cert and self.config.tls_key)

    # -- events -----------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[SandboxEvent], None]) -> Callable[[], None]:
        if self._ctx is not None:
            return self._ctx.events.subscribe(callback)
        self._pending_subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._pending_subscribers:
                self._pending_subscribers.remove(callback)

        return unsubscribe

    def events(self, limit: int = 200) -> list[SandboxEvent]:
        self.ctx.flush_journal()
        return [
            SandboxEvent(
                kind=e.kind,
                at_ms=e.at_ms,
                message=e.message,
                connection_id=e.data.get("connection_id"),
                client_id=e.data.get("client_id"),
                key_name=e.data.get("key_name"),
                code=e.data.get("code"),
                data=e.data.get("data", {}),
            )
            for e in self.ctx.store.journal_entries(limit)
        ]

    def now_ms(self) -> int:
        return self.ctx.now_ms()

    # -- apps and keys ----------------------------------------------------------------------
    @property
    def demo_app_id(self) -> str | None:
        return self.ctx.store.get_meta(provisioning.DEMO_APP_META)

    @property
    def demo_keys(self) -> Mapping[str, ApiKey]:
        return provisioning.demo_keys(self.ctx)

    def list_apps(self) -> list[admin.AppInfo]:
        store = self.ctx.store
        return [admin.app_info(a, store.keys(a.app_id)) for a in store.apps()]

    def list_keys(self, app_id: str | None = None) -> list[admin.KeyInfo]:
        return [admin.key_info(k) for k in self.ctx.store.keys(app_id)]

    def _key(self, key_name: str) -> KeyRecord:
        record = self.ctx.store.key(key_name)
        if record is None:
            raise AblyError(40400, f"No key named {key_name!r}.")
        return record

    def api_key(self, key_name: str) -> ApiKey:
        return provisioning.api_key(self._key(key_name))

    def create_app(self, label: str = "created in tokenlab") -> str:
        return provisioning.new_app(self.ctx, label).app_id

    def delete_app(self, app_id: str) -> None:
        rest.delete_app_now(self.ctx, app_id)

    def create_key(
        self,
        app_id: str | None = None,
        *,
        capability: str = '{"*":["*"]}',
        revocable: bool = False,
        label: str = "",
    ) -> ApiKey:
        target = app_id or self.demo_app_id
        if target is None or self.ctx.store.app(target) is None:
            raise AblyError(40400, f"No app {target!r} to add a key to.")
        spec = provisioning.KeySpec(capability, revocable, label)
        position = len(self.ctx.store.keys(target))
        return provisioning.api_key(provisioning.new_key(self.ctx, target, spec, position))

    # -- tokens -----------------------------------------------------------------------------
    def issue_token(
        self,
        key_name: str,
        *,
        client_id: str | None = None,
        capability: str | None = None,
        ttl_ms: int | None = None,
    ) -> TokenDetails:
        key = self._key(key_name)
        ceiling = parse_capability(key.capability)
        cap = Capability.parse(capability).intersect(ceiling) if capability else ceiling
        ttl = validate_ttl(ttl_ms, revocable=key.revocable)
        return self.ctx.issuer.issue(key, ttl=ttl, capability=cap, client_id=client_id, via="admin")

    def mint_jwt(
        self,
        key_name: str,
        *,
        client_id: str | None = None,
        capability: str | None = None,
        ttl_ms: int = 3_600_000,
        revocation_key: str | None = None,
    ) -> str:
        return self.ctx.issuer.mint_jwt(
            self._key(key_name),
            ttl=ttl_ms,
            capability=capability,
            client_id=client_id,
            revocation_key=revocation_key,
            via="admin",
        )

    def issued_tokens(self, limit: int = 200) -> list[admin.TokenInfo]:
        return [admin.token_info(t) for t in self.ctx.store.tokens(limit)]

    def describe_token(self, token: str) -> IssuedToken | None:
        """What the sandbox knows about an Ably token it issued (the inspector's lookup)."""
        return admin.store_lookup(self.ctx.store)(token)

    # -- connections ------------------------------------------------------------------------
    def connections(self) -> list[admin.ConnectionInfo]:
        return [admin.connection_info(s) for s in self.ctx.sessions.all()]

    def drop_connection(self, connection_id: str) -> bool:
        session = self.ctx.sessions.get(connection_id)
        if session is None or session.link is None:
            return False
        link = session.link
        link.abort()
        self.ctx.sessions.link_closed(session, link)
        self.ctx.events.emit(
            ev.CONNECTION_CLOSED,
            f"Connection {connection_id}: network dropped (simulated); state kept for resume",
            connection_id=connection_id,
            client_id=session.identity.client_id,
        )
        return True

    def request_reauth(self, connection_id: str) -> bool:
        session = self.ctx.sessions.get(connection_id)
        if session is None or session.link is None:
            return False
        self.ctx.sessions.request_reauth(session, "requested from the admin panel")
        return True

    # -- revocation -------------------------------------------------------------------------
    def revoke_tokens(
        self,
        key_name: str,
        targets: Sequence[str],
        *,
        issued_before: int | None = None,
        allow_reauth_margin: bool = False,
    ) -> list[TargetResult]:
        key = self._key(key_name)
        if not key.revocable:
            raise AblyError(40164, f"Token revocation is not enabled for key {key_name}.")
        creds = Credentials("basic", key, parse_capability(key.capability))
        return rest.revoke_targets(
            self.ctx, creds, tuple(targets), issued_before, allow_reauth_margin
        )

    def revoke_client_id(self, key_name: str, client_id: str, **kw: Any) -> list[TargetResult]:
        return self.revoke_tokens(key_name, [f"clientId:{client_id}"], **kw)

    def revoke_revocation_key(
        self, key_name: str, revocation_key: str, **kw: Any
    ) -> list[TargetResult]:
        return self.revoke_tokens(key_name, [f"revocationKey:{revocation_key}"], **kw)

    def revoke_key(self, key_name: str) -> int:
        """Revoke the key itself: its connections get ERROR 40131. Returns how many."""
        ctx = self.ctx
        self._key(key_name)
        ctx.store.revoke_key(key_name, ctx.now_ms())
        ended = ctx.sessions.end_key(key_name, AblyError(40131, f"Key {key_name} was revoked."))
        ctx.events.emit(
            ev.KEY_REVOKED,
            f"Key {key_name} revoked; {ended} connection(s) ended",
            key_name=key_name,
        )
        return ended

    # -- settings ---------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    def update_settings(
        self, *, reauth_lead_ms: int | None = None, clock_skew_ms: int | None = None
    ) -> Settings:
        s = self.ctx.settings
        if reauth_lead_ms is not None:
            if reauth_lead_ms < 0:
                raise UserError("The reauth lead time cannot be negative.", code="sandbox.lead")
            s.reauth_lead_ms = reauth_lead_ms
        if clock_skew_ms is not None:
            s.clock_skew_ms = clock_skew_ms
        self.ctx.events.emit(
            ev.SETTINGS_CHANGED,
            f"Settings: reauth lead {s.reauth_lead_ms} ms, clock skew {s.clock_skew_ms:+d} ms",
        )
        return s

    def set_auth_server_mode(self, mode: str | None) -> None:
        authserver.set_mode(self.ctx, mode)

    def set_auth_server_defaults(
        self,
        *,
        client_id: str | None = _UNSET,
        capability: str | None = _UNSET,
        ttl_ms: int | None = _UNSET,
        key_label: str = _UNSET,
    ) -> None:
        s = self.ctx.settings
        if client_id is not _UNSET:
            s.auth_client_id = client_id
        if capability is not _UNSET:
            if capability is not None:
                Capability.parse(capability)
            s.auth_capability = capability
        if ttl_ms is not _UNSET:
            s.auth_ttl_ms = ttl_ms
        if key_label is not _UNSET:
            s.auth_key_label = key_label

    # -- classroom --------------------------------------------------------------------------
    @property
    def classroom(self) -> Classroom:
        if self._attendees is None:
            raise RuntimeError("The sandbox is not running (use 'async with Sandbox(...)').")
        return self._attendees.classroom

    async def open_classroom(self, hosts: Sequence[str]) -> list[str]:
        """Add the attendee listener on ``hosts`` (same port if free); returns the join URLs."""
        if self._attendees is None:
            raise RuntimeError("The sandbox is not running (use 'async with Sandbox(...)').")
        return await self._attendees.open(list(hosts), self.port)

    async def close_classroom(self) -> None:
        """Close the attendee listener, ending attendee connections cleanly."""
        if self._attendees is not None:
            await self._attendees.close()
