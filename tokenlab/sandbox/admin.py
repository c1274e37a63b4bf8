"""Read-only views of sandbox state for the GUI's Sandbox tab and tests (frozen dataclasses).

None of them carries a key secret or a token string: keys show ``masked`` names (the secret is
available only through ``Sandbox.api_key``), tokens a short ``hint``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tokenlab.core.issued import IssuedToken, TokenLookup
from tokenlab.sandbox.session import Session
from tokenlab.sandbox.store import AppRecord, KeyRecord, Store, TokenRecord


@dataclass(frozen=True)
class AppInfo:
    app_id: str
    label: str
    created_ms: int
    demo: bool
    key_names: tuple[str, ...]


@dataclass(frozen=True)
class KeyInfo:
    key_name: str
    app_id: str
    label: str
    capability: str
    revocable: bool
    created_ms: int
    revoked: bool

    @property
    def masked(self) -> str:
        return f"{self.key_name}:••••"


@dataclass(frozen=True)
class TokenInfo:
    hint: str
    kind: str  # "ably" or "jwt"
    key_name: str
    client_id: str | None
    capability: str
    issued: int
    expires: int
    revocable: bool
    revocation_key: str | None


@dataclass(frozen=True)
class ConnectionInfo:
    connection_id: str
    client_id: str | None
    identity: str  # "identified" | "wildcard" | "unidentified"
    key_name: str
    credential: str  # "API key", "Ably token", "Ably JWT", "embedded Ably token", ...
    token_expires: int | None
    opened_ms: int
    connected: bool  # False while detached and waiting for a resume
    channels: tuple[str, ...]
    format: str | None


def app_info(app: AppRecord, keys: list[KeyRecord]) -> AppInfo:
    return AppInfo(app.app_id, app.label, app.created_ms, app.demo, tuple(k.key_name for k in keys))


def key_info(key: KeyRecord) -> KeyInfo:
    return KeyInfo(
        key_name=key.key_name,
        app_id=key.app_id,
        label=key.label,
        capability=key.capability,
        revocable=key.revocable,
        created_ms=key.created_ms,
        revoked=key.revoked_ms is not None,
    )


def token_info(token: TokenRecord) -> TokenInfo:
    return TokenInfo(
        hint=token.hint,
        kind=token.kind,
        key_name=token.key_name,
        client_id=token.client_id,
        capability=token.capability,
        issued=token.issued,
        expires=token.expires,
        revocable=token.revocable,
        revocation_key=token.revocation_key,
    )


def issued_token(token: TokenRecord) -> IssuedToken:
    """A stored token as the inspector's ``TokenLookup`` describes it."""
    return IssuedToken(
        token.key_name,
        token.issued,
        token.expires,
        token.capability,
        token.client_id,
        token.revocable,
        token.revocation_key,
    )


def store_lookup(store: Store) -> TokenLookup:
    """The inspector's lookup over a sandbox store (the running sandbox's, or its file)."""

    def lookup(token: str) -> IssuedToken | None:
        record = store.token(token.strip())
        return issued_token(record) if record is not None else None

    return lookup


def connection_info(session: Session) -> ConnectionInfo:
    link = session.link
    connected = link is not None and link.alive
    return ConnectionInfo(
        connection_id=session.connection_id,
        client_id=session.identity.client_id,
        identity=session.identity.kind,
        key_name=session.creds.key_name,
        credential=session.creds.describe(),
        token_expires=session.creds.expires,
        opened_ms=session.opened_ms,
        connected=connected,
        channels=tuple(sorted(session.attached)),
        format=link.fmt if link is not None else None,
    )
