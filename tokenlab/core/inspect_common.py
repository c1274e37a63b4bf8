"""Checks the inspector applies to every token kind: times and lifetime, capability, identity.

All functions add findings to a ``ReportBuilder`` and never raise on odd values (strings where
numbers belong, objects where strings belong, milliseconds where seconds belong).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tokenlab.core import findings as fnd
from tokenlab.core.capability import Capability
from tokenlab.core.clientid import Identity, identity_of_token
from tokenlab.core.errors import CapabilityError
from tokenlab.core.issued import IssuedToken, TokenLookup
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import CapabilityView, InspectionReport, ReportBuilder
from tokenlab.core.timefmt import TimeInfo, duration, iso_utc, relative, year
from tokenlab.core.tokens import MAX_REVOCABLE_TTL_MS, MAX_TTL_MS

MS_THRESHOLD_S = 100_000_000_000  # a "seconds" value this large is year 5138+: it is ms
IAT_SKEW_MS = 5_000
RENEWAL_LEAD_MS = 30_000
MAX_DEPTH = 3


@dataclass(frozen=True)
class Context:
    now_ms: int
    keys: Mapping[str, ApiKey] = field(default_factory=dict)
    key_capabilities: Mapping[str, Capability] = field(default_factory=dict)
    depth: int = 0
    # inspects a nested token (set by the inspector; avoids an import cycle)
    inspect_nested: Callable[[str, Context], InspectionReport] | None = None
    lookup: TokenLookup | None = None  # asks the issuer (the embedded sandbox) about a token

    def nested(self, token: str) -> InspectionReport | None:
        if self.inspect_nested is None or self.depth >= MAX_DEPTH:
            return None
        deeper = replace(self, depth=self.depth + 1)
        return self.inspect_nested(token, deeper)

    def issued(self, token: str) -> IssuedToken | None:
        """What the issuer knows about ``token`` (None: not asked, or not one of its own)."""
        if self.lookup is None:
            return None
        try:
            return self.lookup(token)
        except Exception:
            return None


# ---- times -------------------------------------------------------------------------------


def seconds_claim_ms(claims: Mapping[str, Any], name: str, b: ReportBuilder) -> int | None:
    """A JWT NumericDate claim in ms, with findings for strings, fractions and ms values."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        b.add(
            fnd.error(
                f"jwt.{name}_type",
                f"{name} must be a number of seconds, not {type(value).__name__} {value!r:.40}.",
                f"Write {name} as a JSON number, e.g. {name}: 1700000000.",
                40144,
            )
        )
        return None
    if isinstance(value, float) and not math.isfinite(value):
        b.add(fnd.error(f"jwt.{name}_type", f"{name} is {value}, not a time.", None, 40144))
        return None
    if isinstance(value, float) and not value.is_integer():
        b.add(
            fnd.warning(
                f"jwt.{name}_fraction",
                f"{name} has a fractional part ({value}).",
                f"Use whole seconds for {name}.",
            )
        )
    if abs(value) >= MS_THRESHOLD_S:
        as_read = int(value) * 1000
        b.add(
            fnd.error(
                f"jwt.{name}_in_ms",
                f"{name} = {int(value)} looks like milliseconds. Ably reads JWT times as seconds, "
                f"which puts it in the year {year(as_read):,}; meant as milliseconds it would be "
                f"{iso_utc(int(value))}.",
                f"JWT times are in seconds: divide by 1000 ({int(value) // 1000}).",
            )
        )
        return as_read  # the times shown are the ones Ably would use
    return int(value * 1000)


def check_expiry(exp_ms: int, now_ms: int, b: ReportBuilder) -> None:
    if exp_ms <= now_ms:
        b.add(
            fnd.error(
                "token.expired",
                f"The token expired {relative(exp_ms, now_ms)} (at {iso_utc(exp_ms)}).",
                "Get a new token; SDKs renew automatically with a key, authUrl or authCallback.",
                40142,
            )
        )
    elif exp_ms - now_ms <= RENEWAL_LEAD_MS:
        b.add(
            fnd.info(
                "token.expiring_soon",
                f"The token expires {relative(exp_ms, now_ms)}; Ably asks connected clients to "
                "reauthorise about 30 s before expiry.",
            )
        )


def check_issued(iat_ms: int, now_ms: int, b: ReportBuilder, *, field_name: str) -> None:
    ahead = iat_ms - now_ms
    if ahead > IAT_SKEW_MS:
        b.add(
            fnd.error(
                "token.issued_in_future",
                f"{field_name} is {duration(ahead)} in the future ({iso_utc(iat_ms)}): Ably "
                "answers 'issuedAt time must not be in the future' and the client fails.",
                "Check the clock of the server that issues tokens (use NTP), or Ably's /time.",
                40001,
            )
        )
    elif ahead > 0:
        b.add(
            fnd.info(
                "token.issued_slightly_ahead",
                f"{field_name} is {duration(ahead)} ahead of this clock (small skew).",
            )
        )


