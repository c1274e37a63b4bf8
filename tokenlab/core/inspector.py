"""The token inspector: anything a user may paste in, a typed report out. It never raises.

Accepted: a raw JWT (Ably, embedded-token or other, JWE), ``Bearer …`` or a whole
``Authorization:`` line (base64 credentials decoded), quoted text, URLs with ``access_token=`` /
``accessToken=`` / ``key=``, TokenRequest / TokenDetails / capability JSON, opaque Ably tokens and
API keys (reported loudly: they contain the secret). Anything else gets a report saying what it
looks like instead. The analysis lives in ``inspect_jwt`` and ``inspect_json``; this module
unwraps the input, picks the analysis and adds what is common to all (size, wrappers, notes).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from tokenlab.core import findings as fnd
from tokenlab.core.capability import Capability
from tokenlab.core.clientid import resolve_identity
from tokenlab.core.errors import CapabilityError, KeyFormatError
from tokenlab.core.inspect_common import Context
from tokenlab.core.inspect_issued import describe_issued
from tokenlab.core.inspect_json import analyse_json
from tokenlab.core.inspect_jwt import analyse_jwt
from tokenlab.core.issued import TokenLookup
from tokenlab.core.keys import ApiKey
from tokenlab.core.report import (
    InspectionReport,
    Part,
    ReportBuilder,
    Segment,
    SignatureCheck,
    SignatureStatus,
    TokenKind,
)
from tokenlab.core.sniff import b64_text, describe, unwrap
from tokenlab.core.tokens import MAX_TOKEN_LENGTH

__all__ = ["InspectionReport", "TokenKind", "inspect"]

log = logging.getLogger(__name__)
ANALYSIS_LIMIT = 4 * 1024 * 1024  # beyond this, only describe the input
_SEG = r"[A-Za-z0-9_\-+/]+={0,2}"
_JWT_SHAPE = re.compile(rf"{_SEG}\.{_SEG}\.(?:{_SEG})?")
_JWE_SHAPE = re.compile(rf"{_SEG}\.(?:{_SEG})?\.{_SEG}\.{_SEG}\.(?:{_SEG})?")
_ABLY_TOKEN = re.compile(r"([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_\-+/=]{8,})")
_KEYISH = re.compile(r"[^:\s.]+\.[^:\s.]+:\S*")


def inspect(
    text: str | bytes,
    *,
    now_ms: int,
    known_keys: Sequence[ApiKey] = (),
    key_capabilities: Mapping[str, Capability | str] | None = None,
    lookup: TokenLookup | None = None,
) -> InspectionReport:
    """Inspect anything pasted. ``known_keys`` verify signatures and MACs by key name;
    ``key_capabilities`` (key name -> capability) gives the effective capability; ``lookup``
    asks the embedded sandbox about tokens it issued."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    try:
        ctx = Context(
            now_ms,
            {k.name: k for k in known_keys},
            _capabilities(key_capabilities),
            0,
            _nested,
            lookup,
        )
        return _inspect(str(text), ctx)
    except Exception as exc:  # the last line of defence: a paste must never crash the app
        log.exception("inspector failed on a %d-character input", len(text))
        return InspectionReport(
            kind=TokenKind.NOT_A_TOKEN,
            summary="The inspector failed on this input",
            input_length=len(text),
            findings=(
                fnd.error(
                    "inspector.internal_error",
                    f"tokenlab could not analyse this input ({type(exc).__name__}). "
                    "This is a bug in tokenlab; please report it.",
                ),
            ),
        )


def _capabilities(raw: Mapping[str, Capability | str] | None) -> dict[str, Capability]:
    out: dict[str, Capability] = {}
    for name, cap in (raw or {}).items():
        try:
            out[name] = cap if isinstance(cap, Capability) else Capability.parse(cap)
        except CapabilityError:
            continue
    return out


def _nested(token: str, ctx: Context) -> InspectionReport:
    inner = unwrap(token)
    report = _classify(inner.text, inner.offset, ctx, len(token))
    return replace(report, notes=(*inner.notes, *report.notes))


def _inspect(text: str, ctx: Context) -> InspectionReport:
    n = len(text)
    if n > ANALYSIS_LIMIT:
        report = _not_a_token(text[:4096], n, extra=" (only the start was examined)")
    else:
        u = unwrap(text)
        report = _classify(u.text, u.offset, ctx, n)
        wrappers = tuple(Segment(Part.WRAPPER, a, b) for a, b in u.wrappers)
        extra = _via_findings(u.via, report.kind)
        report = replace(
            report,
            segments=tuple(sorted((*wrappers, *report.segments), key=lambda s: s.start)),
            notes=(*u.notes, *report.notes),
            findings=fnd.sort_findings((*report.findings, *extra)),
        )
    if n > MAX_TOKEN_LENGTH and report.kind is not TokenKind.EMPTY:
        too_long = fnd.error(
            "token.too_long",
            f"{n} characters: more than the 128 KiB a token may have ({MAX_TOKEN_LENGTH}, RSA4f). "
            "Ably has no error code of its own for a pasted token this long.",
            "Check what was pasted; tokens are usually a few hundred characters.",
        )
        report = replace(report, findings=fnd.sort_findings((too_long, *report.findings)))
    return report


def _via_findings(via: str | None, kind: TokenKind) -> list[fnd.Finding]:
    if via == "query:key" and kind is TokenKind.API_KEY:
        return [
            fnd.warning(
                "key.in_url",
                "Ably accepts it, but the URL carries the API key in key=: anyone who sees "
                "the URL (logs, proxies, browser history) has the secret.",
                "Use token auth (access_token=) in URLs.",
            )
        ]
    if via == "basic" and kind is TokenKind.API_KEY:
        return [
            fnd.info(
                "key.basic_auth",
                "This is a Basic auth header: base64 of the API key. "
                "base64 is not encryption; the header reveals the secret.",
            )
        ]
    return []


