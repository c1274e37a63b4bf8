"""Inspecting JWTs: Ably JWTs, Ably embedded-token JWTs, other JWTs and JWEs."""

from __future__ import annotations

import json
from typing import Any

from tokenlab.core import findings as fnd
from tokenlab.core.ably_jwt import (
    CLAIM_CAPABILITY,
    CLAIM_CLIENT_ID,
    CLAIM_CLIENT_TYPE,
    CLAIM_REVOCATION_KEY,
    CLAIM_TOKEN,
    DecodedJwt,
    b64_decode_lenient,
    decode_jwt,
)
from tokenlab.core.claims import (
    ABLY_CLAIMS,
    claim_field,
    header_field,
    is_reserved_unknown,
    suggest_claim,
)
from tokenlab.core.errors import TokenFormatError
from tokenlab.core.inspect_common import (
    Context,
    add_time,
    capability_view,
    check_expiry,
    check_issued,
    check_lifetime,
    identity_for,
    seconds_claim_ms,
)
from tokenlab.core.keys import looks_like_api_key
from tokenlab.core.report import (
    InspectionReport,
    Part,
    ReportBuilder,
    SignatureCheck,
    SignatureStatus,
    TokenKind,
)
from tokenlab.core.timefmt import iso_utc, relative
from tokenlab.core.verify import verify_ably_jwt

_MAX_CLAIMS_CHECKED = 500
_MISSPELT_EFFECT = {
    CLAIM_CAPABILITY: "so the token silently gets the key's full capability",
    CLAIM_CLIENT_ID: "so the token is anonymous (no clientId)",
    CLAIM_REVOCATION_KEY: "so the token cannot be revoked by revocation key",
    CLAIM_CLIENT_TYPE: "so the token does not declare a server client",
    CLAIM_TOKEN: "so no embedded token is found",
}


def _colour(b: ReportBuilder, token: str, offset: int | None) -> None:
    parts = token.split(".")
    pos = 0
    names = (Part.HEADER, Part.CLAIMS, Part.SIGNATURE)
    for i, part in enumerate(parts[:3]):
        b.segment(names[i], pos, pos + len(part), offset)
        pos += len(part) + 1


def _jwe(token: str, b: ReportBuilder) -> None:
    b.kind = TokenKind.JWE
    try:
        header = json.loads(b64_decode_lenient(token.split(".", 1)[0]))
    except (ValueError, RecursionError):
        header = None
    if isinstance(header, dict):
        b.header = [header_field(str(k), v) for k, v in header.items()]
    b.add(
        fnd.info(
            "jwt.encrypted",
            "An encrypted JWT (JWE): its claims are readable only with the decryption key. "
            "Ably accepts an encrypted outer JWT only when it carries x-ably-token in the header.",
        )
    )


def _kind(d: DecodedJwt) -> TokenKind:
    if CLAIM_TOKEN in d.header or (CLAIM_TOKEN in d.claims and "kid" not in d.header):
        return TokenKind.EMBEDDED_JWT
    names = list(d.claims)[:_MAX_CLAIMS_CHECKED]
    if any(n.lower().startswith("x-ably") or suggest_claim(n) in ABLY_CLAIMS for n in names):
        return TokenKind.ABLY_JWT
    kid = d.header.get("kid")
    if isinstance(kid, str) and (_is_key_name(kid) or looks_like_api_key(kid)):
        return TokenKind.ABLY_JWT
    return TokenKind.JWT  # e.g. an identity-provider token whose kid names a JWKS key


def _check_kid(kid: Any, b: ReportBuilder) -> None:
    if kid is None:
        b.add(
            fnd.error(
                "jwt.missing_kid",
                "The header has no kid; Ably needs it to find the key that signed the token.",
                "Set kid to the key name appId.keyId.",
                40144,
            )
        )
    elif not isinstance(kid, str):
        b.add(fnd.error("jwt.kid_type", "kid must be a string (appId.keyId).", None, 40144))
    elif ":" in kid and looks_like_api_key(kid):
        b.add(
            fnd.error(
                "jwt.kid_contains_secret",
                "The kid holds a whole API key, secret included: anyone with this token can "
                "read the secret.",
                "Use only the key name (the part before ':') and rotate this key now.",
                40144,
            )
        )
    elif not _is_key_name(kid):
        b.add(
            fnd.error(
                "jwt.kid_shape",
                f"kid {kid!r} is not shaped appId.keyId, so Ably cannot find the app or key.",
                "Set kid to the key name, e.g. 'xVLyHw.abc123' (the part of the key before ':').",
                40400,
            )
        )


def _is_key_name(kid: str) -> bool:
    parts = kid.split(".")
    return len(parts) == 2 and all(parts) and not any(ch.isspace() or ch == ":" for ch in kid)


