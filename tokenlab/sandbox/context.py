"""``Context``: the shared state of one running sandbox, handed to every route and handler.

It wires the store, the event feed (journalled into the store), the clock (the injected clock
plus the adjustable skew), the authenticator, the token issuer, the revocation index, the channel
hub and the realtime session registry.
"""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from tokenlab.core.keys import generate_id
from tokenlab.core.tokens import TIMESTAMP_WINDOW_MS
from tokenlab.sandbox.auth import Authenticator
from tokenlab.sandbox.channels import ChannelHub
from tokenlab.sandbox.config import EventFeed, SandboxConfig, SandboxEvent, Settings
from tokenlab.sandbox.issuer import TokenIssuer
from tokenlab.sandbox.revocation import RevocationIndex
from tokenlab.sandbox.session import SessionRegistry
from tokenlab.sandbox.store import Store

TOKEN_RETENTION_MS = 86_400_000


class Context:
    def __init__(self, config: SandboxConfig, store: Store) -> None:
        self.config = config
        self.settings = Settings(
            reauth_lead_ms=config.reauth_lead_ms, clock_skew_ms=config.clock_skew_ms
        )
        self.store = store
        self._pending: list[tuple[int, str, str, dict[str, Any]]] = []
        self.events = EventFeed(self.now_ms, journal=self._journal)
        self.revocations = RevocationIndex(store.revocations())
        self.authn = Authenticator(store, self.now_ms, self.revocations)
        self.issuer = TokenIssuer(store, self.now_ms, self.events, config.rand)
        self.hub = ChannelHub(
            self.now_ms,
            functools.partial(generate_id, 6, rand=config.rand),
            history_max_bytes=config.history_max_bytes,
            history_max_channels=config.history_max_channels,
        )
        self.sessions = SessionRegistry(self)
        self.port = config.port
        self.host = config.host
        self.admin_token = self.new_id(24)  # per run; guards the demo auth server's mode

    def now_ms(self) -> int:
        """Server time: the injected clock plus the configured skew."""
        return self.config.now_ms() + self.settings.clock_skew_ms

    def new_id(self, n: int) -> str:
        return generate_id(n, rand=self.config.rand)

    def allow_remote(self) -> bool:
        return self.config.allow_remote

    def maintenance(self) -> None:
        now = self.now_ms()
        self.store.prune_nonces(now - TIMESTAMP_WINDOW_MS - 60_000)
        self.store.prune_tokens(now - TOKEN_RETENTION_MS)

    def _journal(self, event: SandboxEvent) -> None:
        """Buffer for the store's journal; ``flush_journal`` writes it in one transaction
        (each sweeper tick), so bursts of events cost one commit, not one each."""
        data: dict[str, Any] = event.to_dict()
        for name in ("kind", "message", "at_ms"):
            data.pop(name, None)
        self._pending.append((event.at_ms, event.kind, event.message, data))

    def flush_journal(self) -> None:
        pending, self._pending = self._pending, []
        self.store.journal(pending)


CONTEXT: web.AppKey[Context] = web.AppKey("tokenlab_sandbox_context", Context)
