"""Tokens whose issuer can be asked about them: an opaque Ably token carries nothing readable,
but the embedded sandbox remembers every token it issued (clientId, capability, times, key,
revocation key). The inspector takes a ``TokenLookup`` and describes such a token fully.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IssuedToken:
    key_name: str
    issued: int
    expires: int
    capability: str  # the capability the token was issued with (JSON text)
    client_id: str | None
    revocable: bool
    revocation_key: str | None
    issuer: str = "the embedded sandbox"


TokenLookup = Callable[[str], IssuedToken | None]
