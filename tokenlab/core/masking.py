"""Masks for the projector: secrets shown as a stable mask that keeps the last 4 characters.

``mask_secret`` hides one credential (a key secret, a MAC, a signature, a whole token):
``••••••••Xy9z``, the same text every time for the same value, so a presenter can still tell two
apart. ``mask_text`` finds credentials inside free text (JSON, headers, URLs, snippets): key
secrets after ``appId.keyId:``, JWT signatures, MACs, Ably tokens and tokens embedded in JWT
headers (``x-ably-token``) or JSON fields. Pure text; the GUI and the CLI share it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

MASK = "••••••••"
KEEP = 4

_JWT_RE = re.compile(
    r"\b(eyJ[A-Za-z0-9_-]*)\.(eyJ[A-Za-z0-9_-]*|[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{8,})"
)
_KEY_RE = re.compile(r"\b([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(:|%3A|%3a)([A-Za-z0-9_\-+/=]{8,})")
_FIELD_RE = re.compile(
    r'("(?:mac|token|accessToken|access_token|x-ably-token|keySecret|secret|connectionKey)"'
    r'\s*:\s*")([^"]+)(")'
)
_QUERY_RE = re.compile(r"([?&](?:accessToken|access_token|key|ticket)=)([^&\s\"'<]+)")


def mask_secret(text: str, masked: bool = True) -> str:
    """One credential as ``MASK`` + its last 4 characters (short values: the mask alone)."""
    if not masked or not text or text.startswith(MASK):
        return text
    return MASK + (text[-KEEP:] if len(text) > 2 * KEEP else "")


def mask_jwt(token: str) -> str:
    """A JWT with its signature masked; header and claims stay readable unless one carries an
    embedded Ably token (decoded, such a header is masked by ``mask_text`` field by field)."""
    head, _, rest = token.partition(".")
    claims, _, signature = rest.partition(".")
    head, claims = (mask_secret(p) if carries_token(p) else p for p in (head, claims))
    return f"{head}.{claims}.{mask_secret(signature)}"


def carries_token(segment: str) -> bool:
    """Whether an encoded JWT header or claims segment holds an embedded Ably token
    (``x-ably-token``): then the segment itself is a credential, since decoding it gives the
    inner token whole."""
    if len(segment) < 16:
        return False
    try:
        data = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(data, dict) and "x-ably-token" in data


def _mask_jwt_match(m: re.Match[str]) -> str:
    head, claims = (mask_secret(g) if carries_token(g) else g for g in (m.group(1), m.group(2)))
    return f"{head}.{claims}.{mask_secret(m.group(3))}"


def mask_text(text: str, masked: bool = True) -> str:
    """``text`` with every credential found in it masked (unchanged when ``masked`` is off)."""
    if not masked or not text:
        return text
    text = _JWT_RE.sub(_mask_jwt_match, text)
    text = _KEY_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{mask_secret(m.group(3))}", text)
    text = _FIELD_RE.sub(lambda m: m.group(1) + mask_secret(m.group(2)) + m.group(3), text)
    return _QUERY_RE.sub(lambda m: m.group(1) + mask_secret(m.group(2)), text)


_SPANS = ((_JWT_RE, 3), (_KEY_RE, 3), (_FIELD_RE, 2), (_QUERY_RE, 2))


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every credential ``mask_text`` would mask, for editors that paint masks
    over text they must keep (the user's own input)."""
    spans = [m.span(group) for regex, group in _SPANS for m in regex.finditer(text)]
    spans += [
        m.span(group)
        for m in _JWT_RE.finditer(text)
        for group in (1, 2)
        if carries_token(m.group(group))
    ]
    return [(a, b - KEEP if b - a > 2 * KEEP else b) for a, b in spans]  # the last 4 stay
