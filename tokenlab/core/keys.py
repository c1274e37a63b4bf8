"""Ably API keys: ``appId.keyId:keySecret`` (spec RSA11).

The key *name* (``appId.keyId``) is public: it appears in URLs, TokenRequests and as the JWT
``kid``. The *secret* is private and never appears in ``repr``, ``str``, logs or exceptions; the
only way to get it back out is the explicit ``full()`` / ``secret`` access used on the wire.
"""

from __future__ import annotations

import base64
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from tokenlab.core.errors import KeyFormatError

MASK = "••••"
_KEY_RE = re.compile(r"^([^:\s.]+)\.([^:\s.]+):([^:.\s]+)$")
_ID_ALPHABET = string.ascii_letters + string.digits + "-_"
_ID_START_ALPHABET = string.ascii_letters + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "-_"


def _fail(message: str, code: str, fix: str) -> KeyFormatError:
    return KeyFormatError(message, code=f"key.{code}", ably_code=40005, status=400, fix=fix)


@dataclass(frozen=True)
class ApiKey:
    app_id: str
    key_id: str
    secret: str = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> ApiKey:
        """Parse a full key; raises ``KeyFormatError`` naming what is wrong with its shape."""
        raw = text.strip().strip("'\"")
        match = _KEY_RE.match(raw)
        if match:
            return cls(match.group(1), match.group(2), match.group(3))
        raise _diagnose(raw)

    @property
    def name(self) -> str:
        return f"{self.app_id}.{self.key_id}"

    def masked(self) -> str:
        return f"{self.name}:{MASK}"

    def full(self) -> str:
        """The whole key including the secret, for wire use only."""
        return f"{self.name}:{self.secret}"

    def basic_auth_header(self) -> str:
        return "Basic " + base64.b64encode(self.full().encode("utf-8")).decode("ascii")

    def __str__(self) -> str:
        return self.masked()


def _diagnose(raw: str) -> KeyFormatError:
    fix = "An API key looks like appId.keyId:secret (copy it from the Ably dashboard)."
    if not raw:
        return _fail("The key is empty.", "empty", fix)
    if any(ch.isspace() for ch in raw):
        return _fail("The key contains whitespace.", "whitespace", "Remove spaces and newlines.")
    if ":" not in raw:
        if raw.count(".") == 1:
            return _fail(
                "This is a key name (appId.keyId) without its secret.",
                "no_secret",
                "Append ':' and the key secret.",
            )
        return _fail("The key has no ':' separating its name from its secret.", "no_colon", fix)
    name, _, secret = raw.partition(":")
    if not secret:
        return _fail("The key secret after ':' is empty.", "empty_secret", fix)
    if ":" in secret or "." in secret:
        return _fail(
            "The key secret contains ':' or '.', which Ably key secrets never do.",
            "bad_secret",
            fix,
        )
    if name.count(".") != 1:
        return _fail(
            f"The key name {name!r} should be appId.keyId with exactly one '.'.", "bad_name", fix
        )
    app_id, key_id = name.split(".")
    if not app_id or not key_id:
        return _fail("The app id or key id in the key name is empty.", "bad_name", fix)
    return _fail("The key is not shaped appId.keyId:secret.", "malformed", fix)


def looks_like_api_key(text: str) -> bool:
    return _KEY_RE.match(text.strip().strip("'\"")) is not None


def _pick(alphabet: str, n: int, rand: Callable[[int], bytes]) -> str:
    return "".join(alphabet[b % len(alphabet)] for b in rand(n))


def generate_id(n: int = 6, rand: Callable[[int], bytes] = os.urandom) -> str:
    """A URL-safe identifier for an app or key id (no '.' or ':').

    It never starts with '-' or '_': a key beginning with '-' reads as an option on a command
    line (``--key -abc.def:…``), so ids start with a letter or digit."""
    raw = rand(n)
    first = _ID_START_ALPHABET[raw[0] % len(_ID_START_ALPHABET)]
    return first + "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in raw[1:])


def generate_secret(rand: Callable[[int], bytes] = os.urandom) -> str:
    """A 43-character secret shaped like a real Ably one: no '.', ':' or whitespace."""
    return _pick(_SECRET_ALPHABET, 43, rand)
