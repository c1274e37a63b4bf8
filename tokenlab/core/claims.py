"""Plain-language explanations of JWT header fields and claims, registered and Ably-specific,
and detection of misspelt Ably claim names (``x-ably-capabilities``, ``x-ably-clientid`` ...).

Ably ignores claims it does not know, so a misspelt ``x-ably-capability`` silently gives the
token the key's full capability and a misspelt ``x-ably-clientId`` makes it anonymous. The
similarity check compares names with case, ``-`` and ``_`` removed, then by edit similarity.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from tokenlab.core.ably_jwt import (
    CLAIM_CAPABILITY,
    CLAIM_CLIENT_ID,
    CLAIM_CLIENT_TYPE,
    CLAIM_REVOCATION_KEY,
    CLAIM_TOKEN,
)

HEADER_FIELDS: dict[str, str] = {
    "alg": "Signature algorithm. Ably JWTs must use HS256 (HMAC-SHA256 with the key secret).",
    "typ": "Media type of the token; 'JWT' in every Ably example.",
    "kid": "Key id. For an Ably JWT: the API key name appId.keyId whose secret signed it.",
    "cty": "Content type of the payload; only used for nested JWTs.",
    CLAIM_TOKEN: "An Ably token (or Ably JWT) embedded in your own JWT; this is what Ably checks.",
    "jku": "URL of a JWK set holding the verification key (not used by Ably).",
    "jwk": "The verification key itself, as a JWK (not used by Ably).",
    "x5u": "URL of an X.509 certificate for the key (not used by Ably).",
    "x5c": "X.509 certificate chain for the key (not used by Ably).",
    "x5t": "Thumbprint of the X.509 certificate (not used by Ably).",
    "crit": "Header extensions the verifier must understand.",
    "enc": "Content encryption algorithm (only in encrypted JWTs).",
    "zip": "Compression of an encrypted payload.",
}

REGISTERED_CLAIMS: dict[str, str] = {
    "iat": "Issued at, in seconds since 1970. Required by Ably; must not be in the future.",
    "exp": "Expires at, in seconds since 1970. Required by Ably; at most 24 h after iat.",
    "nbf": "Not valid before, in seconds since 1970.",
    "iss": "Issuer: who created the token (ignored by Ably).",
    "sub": "Subject: whom the token is about (ignored by Ably; clientId comes from "
    "x-ably-clientId).",
    "aud": "Audience: who the token is meant for (ignored by Ably).",
    "jti": "Unique token id (ignored by Ably).",
}

ABLY_CLAIMS: dict[str, str] = {
    CLAIM_CAPABILITY: "What the token may do, as a JSON string mapping channels to operations. "
    "The effective capability is this intersected with the key's. Omitted: the key's capability.",
    CLAIM_CLIENT_ID: "The identity the token carries. A string identifies the client; '*' lets "
    "it use any clientId per message; absent means anonymous.",
    CLAIM_REVOCATION_KEY: "A revocation target: revoking revocationKey:<value> invalidates every "
    "token carrying it (keys with revocable tokens only).",
    CLAIM_CLIENT_TYPE: "'server' lets a connection declare itself a server client (40167 when "
    "a connection declares it without this claim).",
    CLAIM_TOKEN: "An Ably token (or Ably JWT) embedded in your own JWT; Ably authenticates with "
    "the inner token.",
}

_PREFIX_CLAIMS = (
    ("ably.channel.", "Channel-scoped user claim for {rest}: a JSON string other clients can see."),
    (
        "ably.limits.publish.perAttachment.maxRate.",
        "Publish rate limit (messages per second) per attachment for channels matching {rest}.",
    ),
)

# Names people write for a JWT claim that has a different name.
_ALIASES: dict[str, str] = {
    "capability": CLAIM_CAPABILITY,
    "capabilities": CLAIM_CAPABILITY,
    "clientid": CLAIM_CLIENT_ID,
    "client_id": CLAIM_CLIENT_ID,
    "expires": "exp",
    "expiry": "exp",
    "expiresat": "exp",
    "issued": "iat",
    "issuedat": "iat",
    "revocationkey": CLAIM_REVOCATION_KEY,
}
_MAX_NAME = 80


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_SQUASHED = {_squash(name): name for name in ABLY_CLAIMS}


def explain_header(name: str) -> str | None:
    return HEADER_FIELDS.get(name)


def explain_claim(name: str) -> str | None:
    """The explanation of a known claim, or None for a claim Ably ignores."""
    if name in ABLY_CLAIMS:
        return ABLY_CLAIMS[name]
    if name in REGISTERED_CLAIMS:
        return REGISTERED_CLAIMS[name]
    for prefix, template in _PREFIX_CLAIMS:
        if name.startswith(prefix) and len(name) > len(prefix):
            return template.format(rest=repr(name[len(prefix) :]))
    return None


def is_known_claim(name: str) -> bool:
    return explain_claim(name) is not None


def suggest_claim(name: str) -> str | None:
    """The known claim ``name`` is probably a misspelling of, or None."""
    if is_known_claim(name) or len(name) > _MAX_NAME:
        return None
    squashed = _squash(name)
    if squashed in _SQUASHED:
        return _SQUASHED[squashed]
    for tail in (squashed, squashed.removeprefix("xably"), squashed.removeprefix("ably")):
        if tail in _ALIASES:
            return _ALIASES[tail]
    if not name.lower().startswith(("x-ably", "x_ably", "xably", "ably")):
        return None
    lowered = name.lower()
    best = difflib.get_close_matches(lowered, [c.lower() for c in ABLY_CLAIMS], n=1, cutoff=0.8)
    if not best:
        return None
    return next(c for c in ABLY_CLAIMS if c.lower() == best[0])


def is_reserved_unknown(name: str) -> bool:
    """An ``x-ably-*`` claim Ably does not define (the prefix is reserved)."""
    return name.lower().startswith("x-ably-") and name not in ABLY_CLAIMS


def display_value(value: Any, limit: int = 200) -> str:
    """A short one-line rendering of a claim value for a table cell."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("\n", "↵")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Field:
    """One row of the header / claims / fields table."""

    name: str
    value: Any  # JSON-compatible
    display: str
    explanation: str
    known: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "explanation": self.explanation,
            "known": self.known,
        }


def header_field(name: str, value: Any) -> Field:
    text = explain_header(name)
    return Field(name, value, display_value(value), text or "Not used by Ably.", text is not None)


def claim_field(name: str, value: Any) -> Field:
    text = explain_claim(name)
    if text is None:
        suggestion = suggest_claim(name)
        text = (
            f"Unknown to Ably and ignored. Did you mean {suggestion}?"
            if suggestion
            else "A custom claim; Ably ignores it."
        )
    return Field(name, value, display_value(value), text, is_known_claim(name))
