"""Inspecting JSON: TokenRequest, TokenDetails, a bare capability, an Ably error body, and
JSON that merely wraps a token (``{"access_token": "..."}``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tokenlab.core import findings as fnd
from tokenlab.core.claims import Field, display_value
from tokenlab.core.diagnose import diagnose_token_request, parse_request, request_findings
from tokenlab.core.errors import UserError, describe_ably_code
from tokenlab.core.inspect_common import (
    Context,
    add_time,
    capability_view,
    check_expiry,
    check_issued,
    check_lifetime,
    identity_for,
)
from tokenlab.core.report import (
    InspectionReport,
    Part,
    ReportBuilder,
    SignatureCheck,
    SignatureStatus,
    TokenKind,
)
from tokenlab.core.tokens import DEFAULT_TTL_MS, TokenDetails, TokenRequest

REQUEST_FIELDS = {
    "keyName": "The public name (appId.keyId) of the key whose secret signed this request.",
    "ttl": "Requested token lifetime in milliseconds; absent means Ably's default of 60 min.",
    "capability": "Requested capability as a JSON string, MACed byte for byte as sent; the "
    "token gets its intersection with the key's capability.",
    "clientId": "The clientId the token will carry ('*' = any); absent means anonymous.",
    "timestamp": "Creation time in ms since 1970; Ably accepts it only within ±2 minutes.",
    "nonce": "A unique random string of at least 16 characters, against replays.",
    "mac": "base64 HMAC-SHA256 of the sign text, keyed with the key secret.",
}
DETAILS_FIELDS = {
    "token": "The token string itself; this is what clients present to Ably.",
    "keyName": "The key that issued the token.",
    "issued": "When Ably issued the token, in ms since 1970.",
    "expires": "When the token expires, in ms since 1970.",
    "capability": "The token's effective capability (canonical JSON string).",
    "clientId": "The clientId the token carries ('*' = any); absent means anonymous.",
}
_WRAPPER_KEYS = ("access_token", "accessToken", "jwt", "id_token", "tokenString")
_OWNED = ("capability.", "client_id.")  # reported by capability_view / identity_for instead


def _fields(data: Mapping[str, Any], docs: Mapping[str, str]) -> list[Field]:
    return [
        Field(
            str(name),
            value,
            display_value(value),
            docs.get(name, "Not a field Ably reads; ignored."),
            name in docs,
        )
        for name, value in data.items()
    ]


def _pretty(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""


def _key_name_check(name: str, b: ReportBuilder) -> None:
    if ":" in name:
        b.add(
            fnd.error(
                "token_request.key_name_has_secret",
                "keyName contains ':' and probably the key secret; it must be only appId.keyId.",
                "Use the part of the key before ':' and rotate the key.",
                40101,
            )
        )
    elif name.count(".") != 1:
        b.add(
            fnd.warning(
                "token_request.key_name_shape",
                f"keyName {name!r} is not shaped appId.keyId.",
                None,
                40400,
            )
        )


def _request(data: Mapping[str, Any], ctx: Context, b: ReportBuilder) -> None:
    b.kind = TokenKind.TOKEN_REQUEST
    b.claims = _fields(data, REQUEST_FIELDS)
    request, found = parse_request(data)
    b.add(*(f for f in found if not f.code.startswith(_OWNED)))
    raw_name = data.get("keyName")
    key_name = raw_name if isinstance(raw_name, str) else None
    b.capability = capability_view(data.get("capability"), ctx, key_name, b, where="capability")
    b.identity = identity_for(data.get("clientId"), b, where="clientId")
    if request is None:
        b.summary = "A TokenRequest that Ably cannot read"
        return
    _key_name_check(request.key_name, b)
    b.sign_text = request.sign_text()
    add_time(b, "timestamp", "Created", request.timestamp, ctx.now_ms)
    ttl = request.ttl or DEFAULT_TTL_MS
    b.lifetime_ms = ttl
    add_time(b, "expires", "Would expire", ctx.now_ms + ttl, ctx.now_ms)
    _request_checks(request, ctx, b)
    state = "signed" if request.mac else "unsigned"
    b.summary = f"{state.title()} TokenRequest for key {request.key_name}"


def _request_checks(request: TokenRequest, ctx: Context, b: ReportBuilder) -> None:
    key = ctx.keys.get(request.key_name)
    if key is None:
        found = request_findings(request, ctx.now_ms)
        status = SignatureStatus.NO_MATCHING_KEY if ctx.keys else SignatureStatus.NOT_CHECKED
        message = (
            "Add the key to verify the MAC." if request.mac else "Unsigned: nothing to verify."
        )
        b.signature = SignatureCheck(status, request.key_name, message)
    else:
        diagnosis = diagnose_token_request(request, key, now_ms=ctx.now_ms)
        found = list(diagnosis.findings)
        if request.mac is None:
            b.signature = SignatureCheck(SignatureStatus.NOT_APPLICABLE, key.name, "Unsigned.")
        elif diagnosis.mac_ok:
            b.signature = SignatureCheck(SignatureStatus.VALID, key.name, "The MAC verifies.")
        else:
            b.signature = SignatureCheck(SignatureStatus.INVALID, key.name, "The MAC is wrong.")
    b.add(*(f for f in found if not f.code.startswith(_OWNED) or f.code.endswith("canonical")))


def _details(data: Mapping[str, Any], ctx: Context, b: ReportBuilder) -> None:
    b.kind = TokenKind.TOKEN_DETAILS
    b.claims = _fields(data, DETAILS_FIELDS)
    try:
        details = TokenDetails.from_dict(data)
    except (UserError, ValueError, TypeError) as exc:
        b.add(
            fnd.from_user_error(exc)
            if isinstance(exc, UserError)
            else fnd.error(
                "token_details.unreadable", f"Unreadable TokenDetails: {exc}", None, 40170
            )
        )
        b.summary = "TokenDetails that Ably SDKs cannot read"
        return
    if details.issued is None:
        b.add(
            fnd.warning(
                "token_details.no_issued",
                "No 'issued' field: ably-js and ably-python recognise TokenDetails by it, and "
                "reject an authUrl/authCallback response without it (40170).",
                "Return the TokenDetails exactly as Ably issued it.",
                40170,
            )
        )
    add_time(b, "issued", "Issued", details.issued, ctx.now_ms)
    add_time(b, "expires", "Expires", details.expires, ctx.now_ms)
    if details.expires is not None:
        check_expiry(details.expires, ctx.now_ms, b)
    if details.issued is not None:
        check_issued(details.issued, ctx.now_ms, b, field_name="issued")
        if details.expires is not None:
            check_lifetime(details.expires - details.issued, b)
    b.capability = capability_view(
        data.get("capability"), ctx, details.key_name, b, where="capability"
    )
    b.identity = identity_for(data.get("clientId"), b, where="clientId")
    b.inner = ctx.nested(details.token)
    b.signature = SignatureCheck(
        SignatureStatus.NOT_APPLICABLE, details.key_name, "Issued by Ably; see the token itself."
    )
    b.summary = f"TokenDetails for key {details.key_name or '?'}"


def _capability(data: Mapping[str, Any], ctx: Context, b: ReportBuilder) -> None:
    b.kind = TokenKind.CAPABILITY
    b.capability = capability_view(dict(data), ctx, None, b, where="capability")
    b.findings = [f for f in b.findings if f.code != "capability.object_not_string"]
    b.claims = [
        Field(str(k), v, display_value(v), "Operations on this resource.", True)
        for k, v in data.items()
    ]
    b.summary = "A capability"


def _error_body(error: Mapping[str, Any], b: ReportBuilder) -> None:
    code = error.get("code")
    message = error.get("message", "")
    text = describe_ably_code(code) if isinstance(code, int) else "no code"
    b.add(
        fnd.info(
            "input.ably_error",
            f"An Ably error response: {text}. {message}",
            None,
            code if isinstance(code, int) else None,
        )
    )
    b.summary = "An Ably error response, not a token"


def _not_token(data: Any, b: ReportBuilder) -> None:
    if isinstance(data, Mapping):
        names = ", ".join(str(k) for k in list(data)[:8]) or "no keys"
        what = f"a JSON object ({names})"
    else:
        what = f"JSON ({type(data).__name__})"
    b.add(
        fnd.error(
            "input.not_a_token",
            f"This is {what}, not a token, TokenRequest or TokenDetails.",
            "Paste the token string or the whole TokenRequest.",
        )
    )
    b.summary = f"Not a token: {what}"


def analyse_json(
    data: Any, offset: int | None, length: int, ctx: Context, n: int
) -> InspectionReport:
    """Inspect a parsed JSON document that sits at ``offset`` (``length`` chars) in the input."""
    b = ReportBuilder(TokenKind.NOT_A_TOKEN, n)
    b.segment(Part.TOKEN, 0, length, offset)
    b.json_text = _pretty(data)
    if not isinstance(data, Mapping):
        _not_token(data, b)
        return b.build()
    if isinstance(data.get("token"), str) or "issued" in data:
        _details(data, ctx, b)
    elif "keyName" in data or ("mac" in data and "nonce" in data):
        _request(data, ctx, b)
    elif isinstance(data.get("error"), Mapping):
        _error_body(data["error"], b)
    elif wrapped := next((k for k in _WRAPPER_KEYS if isinstance(data.get(k), str)), None):
        inner = ctx.nested(data[wrapped])
        if inner is None:
            _not_token(data, b)
            return b.build()
        return _rewrap(inner, wrapped)
    elif data and all(isinstance(v, list) for v in data.values()):
        _capability(data, ctx, b)
    else:
        _not_token(data, b)
    return b.build()


def _rewrap(inner: InspectionReport, key: str) -> InspectionReport:
    note = f"Took the token from the {key!r} field of the JSON."
    return replace(inner, segments=(), token_range=None, notes=(note, *inner.notes))