def _check_alg(alg: Any, b: ReportBuilder) -> None:
    if alg == "none":
        b.add(
            fnd.error(
                "jwt.alg_none",
                "alg 'none': the token is unsigned, and Ably rejects unsigned JWTs.",
                "Sign it with HS256 using the API key secret.",
                40144,
            )
        )
    elif alg != "HS256":
        b.add(
            fnd.error(
                "jwt.alg_not_hs256",
                f"alg {alg!r}: Ably JWTs must be HS256 (HMAC-SHA256 with the key secret); "
                "asymmetric and third-party keys are not supported.",
                "Sign with HS256 and the Ably key secret, or embed an Ably token instead.",
                40144,
            )
        )


def _check_claim_names(d: DecodedJwt, b: ReportBuilder) -> None:
    for name in list(d.claims)[:_MAX_CLAIMS_CHECKED]:
        suggestion = suggest_claim(name)
        if suggestion and suggestion in ABLY_CLAIMS:
            effect = _MISSPELT_EFFECT.get(suggestion, "so Ably ignores it")
            b.add(
                fnd.warning(
                    "claims.misspelt",
                    f"Ably ignores the unknown claim {name!r} (did you mean {suggestion!r}?), "
                    f"{effect}.",
                    f"Rename the claim to {suggestion!r} (exact spelling and case).",
                )
            )
        elif suggestion:
            b.add(
                fnd.warning(
                    "claims.misnamed",
                    f"Claim {name!r} is not a JWT claim Ably reads; did you mean {suggestion!r}?",
                    f"Use {suggestion!r} (seconds since 1970).",
                )
            )
        elif is_reserved_unknown(name):
            b.add(
                fnd.warning(
                    "claims.reserved_unknown",
                    f"{name!r} uses the reserved x-ably- prefix but is not a claim Ably defines.",
                )
            )
    for name in d.header:
        if name in ABLY_CLAIMS and name != CLAIM_TOKEN:
            b.add(
                fnd.warning(
                    "header.claim_in_header",
                    f"{name!r} is in the JOSE header, where Ably ignores it; Ably reads it only "
                    "from the claims.",
                    "Move it into the payload.",
                )
            )


def _check_ably_values(d: DecodedJwt, b: ReportBuilder) -> None:
    revocation = d.claims.get(CLAIM_REVOCATION_KEY)
    if revocation is not None and not isinstance(revocation, str):
        b.add(
            fnd.warning("claims.revocation_key_type", "x-ably-revocation-key should be a string.")
        )
    client_type = d.claims.get(CLAIM_CLIENT_TYPE)
    if client_type is not None and client_type != "server":
        b.add(
            fnd.warning(
                "claims.client_type_value",
                f"x-ably-clientType is {client_type!r}; the only value Ably defines is 'server'.",
            )
        )


def _times(d: DecodedJwt, ctx: Context, b: ReportBuilder, *, ably: bool) -> int | None:
    iat = seconds_claim_ms(d.claims, "iat", b)
    exp = seconds_claim_ms(d.claims, "exp", b)
    nbf = seconds_claim_ms(d.claims, "nbf", b)
    for name, label, ms in (
        ("iat", "Issued", iat),
        ("nbf", "Not before", nbf),
        ("exp", "Expires", exp),
    ):
        add_time(b, name, label, ms, ctx.now_ms)
        if ms is None and ably and name != "nbf" and name not in d.claims:
            b.add(
                fnd.error(
                    f"jwt.missing_{name}",
                    f"Invalid token; {name} must be specified (seconds since 1970).",
                    f"Add an integer {name} claim in seconds.",
                    40144,
                )
            )
    if exp is not None:
        check_expiry(exp, ctx.now_ms, b)
    if iat is not None:
        check_issued(iat, ctx.now_ms, b, field_name="iat")
    if nbf is not None and nbf > ctx.now_ms:
        b.add(
            fnd.warning(
                "jwt.not_yet_valid",
                f"The token is not valid yet: nbf is {relative(nbf, ctx.now_ms)} "
                f"({iso_utc(nbf)}). Ably's documentation does not say it checks nbf.",
            )
        )
    if iat is not None and exp is not None:
        check_lifetime(exp - iat, b)
    return exp


def _signature(d: DecodedJwt, ctx: Context, b: ReportBuilder) -> None:
    kid = d.kid
    key = ctx.keys.get(kid) if kid else None
    if key is None:
        if ctx.keys:
            names = ", ".join(sorted(ctx.keys))
            b.signature = SignatureCheck(
                SignatureStatus.NO_MATCHING_KEY, kid, f"No known key is named {kid!r} ({names})."
            )
        else:
            b.signature = SignatureCheck(
                SignatureStatus.NOT_CHECKED, kid, "Add the key to verify the signature."
            )
        return
    result = verify_ably_jwt(d, key)
    if result.valid:
        b.signature = SignatureCheck(SignatureStatus.VALID, kid, f"Signed by the key {kid}.")
        return
    b.signature = SignatureCheck(SignatureStatus.INVALID, kid, result.message)
    b.add(
        fnd.error(
            "signature.invalid",
            f"The signature does not verify with the key {kid}: the token was signed with a "
            "different secret, or changed after signing.",
            "Sign with this key's secret (UTF-8 bytes, not base64-decoded) and do not edit the "
            "token afterwards.",
            40144,
        )
    )


