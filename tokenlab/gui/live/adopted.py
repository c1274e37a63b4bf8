"""Connections the Live tab did not create, listed beside its own.

The app shares one connection manager, so a lesson's connections (or any other tab's) show up
in the Live tab's list. ``Adopted`` keeps the list in step with the manager: a connection
another tab added is listed (``spec_of`` describes it the way the editor would have built it,
so it can be selected, reconnected or edited like the tab's own), and leaves the list when it
leaves the manager (a lesson's reset). One the user removed here is never listed again.
"""

from __future__ import annotations

import dataclasses
import json
import weakref
from collections.abc import Iterable

from tokenlab.gui.live.connections import ConnectionListModel, ConnectionSpec
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.manager import ConnectionManager
from tokenlab.realtime.options import AuthUrlAuth, IssuerAuth, KeyAuth, TokenAuth

ALL = '{"*":["*"]}'


def spec_of(conn: Connection) -> ConnectionSpec:
    """The editor settings closest to ``conn``'s options (an authCallback shows as the built-in
    issuer, which is what the Live tab's own authCallback is)."""
    options, auth = conn.options, conn.options.auth
    base = ConnectionSpec(conn.name, client_id=options.client_id or "")
    if isinstance(auth, KeyAuth):
        return _replace(base, auth_mode="key", key_name=auth.key.name,
                        use_token_auth=auth.use_token_auth)  # fmt: skip
    if isinstance(auth, TokenAuth):
        token = auth.token or (json.dumps(auth.token_details.to_dict())
                               if auth.token_details is not None else "")  # fmt: skip
        return _replace(base, auth_mode="token", token=token)
    if isinstance(auth, AuthUrlAuth):
        return _replace(
            base,
            auth_mode="auth_url",
            auth_url=auth.auth_url,
            auth_method=auth.auth_method,
            auth_params=tuple(auth.auth_params.items()),
            auth_headers=tuple(auth.auth_headers.items()),
        )
    if isinstance(auth, IssuerAuth):
        return _replace(
            base,
            key_name=auth.key.name,
            issuer_kind=auth.kind,
            issuer_client_id=auth.client_id or "",
            capability=auth.capability or ALL,
            ttl_s=(auth.ttl_ms or 3_600_000) // 1000,
        )
    return base


def _replace(spec: ConnectionSpec, **changes: object) -> ConnectionSpec:
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


class Adopted:
    """Which rows of the Live tab's list are other tabs' connections."""

    def __init__(self, manager: ConnectionManager, model: ConnectionListModel) -> None:
        self.manager, self.model = manager, model
        self.names: set[str] = set()
        self._removed: weakref.WeakSet[Connection] = weakref.WeakSet()

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def removed_here(self, name: str) -> None:
        """The user removed ``name`` in the Live tab: never list that connection again."""
        if name in self.manager:
            self._removed.add(self.manager.get(name))
        self.names.discard(name)

    def own(self, name: str) -> None:
        """The user (re)connected ``name`` from the Live tab: it is the tab's own now."""
        self.names.discard(name)

    def sync(self, names: Iterable[str]) -> list[str]:
        """List ``names`` the manager holds but the list lacks; unlist adopted ones the manager
        no longer holds (returned, so the tab can let go of a selection first)."""
        listed = set(self.model.names())
        for name in sorted(set(names) - listed):
            conn = self.manager.get(name) if name in self.manager else None
            if conn is not None and conn not in self._removed:
                self.model.add(spec_of(conn))
                self.names.add(name)
        gone = sorted(n for n in self.names if n not in self.manager)
        self.names.difference_update(gone)
        return gone
