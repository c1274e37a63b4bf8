"""Why would Ably reject this TokenRequest? (RSA9g; REST requestToken checks)

``request_findings`` checks what needs no key: timestamp window (40104), nonce length, ttl units
and limits (40003), capability and clientId validity. ``diagnose_token_request`` adds the MAC:
when it does not verify it re-signs the usual mistakes (capability re-serialised after signing,
ttl or timestamp in the other unit, a field dropped or added, no trailing newline, a
base64-decoded secret, hex or base64url output) and says which bytes were actually signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tokenlab.core import findings as fnd
from tokenlab.core.capability import Capability
from tokenlab.core.errors import CapabilityError, UserError
from tokenlab.core.findings import Finding, Severity, sort_findings
from tokenlab.core.keys import ApiKey
from tokenlab.core.timefmt import duration, iso_utc, relative
from tokenlab.core.tokens import (
    MAX_REVOCABLE_TTL_MS,
    MAX_TTL_MS,
    MIN_NONCE_LENGTH,
    TIMESTAMP_WINDOW_MS,
    TokenRequest,
    compute_mac,
    verify_mac,
)

_SECONDS_LIMIT = 100_000_000_000  # timestamps below this are seconds, not ms
_SECONDS_TTL_MAX = 86_400  # a ttl this small is probably meant in seconds


@dataclass(frozen=True)
class MacMatch:
    description: str  # what was actually signed, in words
    signed_text: str  # the exact sign text (or the request's, for encoding/secret mistakes)


@dataclass(frozen=True)
class Diagnosis:
    request: TokenRequest | None
    key_name: str
    sign_text: str | None  # the sign text of the request as received
    expected_mac: str | None  # what the MAC should be for the request as received
    mac_ok: bool
    matched: MacMatch | None  # the mistake that reproduces the received MAC, if found
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def ably_code(self) -> int | None:
        """The Ably code of the first error (the one Ably would most likely report)."""
        return next(
            (f.ably_code for f in self.findings if f.severity is Severity.ERROR and f.ably_code),
            None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "ablyCode": self.ably_code,
            "keyName": self.key_name,
            "signText": self.sign_text,
            "expectedMac": self.expected_mac,
            "macOk": self.mac_ok,
            "matched": {
                "description": self.matched.description,
                "signedText": self.matched.signed_text,
            }
            if self.matched
            else None,
            "findings": [f.to_dict() for f in self.findings],
        }


# ---- checks that need no key ------------------------------------------------------------------


def _timestamp(ts: int, now_ms: int) -> Finding | None:
    if 0 < ts < _SECONDS_LIMIT:
        return fnd.error(
            "token_request.timestamp_in_seconds",
            f"timestamp {ts} looks like seconds ({iso_utc(ts * 1000)}); Ably expects "
            "milliseconds, so it is far outside the 2-minute window.",
            "Use milliseconds since 1970 (Date.now(), time.time() * 1000).",
            40104,
        )
    if abs(now_ms - ts) > TIMESTAMP_WINDOW_MS:
        return fnd.error(
            "token_request.timestamp_not_current",
            f"timestamp {iso_utc(ts)} is {relative(ts, now_ms)}; Ably accepts TokenRequests "
            "only within 2 minutes of its own clock (Timestamp not current).",
            "Create the TokenRequest just before it is used, and fix clock skew (queryTime).",
            40104,
        )
    return None


def _nonce(request: TokenRequest) -> Finding | None:
    if request.nonce is None:
        if request.mac is None:
            return None
        return fnd.error(
            "token_request.no_nonce",
            "A signed TokenRequest needs a nonce.",
            "Add a random nonce of at least 16 characters.",
            40001,
        )
    if len(request.nonce) < MIN_NONCE_LENGTH:
        return fnd.error(
            "token_request.nonce_short",
            f"The nonce has {len(request.nonce)} characters; Ably requires at least "
            f"{MIN_NONCE_LENGTH}.",
            "Use 16 or more random characters (e.g. secrets.token_hex(8)).",
        )
    return None


def _ttl(ttl: int | None) -> Finding | None:
    if ttl is None:
        return fnd.info(
            "token_request.default_ttl", "No ttl: Ably issues the token for the default 60 minutes."
        )
    if ttl < 0:
        return fnd.error("token_request.ttl_negative", f"ttl {ttl} is negative.", None, 40003)
    if ttl > MAX_TTL_MS:
        return fnd.error(
            "token.ttl_too_long",
            f"ttl {duration(ttl)} exceeds Ably's maximum of 24 h.",
            "Request at most 86400000 ms and let the SDK renew.",
            40003,
        )
    if ttl > MAX_REVOCABLE_TTL_MS:
        return fnd.warning(
            "token.ttl_over_revocable_limit",
            f"ttl {duration(ttl)}: over 1 h, which keys with revocable tokens reject (40003).",
            None,
            40003,
        )
    if ttl <= _SECONDS_TTL_MAX:
        return fnd.warning(
            "token_request.ttl_seconds",
            f"ttl {ttl} is milliseconds, so the token lives only {duration(ttl)}. "
            f"Did you mean {ttl} seconds ({ttl * 1000} ms, {duration(ttl * 1000)})?",
            "TTLs in TokenRequests are milliseconds (JWT times are seconds).",
        )
    return None


def _capability(raw: str | None) -> Finding | None:
    if raw is None:
        return None
    try:
        canonical = Capability.parse(raw).canonical()
    except CapabilityError as exc:
        return fnd.from_user_error(exc)
    except RecursionError:
        return fnd.error("capability.not_json", "The capability is nested too deeply.", None, 40000)
    if canonical != raw:
        return fnd.info(
            "capability.not_canonical",
            f"The capability is not in canonical form ({canonical}). Ably MACs the bytes as "
            "sent, so this is fine as long as the MAC was computed over exactly these bytes.",
        )
    return None


def _client_id(client_id: str | None) -> Finding | None:
    if client_id == "":
        return fnd.error(
            "client_id.empty",
            "clientId is an empty string.",
            "Omit clientId for an anonymous token.",
            40012,
        )
    if client_id == "*":
        return fnd.info(
            "client_id.wildcard", "clientId '*': the token may use any clientId per message."
        )
    return None


def request_findings(request: TokenRequest, now_ms: int) -> list[Finding]:
    """Every problem visible without the key secret."""
    checks = (
        _timestamp(request.timestamp, now_ms),
        _nonce(request),
        _ttl(request.ttl),
        _capability(request.capability),
        _client_id(request.client_id),
    )
    found = [f for f in checks if f is not None]
    if request.mac is None:
        found.append(
            fnd.info(
                "token_request.unsigned",
                "Unsigned (no mac): exchanging it requires Basic auth with the key.",
            )
        )
    return found


# ---- the MAC ------------------------------------------------------------------------------


def _mac(secret: bytes, text: str) -> bytes:
    return hmac.new(secret, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def _capability_variants(raw: str | None) -> Iterator[tuple[str | None, str]]:
    if raw is None:
        yield '{"*":["*"]}', 'the default capability {"*":["*"]} (ably-go fills it in)'
        yield '{"*": ["*"]}', 'the default capability {"*": ["*"]}'
        return
    yield None, "no capability at all (it was added after signing)"
    try:
        obj = json.loads(raw)
        canonical = Capability.parse(raw).canonical()
    except (ValueError, RecursionError, CapabilityError):
        return
    styles = (
        (canonical, "the canonical compact form (ably-js style)"),
        (json.dumps(obj, sort_keys=True), "the sorted, spaced json.dumps form (ably-python style)"),
        (json.dumps(obj), "the spaced json.dumps form"),
        (json.dumps(obj, separators=(",", ":")), "the compact form in the original key order"),
        (json.dumps(obj, indent=2), "a pretty-printed form"),
    )
    for text, words in styles:
        if text != raw:
            yield text, f"{text!r}, {words}"


def _field_variants(r: TokenRequest, key_name: str) -> Iterator[tuple[TokenRequest, str]]:
    for cap, words in _capability_variants(r.capability):
        what = "capability bytes" if cap is not None else "request"
        yield (
            replace(r, capability=cap),
            (
                f"The MAC was computed over {words}, but the request carries "
                f"{r.capability!r}: the {what} changed after signing. Send the exact string that "
                "was signed."
            ),
        )
    if r.ttl:
        yield replace(r, ttl=None), "The MAC was computed without ttl, which was added later."
        if r.ttl % 1000 == 0:
            yield (
                replace(r, ttl=r.ttl // 1000),
                "The MAC signed ttl in seconds; the request has ms.",
            )
        yield replace(r, ttl=r.ttl * 1000), "The MAC signed ttl in ms; the request has seconds."
    else:
        yield replace(r, ttl=3_600_000), "The MAC signed ttl 3600000, which the request omits."
    if r.client_id:
        yield replace(r, client_id=None), "The MAC was computed without the clientId."
    yield replace(r, timestamp=r.timestamp // 1000), "The MAC signed the timestamp in seconds."
    yield replace(r, timestamp=r.timestamp * 1000), "The MAC signed the timestamp in ms."
    if key_name != r.key_name:
        yield replace(r, key_name=key_name), f"The MAC was computed with keyName {key_name}."


def _encoding_mismatch(mac: str, digest: bytes) -> str | None:
    forms = {
        digest.hex(): "hex",
        base64.urlsafe_b64encode(digest).decode(): "base64url",
        base64.urlsafe_b64encode(digest).decode().rstrip("="): "unpadded base64url",
        base64.b64encode(digest).decode().rstrip("="): "base64 without '=' padding",
    }
    form = forms.get(mac.strip())
    return (
        f"The MAC is right but encoded as {form}; Ably expects standard base64." if form else None
    )


def _secret_variants(key: ApiKey) -> Iterator[tuple[bytes, str]]:
    try:
        decoded = base64.b64decode(key.secret + "=" * (-len(key.secret) % 4), validate=False)
    except (binascii.Error, ValueError):
        decoded = b""
    if decoded and decoded != key.secret.encode():
        yield decoded, "The MAC was keyed with the base64-DECODED secret; Ably uses its UTF-8 text."
    yield key.full().encode(), "The MAC was keyed with the whole key string, not just the secret."


def find_mac_mistake(request: TokenRequest, key: ApiKey) -> MacMatch | None:
    """Reproduce a wrong MAC by replaying the usual signing mistakes."""
    mac = (request.mac or "").strip()
    secret = key.secret.encode("utf-8", "surrogatepass")
    text = request.sign_text()
    digest = _mac(secret, text)
    if note := _encoding_mismatch(mac, digest):
        return MacMatch(note, text)
    if hmac.compare_digest(base64.b64encode(_mac(secret, text[:-1])).decode(), mac):
        return MacMatch(
            "The MAC was computed without the final newline after the nonce.", text[:-1]
        )
    for other, words in _secret_variants(key):
        if base64.b64encode(_mac(other, text)).decode() == mac:
            return MacMatch(words, text)
    for variant, words in _field_variants(request, key.name):
        signed = variant.sign_text()
        if base64.b64encode(_mac(secret, signed)).decode() == mac:
            return MacMatch(words, signed)
    return None


def _mac_findings(
    request: TokenRequest, key: ApiKey
) -> tuple[bool, str, MacMatch | None, list[Finding]]:
    expected = compute_mac(key.secret, request.sign_text())
    found: list[Finding] = []
    if request.key_name != key.name:
        found.append(
            fnd.error(
                "token_request.key_name_mismatch",
                f"The request names key {request.key_name!r}, but the key given is {key.name!r}; "
                "Ably looks the key up by keyName.",
                "Sign with the key named in keyName, or fix keyName.",
                40101,
            )
        )
    if request.mac is None:
        return False, expected, None, found
    if verify_mac(replace(request, mac=request.mac.strip()), key.secret):
        found.append(fnd.info("mac.ok", f"The MAC verifies with the key {key.name}."))
        return True, expected, None, found
    match = find_mac_mistake(request, key)
    message = (
        match.description
        if match
        else (
            "The MAC does not match: the secret is wrong, or a field changed after signing "
            "(tokenlab tried the usual re-serialisations and unit mistakes)."
        )
    )
    found.append(fnd.error("mac.mismatch", message, f"The correct MAC is {expected}.", 40101))
    return False, expected, match, found


def parse_request(
    value: TokenRequest | Mapping[str, Any] | str,
) -> tuple[TokenRequest | None, list[Finding]]:
    """A TokenRequest from an object or JSON text; a capability *object* is re-serialised
    compactly (and reported), so the remaining checks can still run."""
    if isinstance(value, TokenRequest):
        return value, []
    found: list[Finding] = []
    try:
        data = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError) as exc:
        return None, [fnd.error("token_request.not_json", f"Not JSON: {exc}", None, 40001)]
    if isinstance(data, Mapping) and isinstance(data.get("capability"), Mapping):
        data = dict(data)
        data["capability"] = json.dumps(data["capability"], separators=(",", ":"))
        found.append(
            fnd.error(
                "capability.object_not_string",
                "capability is a JSON object; a TokenRequest carries it as a JSON string: the "
                "exact bytes that were signed.",
                "Send capability as a string.",
                40001,
            )
        )
    try:
        return TokenRequest.from_dict(data), found
    except UserError as exc:
        return None, [*found, fnd.from_user_error(exc)]
    except (ValueError, TypeError) as exc:  # e.g. a non-ASCII digit string such as "²"
        return None, [
            *found,
            fnd.error("token_request.unreadable", f"Unreadable: {exc}", None, 40001),
        ]


def diagnose_token_request(
    request: TokenRequest | Mapping[str, Any] | str, key: ApiKey, *, now_ms: int
) -> Diagnosis:
    """Everything that would make Ably reject ``request`` when it is exchanged with ``key``."""
    parsed, found = parse_request(request)
    if parsed is None:
        return Diagnosis(None, key.name, None, None, False, None, sort_findings(found))
    mac_ok, expected, match, mac_found = _mac_findings(parsed, key)
    found += mac_found + request_findings(parsed, now_ms)
    return Diagnosis(
        parsed, key.name, parsed.sign_text(), expected, mac_ok, match, sort_findings(found)
    )