def _ably(d: DecodedJwt, ctx: Context, b: ReportBuilder) -> None:
    _check_alg(d.header.get("alg"), b)
    _check_kid(d.header.get("kid"), b)
    _check_claim_names(d, b)
    _check_ably_values(d, b)
    _times(d, ctx, b, ably=True)
    b.capability = capability_view(
        d.claims.get(CLAIM_CAPABILITY), ctx, d.kid, b, where=CLAIM_CAPABILITY
    )
    b.identity = identity_for(d.claims.get(CLAIM_CLIENT_ID), b, where=CLAIM_CLIENT_ID)
    _signature(d, ctx, b)
    who = b.identity.client_id if b.identity and b.identity.client_id else "anonymous"
    b.summary = f"Ably JWT for key {d.kid or '?'} ({who})"


def _inner_expiry(inner: InspectionReport) -> int | None:
    return next((t.epoch_ms for t in inner.times if t.name in ("exp", "expires")), None)


def _embedded(d: DecodedJwt, ctx: Context, b: ReportBuilder) -> None:
    in_header = CLAIM_TOKEN in d.header
    raw = d.header.get(CLAIM_TOKEN) if in_header else d.claims.get(CLAIM_TOKEN)
    exp = _times(d, ctx, b, ably=False)
    b.signature = SignatureCheck(
        SignatureStatus.NOT_APPLICABLE,
        None,
        "The outer JWT is signed with your own secret, which Ably never checks; Ably "
        "authenticates with the embedded token.",
    )
    where = "JOSE header" if in_header else "claims"
    b.summary = f"JWT carrying an Ably token in its {where}"
    if not isinstance(raw, str) or not raw.strip():
        b.add(fnd.error("embedded.not_string", "x-ably-token must be a token string.", None, 40144))
        return
    inner = ctx.nested(raw)
    b.inner = inner
    if inner is None:
        return
    b.identity, b.capability = inner.identity, inner.capability
    inner_exp = _inner_expiry(inner)
    if inner_exp is None:
        b.add(
            fnd.info(
                "embedded.inner_expiry_unknown",
                "The embedded token's expiry is not visible here; Ably rejects the outer JWT if "
                "its exp is later than the inner token's expiry.",
            )
        )
    elif exp is not None and exp > inner_exp:
        b.add(
            fnd.error(
                "embedded.outer_outlives_inner",
                "The outer JWT expires after the embedded Ably token; Ably rejects an outer exp "
                "later than the inner token's expiry.",
                "Set the outer exp at or before the inner token's expiry.",
                40144,
            )
        )


def analyse_jwt(
    token: str, offset: int | None, ctx: Context, input_length: int
) -> InspectionReport:
    """Inspect a compact JWS/JWE found verbatim at ``offset`` in the input (None: decoded)."""
    b = ReportBuilder(TokenKind.JWT, input_length, token=token)
    _colour(b, token, offset)
    try:
        d = decode_jwt(token)
    except TokenFormatError as exc:
        if exc.code == "jwt.encrypted":
            _jwe(token, b)
        else:
            b.add(fnd.from_user_error(exc))
            b.summary = "A JWT that cannot be decoded"
        return b.build()
    b.header = [header_field(str(k), v) for k, v in d.header.items()]
    b.claims = [claim_field(str(k), v) for k, v in d.claims.items()]
    b.json_text = _pretty(d)
    b.kind = _kind(d)
    if b.kind is TokenKind.EMBEDDED_JWT:
        _embedded(d, ctx, b)
    elif b.kind is TokenKind.ABLY_JWT:
        _ably(d, ctx, b)
    else:
        _generic(d, ctx, b)
    return b.build()


def _generic(d: DecodedJwt, ctx: Context, b: ReportBuilder) -> None:
    b.add(
        fnd.error(
            "jwt.not_ably",
            "A JWT without kid or x-ably-* claims: not an Ably JWT, so Ably would reject it as a "
            "credential (fine if your server exchanges it for an Ably token).",
            "For Ably: HS256, kid = key name, x-ably-capability and x-ably-clientId claims.",
            40144,
        )
    )
    _times(d, ctx, b, ably=False)
    b.signature = SignatureCheck(
        SignatureStatus.NOT_CHECKED, d.kid, "Verify with its secret, PEM or JWK."
    )
    b.summary = f"JWT ({d.alg or 'no alg'})"


def _pretty(d: DecodedJwt) -> str:
    try:
        return json.dumps({"header": d.header, "claims": d.claims}, indent=2, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return ""
