"""Redaction of secrets in anything that leaves the process (exports, printed URLs).

Removed: API key secrets (``appId.keyId:secret`` -> ``appId.keyId:••••``, also URL-encoded),
JWT signatures (header and claims stay readable), TokenRequest MACs, connectionKeys and
resume/recover keys, and the opaque part of Ably tokens (a bearer credential). Structural
redaction (``redact_value``) walks decoded messages; ``redact_text`` handles raw text and URLs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "••••"
SIG_MASK = "<signature-redacted>"

_SECRET_FIELDS = frozenset(
    {"mac", "connectionKey", "keySecret", "secret", "resume", "recover", "value", "keyStr"}
)
_TOKEN_FIELDS = frozenset({"token", "accessToken", "access_token"})

_JWT_RE = re.compile(r"\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.)[A-Za-z0-9_\-+/=]{8,}")
_KEY_RE = re.compile(r"\b([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(:|%3A|%3a)[A-Za-z0-9_\-]{8,}")
_JSON_SECRET_RE = re.compile(
    r'("(?:mac|connectionKey|keySecret|resume|recover)"\s*:\s*")([^"]*)(")'
)
_JSON_TOKEN_RE = re.compile(r'("(?:token|accessToken|access_token)"\s*:\s*")([^"]*)(")')
_QUERY_SECRET_RE = re.compile(r"([?&](?:resume|recover)=)([^&\s\"']+)")
_QUERY_TOKEN_RE = re.compile(r"([?&](?:accessToken|access_token)=)([^&\s\"']+)")


def redact_token(token: str) -> str:
    """A JWT keeps header and claims; an Ably token ``appId.opaque`` keeps appId and 4 chars."""
    if _JWT_RE.search(token):
        return _JWT_RE.sub(lambda m: m.group(1) + SIG_MASK, token)
    if token.endswith(MASK) or SIG_MASK in token:
        return token
    head, dot, rest = token.partition(".")
    if dot and rest:
        return f"{head}.{rest[:4]}{MASK}"
    return f"{token[:4]}{MASK}"


def redact_text(text: str) -> str:
    """Redact secrets inside free text: raw JSON frames, URLs, log lines."""
    text = _JWT_RE.sub(lambda m: m.group(1) + SIG_MASK, text)
    text = _KEY_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _JSON_SECRET_RE.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _JSON_TOKEN_RE.sub(lambda m: m.group(1) + redact_token(m.group(2)) + m.group(3), text)
    text = _QUERY_SECRET_RE.sub(lambda m: m.group(1) + MASK, text)
    return _QUERY_TOKEN_RE.sub(lambda m: m.group(1) + redact_token(m.group(2)), text)


def redact_value(value: Any, field: str | None = None) -> Any:
    """A deep copy of ``value`` with secrets masked, by field name and by content."""
    if isinstance(value, Mapping):
        return {str(k): redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, field) for v in value]
    if isinstance(value, str):
        if field in _SECRET_FIELDS and value:
            return MASK
        if field in _TOKEN_FIELDS:
            return redact_token(value)
        return redact_text(value)
    return value