def _classify(t: str, offset: int | None, ctx: Context, n: int) -> InspectionReport:
    if not t:
        return _empty(n)
    if t[0] in "{[":
        try:
            data = json.loads(t)
        except (ValueError, RecursionError) as exc:
            return _not_a_token(t, n, extra=f" that is not valid JSON ({str(exc)[:80]})")
        return analyse_json(data, offset, len(t), ctx, n)
    if _JWT_SHAPE.fullmatch(t) or _JWE_SHAPE.fullmatch(t):
        return _with_range(analyse_jwt(t, offset, ctx, n), offset, t)
    if ":" in t and _KEYISH.fullmatch(t):
        return _api_key(t, offset, ctx, n)
    if m := _ABLY_TOKEN.fullmatch(t):
        issued = ctx.issued(t)
        if issued is not None:
            return describe_issued(t, issued, offset, ctx, n)
        return _ably_token(t, m.group(1), offset, ctx, n)
    if ctx.depth == 0 and (decoded := b64_text(t)) and decoded.strip():
        nested = ctx.nested(decoded.strip())
        if nested is not None and nested.kind not in (TokenKind.NOT_A_TOKEN, TokenKind.EMPTY):
            return replace(nested, notes=("Decoded the input from base64.", *nested.notes))
    return _not_a_token(t, n)


def _with_range(report: InspectionReport, offset: int | None, t: str) -> InspectionReport:
    if offset is None:
        return report
    return replace(report, token_range=(offset, offset + len(t)))


def _empty(n: int) -> InspectionReport:
    b = ReportBuilder(TokenKind.EMPTY, n, summary="Nothing to inspect")
    b.add(
        fnd.info(
            "input.empty",
            "Paste a JWT, an Ably token, a TokenRequest or TokenDetails "
            "JSON, an Authorization header or a URL with access_token=.",
        )
    )
    return b.build()


def _not_a_token(t: str, n: int, *, extra: str = "") -> InspectionReport:
    what = describe(t)
    b = ReportBuilder(TokenKind.NOT_A_TOKEN, n, summary=f"Not a token: {what}{extra}")
    b.add(
        fnd.error(
            "input.not_a_token",
            f"This is not a token: it looks like {what}{extra}.",
            "Paste the token string, a TokenRequest or TokenDetails JSON, or an "
            "Authorization header. An SDK given this as a token would fail (40101).",
            40101,
        )
    )
    return b.build()


def _api_key(t: str, offset: int | None, ctx: Context, n: int) -> InspectionReport:
    b = ReportBuilder(TokenKind.API_KEY, n)
    colon = t.index(":")
    b.segment(Part.KEY_NAME, 0, colon, offset)
    b.segment(Part.SECRET, colon + 1, len(t), offset)
    try:
        key = ApiKey.parse(t)
    except KeyFormatError as exc:
        b.add(fnd.from_user_error(exc))
        b.token = t[:colon] + ":••••"
        b.summary = "A malformed API key"
        return b.build()
    b.token = key.masked()
    b.summary = f"API key {key.masked()}: it contains the secret"
    b.add(
        fnd.warning(
            "key.pasted",
            f"An API key, secret included ({key.masked()}), where a token belongs. Ably accepts "
            "it (Basic auth), and whoever has it can do anything "
            "the key allows, for as long as the key lives. Never ship it to browsers or apps.",
            "Keep keys on your server and give clients tokens (TokenRequest or JWT). If this key "
            "was shared or committed, revoke or rotate it in the Ably dashboard.",
        )
    )
    known = ctx.keys.get(key.name)
    if known is not None:
        same = known.secret == key.secret
        b.add(
            fnd.info(
                "key.known",
                f"This is the known key {key.name}"
                + ("." if same else ", but with a different secret."),
            )
        )
    b.identity = resolve_identity(None, basic_auth=True, token_client_id=None)
    b.signature = SignatureCheck(SignatureStatus.NOT_APPLICABLE, key.name, "A key, not a token.")
    return b.build()


def _ably_token(t: str, app_id: str, offset: int | None, ctx: Context, n: int) -> InspectionReport:
    b = ReportBuilder(TokenKind.ABLY_TOKEN, n, token=t)
    if offset is not None:
        b.token_range = (offset, offset + len(t))
    if t in ctx.keys or len(t) - len(app_id) - 1 < 12:
        b.kind = TokenKind.NOT_A_TOKEN
        b.summary = f"Not a token: {t!r} looks like a key name (appId.keyId)"
        b.add(
            fnd.error(
                "input.key_name",
                f"{t!r} looks like a key name (appId.keyId): public, "
                "not a credential. A key also has ':secret'; a token is much longer.",
                None,
                40101,
            )
        )
        return b.build()
    b.segment(Part.KEY_NAME, 0, len(app_id), offset)
    b.segment(Part.TOKEN, len(app_id) + 1, len(t), offset)
    b.summary = f"Opaque Ably token for app {app_id}"
    b.add(
        fnd.info(
            "ably_token.opaque",
            f"An Ably token for app {app_id}. It is opaque: its capability, clientId and expiry "
            "are known only to Ably's servers, so tokenlab cannot show them.",
            "Inspect the TokenDetails returned with it (issued, expires, capability, clientId), "
            "or use an Ably JWT, whose claims are readable.",
        )
    )
    b.signature = SignatureCheck(SignatureStatus.NOT_APPLICABLE, None, "Only Ably can check it.")
    return b.build()
