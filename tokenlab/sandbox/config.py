"""Sandbox configuration, runtime settings and the event feed.

``SandboxConfig`` is what an embedder passes to ``Sandbox``; ``Settings`` are the knobs the GUI
may turn while the server runs (reauth lead time, clock skew, auth-server behaviour).
``EventFeed`` fans ``SandboxEvent`` objects out to subscribers (the GUI's Sandbox tab, tests) and
to the store's event journal. Events never carry key secrets or token strings.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tokenlab.core.clock import NowMs, system_now_ms

log = logging.getLogger(__name__)

# Event kinds (SandboxEvent.kind).
CONNECTION_OPENED = "connection.opened"
CONNECTION_RESUMED = "connection.resumed"
CONNECTION_CLOSED = "connection.closed"
CONNECTION_FAILED = "connection.failed"
TOKEN_ISSUED = "token.issued"
AUTH_REQUESTED = "auth.requested"  # server sent AUTH (renewal hint before expiry / revocation)
AUTH_RENEWED = "auth.renewed"  # client re-authenticated in band
AUTH_SERVER_REQUEST = "auth.server"  # the demo auth server was called (method, params, headers)
TOKEN_EXPIRED = "token.expired"
REVOCATION = "revocation"
KEY_CREATED = "key.created"
KEY_REVOKED = "key.revoked"
APP_CREATED = "app.created"
APP_DELETED = "app.deleted"
SETTINGS_CHANGED = "settings.changed"
ERROR = "error"


@dataclass(frozen=True)
class SandboxConfig:
    """How to run a sandbox. Fields after ``provision_demo`` are tokenlab additions."""

    host: str = "127.0.0.1"
    port: int = 0
    db_path: str = ":memory:"
    allow_remote: bool = False
    reauth_lead_ms: int = 30_000
    clock_skew_ms: int = 0
    max_idle_interval_ms: int = 15_000
    connection_state_ttl_ms: int = 120_000
    presence_leave_ms: int = 15_000  # a dropped connection's members leave after this (RTP17)
    tls_cert: str | None = None  # PEM certificate and key (``tls.ensure_certificate``): HTTPS
    tls_key: str | None = None  # and WSS on the one port instead of HTTP and WS
    now_ms: NowMs = field(default=system_now_ms)
    provision_demo: bool = True
    revocation_margin_ms: int = 30_000  # allowReauthMargin delay (RSA17 docs: "about 30 s")
    max_message_size: int = 65_536
    max_frame_size: int = 524_288
    tick_ms: int = 100  # resolution of reauth / expiry / revocation enforcement
    server_id: str = "tokenlab-sandbox"
    rand: Callable[[int], bytes] = field(default=os.urandom)  # ids, secrets, tokens
    header_timeout_s: float = 60.0  # a connection idle or mid-headers this long is closed
    max_queue_bytes: int = 8 * 1_048_576  # a subscriber further behind than this is dropped
    history_max_bytes: int = 1_048_576  # recent history kept per channel ...
    history_max_channels: int = 1_000  # ... for at most this many channels (least recent go)


@dataclass
class Settings:
    """Mutable runtime settings (change them through ``Sandbox.update_settings``)."""

    reauth_lead_ms: int
    clock_skew_ms: int
    auth_server_mode: str | None = None  # persistent misbehaviour of the demo auth server
    auth_client_id: str | None = None  # demo auth server defaults
    auth_capability: str | None = None
    auth_ttl_ms: int | None = None
    auth_key_label: str = "full"


@dataclass(frozen=True)
class SandboxEvent:
    """Something that happened in the sandbox, for the GUI timeline and the journal."""

    kind: str
    at_ms: int
    message: str
    connection_id: str | None = None
    client_id: str | None = None
    key_name: str | None = None
    code: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "at_ms": self.at_ms, "message": self.message}
        for name in ("connection_id", "client_id", "key_name", "code"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.data:
            out["data"] = dict(self.data)
        return out


Subscriber = Callable[[SandboxEvent], None]


class EventFeed:
    """Synchronous fan-out of events; a failing subscriber is logged and never breaks the server."""

    def __init__(self, now_ms: NowMs, journal: Subscriber | None = None) -> None:
        self._now_ms = now_ms
        self._journal = journal
        self._subscribers: list[Subscriber] = []

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, kind: str, message: str, **fields: Any) -> SandboxEvent:
        data = fields.pop("data", None) or {}
        event = SandboxEvent(kind=kind, at_ms=self._now_ms(), message=message, data=data, **fields)
        if self._journal is not None:
            self._deliver(self._journal, event)
        for callback in list(self._subscribers):
            self._deliver(callback, event)
        return event

    @staticmethod
    def _deliver(callback: Subscriber, event: SandboxEvent) -> None:
        try:
            callback(event)
        except Exception:  # a subscriber bug must not take the server down
            log.exception("sandbox event subscriber failed for %s", event.kind)
