"""What the Live tab's Revoke button will do, said before it does it, and what it did.

``plan_revoke`` picks the revocation target for a connection: its clientId when the token
names one, else (wildcard or anonymous token) the token's revocation key when it has one,
else nothing, with the reason. ``describe_result`` names how many tokens and connections the
revocation hit and when it applies, as a relative time. No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tokenlab.core import timefmt
from tokenlab.core.ably_jwt import CLAIM_REVOCATION_KEY
from tokenlab.realtime.rest import RevokeOutcome


@dataclass(frozen=True)
class RevokePlan:
    target: str | None  # "clientId:alice", "revocationKey:k1"; None: nothing can be revoked
    before: str  # what it will do (or why it cannot), for the button's tooltip and status


def revocation_key(jwt_claims: Mapping[str, Any] | None) -> str | None:
    value = (jwt_claims or {}).get(CLAIM_REVOCATION_KEY)
    return value if isinstance(value, str) and value else None


def plan_revoke(
    name: str, client_id: str | None, jwt_claims: Mapping[str, Any] | None, key_name: str | None
) -> RevokePlan:
    if key_name is None:
        return RevokePlan(None, f"{name}: no API key known to revoke its tokens with.")
    if client_id not in (None, "*"):
        return RevokePlan(
            f"clientId:{client_id}",
            f"Revokes every token key {key_name} issued to clientId {client_id!r} until now: "
            "connections using them are disconnected with 40141 and renewals are refused "
            "while the revocation applies.",
        )
    what = "wildcard ('*')" if client_id == "*" else "anonymous (no clientId)"
    key = revocation_key(jwt_claims)
    if key is None:
        return RevokePlan(
            None,
            f"{name}'s token is {what}: revoking by clientId would match nothing, and the "
            "token has no revocation key (x-ably-revocation-key) to revoke it by.",
        )
    return RevokePlan(
        f"revocationKey:{key}",
        f"{name}'s token is {what}, so a clientId revocation would match nothing: revokes "
        f"by its revocation key {key!r} instead (every token of key {key_name} carrying it).",
    )


def describe_result(
    outcomes: Sequence[RevokeOutcome], tokens: int | None, connections: int, now_ms: int
) -> str:
    """``clientId:alice revoked (applies now): 3 tokens, 1 connection of this session``."""
    parts = []
    for outcome in outcomes:
        if outcome.error:
            parts.append(f"{outcome.target}: failed ({outcome.error})")
            continue
        when = (
            timefmt.relative(outcome.applies_at, now_ms)
            if outcome.applies_at is not None
            else "now"
        )
        parts.append(f"{outcome.target} revoked (applies {when})")
    hit_tokens = "tokens unknown (not the embedded sandbox)" if tokens is None else (
        f"{tokens} token{'s' if tokens != 1 else ''}"
    )  # fmt: skip
    hit = f"{hit_tokens}, {connections} connection{'s' if connections != 1 else ''} hit"
    return "; ".join(parts or ["no answer"]) + f": {hit}"
