"""Redaction of secrets in anything that leaves the process (exports, printed URLs, watch output).

Removed: API key secrets (``appId.keyId:secret`` -> ``appId.keyId:••••``), whatever characters
the secret holds (any but ``:``, ``.`` and whitespace, so ``+ / = ~`` too) and also when the key
is URL-encoded (``%3A``, ``%253A``) or sent as ``Basic base64(key)``; JWT signatures (header and
claims stay readable); TokenRequest MACs; connectionKeys and resume/recover keys; the opaque part
of Ably tokens (a bearer credential); and authParams/authHeaders whose names say secret
(``password``, ``api_key``, ``client_secret``, ``signature`` ...). Structural redaction
(``redact_value``) walks decoded messages; ``redact_text`` handles raw text, URLs and JSON text
(parsed and redacted structurally, so a secret's JSON escapes cannot hide it).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any

MASK = "••••"
SIG_MASK = "<signature-redacted>"

_SECRET_FIELDS = frozenset(
    {"mac", "connectionKey", "keySecret", "secret", "resume", "recover", "value", "keyStr"}
)
_TOKEN_FIELDS = frozenset({"token", "accessToken", "access_token"})
# authParams / authHeaders names that carry secrets (matched anywhere in the name, any case).
_SECRETISH = (
    r"secret|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|private|credential|signature"
    r"|session|cookie|authorization|bearer|mac"
)
_SECRETISH_NAME = re.compile(_SECRETISH, re.IGNORECASE)

# appId.keyId, not the tail of a longer dotted name (so "127.0.0.1:80" is not a key).
_KEY_NAME = r"(?<![\w.-])([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"
_NOT_PORT = r"(?!\d{1,5}(?:[/?#\s]|$))"  # "my.host:8080/" is a host and port, not a key
_JWT_RE = re.compile(r"\b(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.)[A-Za-z0-9_\-+/=]{8,}")
# A raw secret is everything up to ':', '.' or whitespace (what Ably allows in a secret); a
# URL-encoded one also ends at the query delimiters, which encoding would have escaped.
_KEY_RE = re.compile(_KEY_NAME + r"(:)" + _NOT_PORT + r"[^:.\s]+")
_KEY_URL_RE = re.compile(_KEY_NAME + r"(%3[Aa]|%253[Aa])[^:.\s&#;\"'<>|]+")
_BASIC_RE = re.compile(r"\b(Basic\s+)([A-Za-z0-9+/=_-]{8,})", re.IGNORECASE)
_DECODED_KEY_RE = re.compile(r"[^:.\s]+\.[^:.\s]+:")
_JSON_SECRET_RE = re.compile(
    r'("(?:mac|connectionKey|keySecret|resume|recover)"\s*:\s*")((?:\\.|[^"\\])*)(")'
)
_JSON_TOKEN_RE = re.compile(r'("(?:token|accessToken|access_token)"\s*:\s*")([^"]*)(")')
_QUERY_SECRET_RE = re.compile(
    r"([?&;](?:resume|recover|[^=&#\s]*(?:" + _SECRETISH + r")[^=&#\s]*)=)([^&#\s\"']+)",
    re.IGNORECASE,
)
_QUERY_TOKEN_RE = re.compile(r"([?&](?:accessToken|access_token|token)=)([^&#\s\"']+)")


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


def _redact_json(text: str) -> str | None:
    """JSON text redacted structurally (None when it is not a JSON object or array)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict | list):
        return None
    redacted = redact_value(value)
    if redacted == value:
        return text
    return json.dumps(redacted, separators=(",", ":"), ensure_ascii=False)


def redact_text(text: str) -> str:
    """Redact secrets inside free text: raw JSON frames, URLs, log lines."""
    if text[:1] in ("{", "[") and (structured := _redact_json(text)) is not None:
        return structured
    text = _JWT_RE.sub(lambda m: m.group(1) + SIG_MASK, text)
    text = _KEY_URL_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _KEY_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _BASIC_RE.sub(_basic, text)
    text = _JSON_SECRET_RE.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _JSON_TOKEN_RE.sub(lambda m: m.group(1) + redact_token(m.group(2)) + m.group(3), text)
    text = _QUERY_SECRET_RE.sub(lambda m: m.group(1) + MASK, text)
    return _QUERY_TOKEN_RE.sub(lambda m: m.group(1) + redact_token(m.group(2)), text)


def _basic(match: re.Match[str]) -> str:
    """``Basic base64(appId.keyId:secret)`` is a key in disguise; prose ("Basic authentication")
    is left alone."""
    try:
        decoded = base64.b64decode(match.group(2) + "==", altchars=b"-_").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return match.group(0)
    return match.group(1) + MASK if _DECODED_KEY_RE.match(decoded) else match.group(0)


def _secret_field(field: str | None) -> bool:
    if field is None:
        return False
    return field in _SECRET_FIELDS or (
        field not in _TOKEN_FIELDS and _SECRETISH_NAME.search(field) is not None
    )


def redact_value(value: Any, field: str | None = None) -> Any:
    """A deep copy of ``value`` with secrets masked, by field name and by content."""
    if isinstance(value, Mapping):
        return {str(k): redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v, field) for v in value]
    if isinstance(value, str):
        if _secret_field(field) and value:
            return MASK
        if field in _TOKEN_FIELDS:
            return redact_token(value)
        return redact_text(value)
    return value
