"""Getting from what a user pasted to the token inside it, and naming what is not a token.

``unwrap`` peels whitespace, quotes, an ``Authorization:`` header name, a ``Bearer``/``Basic``
scheme (base64-decoding the credential where the SDKs encode it) and URLs carrying
``access_token=``, ``accessToken=``, ``token=`` or ``key=``. It remembers where the token sits in
the original text so the editor can colour it; a decoded token has no such position.
``describe`` says what an input looks like when it is no token at all.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from tokenlab.core.timefmt import iso_utc

_AUTH_HEADER = re.compile(r"(?i)authorization\s*:\s*")
_SCHEME = re.compile(r"(?i)(bearer|basic)\s+")
_QUERY_PARAM = re.compile(r"(?:^|[?&#;\s])(access_token|accessToken|token|key)=([^&#\s\"'<>]*)")
_URLISH = re.compile(r"(?i)^(?:https?|wss?)://|^[^\s{]*\?[^\s]*=")
_B64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_MAX_STEPS = 8
_PREVIEW = 4096


@dataclass(frozen=True)
class Unwrapped:
    text: str  # the candidate token
    offset: int | None  # where ``text`` starts in the original input; None if decoded
    notes: tuple[str, ...] = ()
    wrappers: tuple[tuple[int, int], ...] = ()  # ranges of wrapper text in the input
    via: str | None = None  # "bearer", "basic", "query:access_token", ...


def b64_text(data: str) -> str | None:
    """Decode standard or url-safe base64 to UTF-8 text, or None."""
    if not _B64.fullmatch(data) or len(data.rstrip("=")) % 4 == 1:
        return None
    body = data.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


class _Peeler:
    def __init__(self, text: str) -> None:
        self.text = text
        self.offset: int | None = 0
        self.notes: list[str] = []
        self.wrappers: list[tuple[int, int]] = []
        self.via: str | None = None

    def cut(self, start: int, end: int) -> None:
        """Keep ``text[start:end]``; everything around it is wrapper."""
        if self.offset is not None:
            if start:
                self.wrappers.append((self.offset, self.offset + start))
            if end < len(self.text):
                self.wrappers.append((self.offset + end, self.offset + len(self.text)))
            self.offset += start
        self.text = self.text[start:end]

    def replace(self, decoded: str, note: str) -> None:
        if self.offset is not None:
            self.wrappers.append((self.offset, self.offset + len(self.text)))
        self.text, self.offset = decoded, None
        self.notes.append(note)

    def strip(self) -> None:
        lead = len(self.text) - len(self.text.lstrip())
        self.cut(lead, len(self.text.rstrip()))

    def step(self) -> bool:
        """Peel one layer; False when nothing more can be removed."""
        self.strip()
        t = self.text
        if m := _AUTH_HEADER.match(t):
            self.cut(m.end(), len(t))
            self.notes.append("Removed the 'Authorization:' header name.")
            return True
        if m := _SCHEME.match(t):
            return self._scheme(m.group(1).lower(), m.end())
        if len(t) >= 2 and t[0] == t[-1] and t[0] in "\"'`":
            return self._unquote()
        if _URLISH.match(t[:_PREVIEW]) and (m := _QUERY_PARAM.search(t)):
            return self._query(m)
        return False

    def _scheme(self, scheme: str, end: int) -> bool:
        self.via = scheme
        self.cut(end, len(self.text))
        self.notes.append(f"Removed the '{scheme.title()}' auth scheme.")
        cred = self.text.strip()
        if scheme == "basic":
            decoded = b64_text(cred)
            if decoded is not None:
                self.replace(decoded, "Decoded the Basic credentials (base64 of keyName:secret).")
        elif "." not in cred and (decoded := b64_text(cred)) and "." in decoded:
            self.replace(
                decoded,
                "Decoded the base64 Bearer credential (ably-js, ably-python and ably-go "
                "base64-encode tokens in the Authorization header).",
            )
        return True

    def _unquote(self) -> bool:
        t = self.text
        if t[0] == '"':
            try:
                value = json.loads(t)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, str) and value != t[1:-1]:
                self.replace(value, "Decoded a JSON string literal.")
                return True
        self.cut(1, len(t) - 1)
        self.notes.append("Removed the surrounding quotes.")
        return True

    def _query(self, m: re.Match[str]) -> bool:
        name, raw = m.group(1), m.group(2)
        self.via = f"query:{name}"
        value = unquote(raw)
        if value == raw:
            self.cut(m.start(2), m.end(2))
            self.notes.append(f"Took the {name}= parameter from the URL.")
        else:
            self.replace(value, f"Took and URL-decoded the {name}= parameter from the URL.")
        return True


def unwrap(text: str) -> Unwrapped:
    peeler = _Peeler(text)
    for _ in range(_MAX_STEPS):
        if not peeler.step():
            break
    return Unwrapped(
        peeler.text,
        peeler.offset,
        tuple(peeler.notes),
        tuple(w for w in peeler.wrappers if w[1] > w[0]),
        peeler.via,
    )


def _describe_number(t: str) -> str:
    value = int(t)
    if len(t) == 10:
        return f"a Unix time in seconds ({iso_utc(value * 1000)}), not a token"
    if len(t) == 13:
        return f"a Unix time in milliseconds ({iso_utc(value)}), not a token"
    return "a number, not a token"


def _describe_blob(t: str) -> str | None:
    if _UUID.fullmatch(t):
        return "a UUID, not a token (perhaps a request id, a nonce or a clientId)"
    if _HEX.fullmatch(t) and len(t) >= 16:
        return f"a hex string ({len(t) // 2} bytes): perhaps a hash, a nonce or a secret"
    if len(t) >= 16 and _B64.fullmatch(t):
        body = t.rstrip("=").replace("-", "+").replace("_", "/")
        try:
            raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
        if len(raw) == 32:
            return "a base64 blob of 32 bytes: looks like an HMAC-SHA256 value such as a MAC"
        return f"a base64 blob ({len(raw)} bytes of binary data), not a token"
    return None


def describe(text: str) -> str:
    """What a non-token input looks like, as a phrase: 'an HTML page', 'a UUID', ..."""
    t = text.strip()
    head = t[:_PREVIEW].lower()
    if not t:
        return "empty"
    if t in ("null", "undefined", "None", "[object Object]"):
        return f"the literal string {t!r}: an auth callback returned nothing usable (40170)"
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "an HTML page: an authUrl probably returned an error or login page"
    if head.startswith("<"):
        return "XML or HTML markup, not a token"
    if head.startswith("-----begin"):
        return "a PEM key or certificate: use it to verify a JWT, it is not a token"
    if t.isascii() and t.isdigit():
        return _describe_number(t)
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in t[:_PREVIEW]):
        return "binary data, not text"
    if _EMAIL.fullmatch(t):
        return "an email address (perhaps meant as a clientId), not a token"
    if _URLISH.match(head):
        return "a URL without a token parameter (no access_token=, accessToken= or key=)"
    blob = _describe_blob(t) if len(t) < 4 * 1024 * 1024 else None
    if blob:
        return blob
    if any(ch.isspace() for ch in t[:_PREVIEW]):
        return f"plain text ({len(t)} characters), not a token"
    return f"an unrecognised string of {len(t)} characters"
