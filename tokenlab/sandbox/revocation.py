"""Token revocation (spec RSA17): targets, the in-memory index, BatchResult.

A revocation names a key, a target (``clientId:x``, ``revocationKey:y`` or ``channel:z``), an
``issuedBefore`` time and an ``appliesAt`` time (now, or now + the reauth margin). A token is
revoked when it comes from a revocable key, was issued before ``issuedBefore``, matches the target,
and the current time is at or past ``appliesAt``. The index mirrors the store's ``revocations``
table so that every credential check is a cheap in-memory scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tokenlab.core.errors import AblyError
from tokenlab.sandbox.store import RevocationRecord

if TYPE_CHECKING:
    from tokenlab.sandbox.auth import Credentials

TARGET_TYPES = ("clientId", "revocationKey", "channel")
MAX_TARGETS = 100
MAX_ISSUED_BEFORE_AGE_MS = 3_600_000
# UNCERTAIN: Ably documents no skew tolerance for a JWT iat "in the future" (only that a small
# one is allowed); 5 s keeps honest clients with slightly fast clocks working.
# The authenticator accepts an iat up to this far ahead, so revocation must reach that far too.
IAT_TOLERANCE_MS = 5_000


@dataclass(frozen=True)
class Target:
    type: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.type}:{self.value}"


@dataclass(frozen=True)
class TargetResult:
    """One element of the BatchResult: success (``issued_before``) or ``error``."""

    target: str
    issued_before: int | None = None
    applies_at: int | None = None
    error: AblyError | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"target": self.target, "error": self.error.error_info()}
        return {
            "target": self.target,
            "issuedBefore": self.issued_before,
            "appliesAt": self.applies_at,
        }


def batch_result(results: Iterable[TargetResult]) -> dict[str, Any]:
    items = list(results)
    failures = sum(1 for r in items if r.error is not None)
    return {
        "successCount": len(items) - failures,
        "failureCount": failures,
        "results": [r.to_dict() for r in items],
    }


def parse_target(text: Any) -> Target:
    """``type:value`` split at the first ``:``; 40000/400 for anything else."""
    if not isinstance(text, str) or ":" not in text:
        raise AblyError(40000, f"Invalid revocation target {text!r:.80}: expected 'type:value'.")
    kind, _, value = text.partition(":")
    if kind not in TARGET_TYPES:
        raise AblyError(
            40000,
            f"Invalid revocation target type {kind!r}: use clientId, revocationKey or channel.",
        )
    if not value:
        raise AblyError(40000, f"Invalid revocation target {text!r}: the value is empty.")
    return Target(kind, value)


@dataclass(frozen=True)
class RevokeRequest:
    targets: tuple[Any, ...]
    issued_before: int | None
    allow_reauth_margin: bool


def parse_revoke_body(body: Any) -> RevokeRequest:
    if not isinstance(body, Mapping):
        raise AblyError(40001, "The revokeTokens body must be an object with 'targets'.")
    raw = {str(k.decode() if isinstance(k, bytes) else k): v for k, v in body.items()}
    targets = raw.get("targets")
    if not isinstance(targets, list | tuple) or not targets:
        raise AblyError(40001, "revokeTokens needs a non-empty 'targets' list.")
    if len(targets) > MAX_TARGETS:
        raise AblyError(40003, f"revokeTokens takes at most {MAX_TARGETS} targets.")
    issued_before = raw.get("issuedBefore")
    if issued_before is not None and (
        isinstance(issued_before, bool) or not isinstance(issued_before, int)
    ):
        raise AblyError(40003, "issuedBefore must be an integer number of milliseconds.")
    margin = raw.get("allowReauthMargin", False)
    if margin not in (True, False, None):
        raise AblyError(40003, "allowReauthMargin must be a boolean.")
    return RevokeRequest(tuple(targets), issued_before, bool(margin))


def check_issued_before(issued_before: int, now: int) -> None:
    if issued_before > now:
        raise AblyError(40003, "issuedBefore may not be in the future.")
    if issued_before < now - MAX_ISSUED_BEFORE_AGE_MS:
        raise AblyError(40003, "issuedBefore may not be more than 1 hour in the past.")


def target_matches(record: RevocationRecord, creds: Credentials) -> bool:
    if record.target_type == "clientId":
        return creds.client_id == record.target_value
    if record.target_type == "revocationKey":
        return creds.revocation_key == record.target_value
    if record.target_type == "channel":
        return record.target_value in creds.capability.resources
    return False


class RevocationIndex:
    """All revocations, by key name."""

    def __init__(self, records: Iterable[RevocationRecord] = ()) -> None:
        self._by_key: dict[str, list[RevocationRecord]] = {}
        for record in records:
            self.add(record)

    def add(self, record: RevocationRecord) -> None:
        self._by_key.setdefault(record.key_name, []).append(record)

    def drop_app(self, app_id: str) -> None:
        for name in [k for k, v in self._by_key.items() if v and v[0].app_id == app_id]:
            del self._by_key[name]

    def match(
        self, creds: Credentials, now: int, *, pending: bool = False
    ) -> RevocationRecord | None:
        """The revocation that applies to ``creds`` now (or, with ``pending``, one that will
        apply once its ``appliesAt`` arrives)."""
        if creds.basic or not creds.revocable or creds.issued is None:
            return None
        # A JWT's iat is the client's claim and may lie up to the tolerated skew in the future:
        # a token cannot escape a revocation by post-dating itself.
        issued = creds.issued - (IAT_TOLERANCE_MS if creds.kind == "jwt" else 0)
        for record in self._by_key.get(creds.key_name, ()):
            if issued >= record.issued_before:
                continue  # "issued before" is exclusive: a token of the same ms survives
            if not pending and now < record.applies_at:
                continue
            if target_matches(record, creds):
                return record
        return None

    def next_applies_at(self, now: int) -> int | None:
        """The earliest future ``appliesAt`` (for enforcing margins on live connections)."""
        future = [r.applies_at for rs in self._by_key.values() for r in rs if r.applies_at > now]
        return min(future) if future else None
