"""The connection's clientId (RSA7, RSA12, RTC4): late initialisation and immutability.

A clientId may be known from the options, from TokenDetails returned by the auth provider
(RSA7b2), or only from ``connectionDetails.clientId`` in CONNECTED (RSA7b3, RTC4a). Once a
non-wildcard clientId is established it never changes: any source that later names a different
one is a 40102 "Unexpected clientId mismatch", which fails the connection (as ably-js does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from tokenlab.core.errors import AblyError
from tokenlab.realtime.events import ClientIdResolved, EventBody, IdentityKind

Source = Literal["options", "token", "auth_callback", "connected"]

_EXPLAIN: dict[IdentityKind, str] = {
    "identified": "identified: messages and presence carry this clientId, enforced by Ably",
    "wildcard": "wildcard ('*'): may act as any clientId per message, has no identity of its own"
    " (presence needs an explicit clientId)",
    "unidentified": "unidentified: no clientId; presence is refused and a token without a "
    "clientId may not claim one",
}


def identity_kind(client_id: str | None) -> IdentityKind:
    if client_id is None:
        return "unidentified"
    return "wildcard" if client_id == "*" else "identified"


def explain(client_id: str | None, source: Source) -> str:
    return f"{_EXPLAIN[identity_kind(client_id)]} (from {source})"


class ClientIdTracker:
    def __init__(self, emit: Callable[[EventBody], None]) -> None:
        self._emit = emit
        self.client_id: str | None = None

    @property
    def kind(self) -> IdentityKind:
        return identity_kind(self.client_id)

    def reset(self) -> None:
        self.client_id = None

    def apply(self, client_id: str, source: Source) -> None:
        """Record ``client_id`` from ``source``; AblyError 40102 if it contradicts the
        established one."""
        current = self.client_id
        if current == client_id or (client_id == "*" and current is not None):
            self._report(current, "confirmed", source)
            return
        if current is None or current == "*":
            self.client_id = client_id
            self._report(client_id, "assigned", source)
            return
        raise AblyError(
            40102,
            f"Unexpected clientId mismatch: this connection is {current!r} but the {source} "
            f"says {client_id!r}; a clientId can never change",
            status=401,
        )

    def confirm_unidentified(self, source: Source) -> None:
        """Say explicitly that a connection has no clientId (an anonymous CONNECTED)."""
        if self.client_id is None:
            self._report(None, "confirmed", source)

    def _report(
        self, client_id: str | None, status: Literal["assigned", "confirmed"], source: Source
    ) -> None:
        self._emit(
            ClientIdResolved(
                client_id, status, source, identity_kind(client_id), explain(client_id, source)
            )
        )
