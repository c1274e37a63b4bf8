"""Inspecting a token its issuer can describe: an opaque Ably token the embedded sandbox issued
is shown as fully as a JWT (clientId, capability, times, key, revocation key), with a note that
the details came from the sandbox, not from the token."""

from __future__ import annotations

from tokenlab.core import findings as fnd
from tokenlab.core.claims import Field, display_value
from tokenlab.core.inspect_common import (
    Context,
    add_time,
    capability_view,
    check_expiry,
    check_lifetime,
    identity_for,
)
from tokenlab.core.issued import IssuedToken
from tokenlab.core.report import (
    InspectionReport,
    Part,
    ReportBuilder,
    SignatureCheck,
    SignatureStatus,
    TokenKind,
)

_DOCS = {
    "keyName": "The key that issued the token.",
    "clientId": "The identity the token carries (none: anonymous).",
    "capability": "What the token may do (never more than the key allows).",
    "revocable": "Whether the issuing key has revocable tokens (tokens can be revoked).",
    "revocationKey": "Revoke every token with this revocation key at once.",
}


def _fields(issued: IssuedToken) -> list[Field]:
    values = {
        "keyName": issued.key_name,
        "clientId": issued.client_id,
        "capability": issued.capability,
        "revocable": issued.revocable,
        "revocationKey": issued.revocation_key,
    }
    return [Field(k, v, display_value(v), _DOCS[k], True) for k, v in values.items()]


def describe_issued(
    token: str, issued: IssuedToken, offset: int | None, ctx: Context, n: int
) -> InspectionReport:
    b = ReportBuilder(TokenKind.ABLY_TOKEN, n, token=token)
    if offset is not None:
        b.token_range = (offset, offset + len(token))
    app_id = token.split(".", 1)[0]
    b.segment(Part.KEY_NAME, 0, len(app_id), offset)
    b.segment(Part.TOKEN, len(app_id) + 1, len(token), offset)
    b.claims = _fields(issued)
    add_time(b, "issued", "Issued", issued.issued, ctx.now_ms)
    add_time(b, "expires", "Expires", issued.expires, ctx.now_ms)
    check_expiry(issued.expires, ctx.now_ms, b)
    check_lifetime(issued.expires - issued.issued, b)
    b.capability = capability_view(issued.capability, ctx, issued.key_name, b, where="capability")
    b.identity = identity_for(issued.client_id, b, where="clientId")
    b.add(
        fnd.info(
            "ably_token.issued_here",
            f"Issued by {issued.issuer} with the key {issued.key_name}: the details come from "
            "its records, not from the token, which stays opaque to everyone else.",
        )
    )
    b.signature = SignatureCheck(
        SignatureStatus.NOT_APPLICABLE, issued.key_name, f"Issued by {issued.issuer}."
    )
    who = issued.client_id or "anonymous"
    b.summary = f"Ably token issued by {issued.issuer} for key {issued.key_name} ({who})"
    return b.build()