def check_lifetime(ttl_ms: int, b: ReportBuilder, *, what: str = "token") -> None:
    """Ably's token TTL limits: 24 h, 1 h for revocable keys; 40003 beyond."""
    b.lifetime_ms = ttl_ms
    if ttl_ms <= 0:
        b.add(
            fnd.error(
                "token.ttl_not_positive",
                f"The {what} lifetime is {ttl_ms} ms: it expires before it is issued.",
                "Expiry must come after issue time.",
                40003,
            )
        )
    elif ttl_ms > MAX_TTL_MS:
        b.add(
            fnd.error(
                "token.ttl_too_long",
                f"The {what} lifetime is {duration(ttl_ms)}; Ably allows at most 24 h.",
                "Issue shorter-lived tokens and let the SDK renew them.",
                40003,
            )
        )
    elif ttl_ms > MAX_REVOCABLE_TTL_MS:
        b.add(
            fnd.warning(
                "token.ttl_over_revocable_limit",
                f"The {what} lifetime is {duration(ttl_ms)}: fine for ordinary keys, but a key "
                "with revocable tokens enabled allows at most 1 h (tokenlab cannot tell which "
                "kind of key this is).",
                "Keep TTLs at 1 h or less for keys with revocable tokens.",
                40003,
            )
        )


def add_time(b: ReportBuilder, name: str, label: str, ms: int | None, now_ms: int) -> None:
    if ms is not None:
        b.times.append(TimeInfo.at(name, label, ms, now_ms))


# ---- capability and identity ---------------------------------------------------------------


def _object_capability(raw: Mapping[str, Any], where: str, b: ReportBuilder) -> Capability | None:
    compact = json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str)
    b.add(
        fnd.error(
            "capability.object_not_string",
            f"{where} is a JSON object, but Ably requires a string that contains the JSON: "
            f"not {compact[:80]} but {json.dumps(compact)[:100]}.",
            "Serialise the capability (JSON.stringify / json.dumps) and send that string.",
            40144 if where.startswith("x-ably") else 40001,
        )
    )
    try:
        return Capability.parse(raw)
    except CapabilityError:
        return None


def capability_view(
    raw: Any, ctx: Context, key_name: str | None, b: ReportBuilder, *, where: str
) -> CapabilityView:
    """Parse and explain a capability field; intersect it with the key's when known."""
    key_cap = ctx.key_capabilities.get(key_name) if key_name else None
    if raw is None:
        b.add(
            fnd.info(
                "capability.absent",
                f"No {where}: the token gets the full capability of the key that issued it.",
            )
        )
        lines = tuple(key_cap.explain()) if key_cap else ()
        return CapabilityView(None, None, "the issuing key's capability", key_cap, lines)
    parsed: Capability | None = None
    text = raw if isinstance(raw, str) else None
    if isinstance(raw, Mapping):
        parsed = _object_capability(raw, where, b)
    elif text is None:
        b.add(
            fnd.error(
                "capability.not_string",
                f"{where} must be a JSON string, not {type(raw).__name__}.",
                None,
                40000,
            )
        )
    else:
        try:
            parsed = Capability.parse(text)
        except CapabilityError as exc:
            b.add(fnd.from_user_error(exc))
        except RecursionError:
            b.add(fnd.error("capability.not_json", f"{where} is nested too deeply.", None, 40000))
    effective = _intersect(parsed, key_cap, key_name, b)
    best = effective or parsed
    lines = tuple(best.explain()) if best else ()
    return CapabilityView(text, parsed, where, effective, lines)


def _intersect(
    parsed: Capability | None, key_cap: Capability | None, key_name: str | None, b: ReportBuilder
) -> Capability | None:
    if parsed is None or key_cap is None:
        return None
    try:
        effective = parsed.intersect(key_cap)
    except CapabilityError as exc:
        b.add(
            fnd.error(
                "capability.empty_intersection",
                f"{exc.message} The key {key_name} allows {key_cap.canonical()}.",
                exc.fix,
                40160,
            )
        )
        return None
    if effective != parsed:
        b.add(
            fnd.info(
                "capability.narrowed",
                f"The key {key_name} narrows the capability to {effective.canonical()}.",
            )
        )
    return effective


def identity_for(raw: Any, b: ReportBuilder, *, where: str) -> Identity | None:
    """The identity a token's clientId gives, with findings for '*', '' and non-strings."""
    if raw is not None and not isinstance(raw, str):
        b.add(
            fnd.error(
                "client_id.not_string",
                f"{where} must be a string, not {type(raw).__name__}.",
                None,
                40012,
            )
        )
        return None
    if raw == "":
        b.add(
            fnd.error(
                "client_id.empty",
                f"{where} is an empty string, which Ably rejects.",
                f"Omit {where} for an anonymous token.",
                40012,
            )
        )
        return None
    if raw == "*":
        b.add(
            fnd.warning(
                "client_id.wildcard",
                f"{where} '*' is a wildcard: the client may publish as any clientId, and has no "
                "identity of its own (no presence without choosing one).",
                "If this token is for one user, put their clientId here instead of '*'.",
            )
        )
    return identity_of_token(raw)
