"""Masks for the projector: secrets shown as a stable mask that keeps the last 4 characters.

``mask_secret`` hides one credential (a key secret, a MAC, a signature, a whole token):
``••••••••Xy9z``, the same text every time for the same value, so a presenter can still tell two
apart. ``mask_text`` finds credentials inside free text (JSON, headers, URLs, snippets): key
secrets after ``appId.keyId:``, JWT signatures, MACs, Ably tokens and tokens embedded in JWT
headers (``x-ably-token``) or JSON fields. Pure text; the GUI and the CLI share it.
"""

from __future__ import annotations

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
    """A JWT with its signature masked; header and claims stay readable (an embedded token in
    the header is masked by ``mask_text`` when the header is shown decoded)."""
    head, _, rest = token.partition(".")
    claims, _, signature = rest.partition(".")
    return f"{head}.{claims}.{mask_secret(signature)}"


def mask_text(text: str, masked: bool = True) -> str:
    """``text`` with every credential found in it masked (unchanged when ``masked`` is off)."""
    if not masked or not text:
        return text
    text = _JWT_RE.sub(lambda m: f"{m.group(1)}.{m.group(2)}.{mask_secret(m.group(3))}", text)
    text = _KEY_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{mask_secret(m.group(3))}", text)
    text = _FIELD_RE.sub(lambda m: m.group(1) + mask_secret(m.group(2)) + m.group(3), text)
    return _QUERY_RE.sub(lambda m: m.group(1) + mask_secret(m.group(2)), text)


_SPANS = ((_JWT_RE, 3), (_KEY_RE, 3), (_FIELD_RE, 2), (_QUERY_RE, 2))


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every credential ``mask_text`` would mask, for editors that paint masks
    over text they must keep (the user's own input)."""
    spans = [m.span(group) for regex, group in _SPANS for m in regex.finditer(text)]
    return [(a, b - KEEP if b - a > 2 * KEEP else b) for a, b in spans]  # the last 4 stay
