"""Signature and MAC verification: the one implementation behind the inspector, ``tokenlab
verify``, the Inspect tab's Verify pane and the JWT tab.

- An **Ably JWT** is HS256 over the signing input, keyed with the UTF-8 bytes of the key secret
  (never base64-decoded), and its ``kid`` must name the key, because Ably finds the key by kid.
- A **TokenRequest** MAC is base64(HMAC-SHA256(UTF-8 secret, sign text)) (RSA9).
- A **general JWT** is checked by ``jws.verify_jwt`` with a shared secret (UTF-8 or base64), a
  PEM key or certificate, or a JWK.

Every function returns a ``Verification`` and never raises for a bad token, key or request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tokenlab.core.ably_jwt import DecodedJwt, decode_jwt, verify_hs256
from tokenlab.core.errors import TokenFormatError, UserError
from tokenlab.core.tokens import TokenRequest, verify_mac

if TYPE_CHECKING:
    from tokenlab.core.jws import JwtKey
    from tokenlab.core.keys import ApiKey


class Status(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # the signature or MAC does not match
    KID_MISMATCH = "kid_mismatch"  # signed with the key's secret, but kid names another key
    UNSIGNED = "unsigned"  # alg none, or a TokenRequest without mac
    UNUSABLE = "unusable"  # the token, request or key cannot be read or used together


_SEVERITY = {
    Status.VALID: "ok",
    Status.INVALID: "error",
    Status.KID_MISMATCH: "warning",
    Status.UNSIGNED: "info",
    Status.UNUSABLE: "error",
}


@dataclass(frozen=True)
class Verification:
    status: Status
    message: str
    algorithm: str | None = None
    key_warning: str | None = None  # e.g. an HMAC key shorter than the hash

    @property
    def valid(self) -> bool:
        """The signature (or MAC) verifies with the key given."""
        return self.status in (Status.VALID, Status.KID_MISMATCH)

    @property
    def severity(self) -> str:
        return _SEVERITY[self.status]

    @property
    def sentence(self) -> str:
        note = f" Note: {self.key_warning}" if self.key_warning else ""
        return self.message + note

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "status": self.status.value,
            "alg": self.algorithm,
            "message": self.message,
            "keyWarning": self.key_warning,
        }


def _decoded(token: str | DecodedJwt) -> DecodedJwt | Verification:
    if isinstance(token, DecodedJwt):
        return token
    try:
        return decode_jwt(token)
    except TokenFormatError as exc:
        return Verification(Status.UNUSABLE, f"Not a JWT: {exc.message}")


def verify_ably_jwt(token: str | DecodedJwt, key: ApiKey) -> Verification:
    """HS256 with the UTF-8 bytes of the key secret; ``kid`` must name the key."""
    decoded = _decoded(token)
    if isinstance(decoded, Verification):
        return decoded
    return verify_hs256_secret(decoded, key.secret, key_name=key.name)


def verify_hs256_secret(
    token: str | DecodedJwt, secret: str, *, key_name: str | None = None, whose: str = ""
) -> Verification:
    """An HS256 JWT checked with a secret's UTF-8 bytes (Ably's rule; also an outer JWT's
    own secret). With ``key_name``, ``kid`` must be that name."""
    decoded = _decoded(token)
    if isinstance(decoded, Verification):
        return decoded
    who = whose or (f"the key {key_name}" if key_name else "this secret")
    if decoded.alg == "none":
        return Verification(Status.UNSIGNED, "alg 'none': the token is unsigned.", "none")
    if decoded.alg != "HS256":
        return Verification(
            Status.INVALID, f"alg is {decoded.alg!r}; Ably JWTs are HS256.", decoded.alg
        )
    if not verify_hs256(decoded, secret):
        return Verification(Status.INVALID, f"The signature does not match {who}.", "HS256")
    if key_name is not None and decoded.kid != key_name:
        return Verification(
            Status.KID_MISMATCH,
            f"Signed with {key_name}'s secret, but kid is {decoded.kid!r}: Ably looks the key up "
            "by kid, so it would not find this one.",
            "HS256",
        )
    return Verification(Status.VALID, f"Signature verified with {who} (HS256).", "HS256")


def verify_general_jwt(token: str | DecodedJwt, key: JwtKey) -> Verification:
    """Any algorithm pyjwt supports, with a shared secret, PEM or JWK."""
    from tokenlab.core import jws  # pyjwt + cryptography: imported on first use

    decoded = _decoded(token)
    if isinstance(decoded, Verification):
        return decoded
    result = jws.verify_jwt(decoded, key)
    if decoded.alg == "none":
        return Verification(Status.UNSIGNED, result.message, "none")
    status = Status.VALID if result.valid else Status.INVALID
    return Verification(status, result.message, result.algorithm, result.key_warning)


def verify_token_request(request: TokenRequest | str, secret: str) -> Verification:
    """A TokenRequest's MAC, keyed with the UTF-8 bytes of the secret (RSA9)."""
    if isinstance(request, str):
        try:
            request = TokenRequest.from_dict(json.loads(request))
        except (UserError, ValueError, TypeError, AttributeError) as exc:
            message = exc.message if isinstance(exc, UserError) else str(exc)
            return Verification(Status.UNUSABLE, f"The TokenRequest cannot be read: {message}")
    if request.mac is None:
        return Verification(Status.UNSIGNED, "The TokenRequest is unsigned (no mac).")
    if verify_mac(request, secret):
        return Verification(Status.VALID, "MAC verified: this secret signed the TokenRequest.")
    return Verification(
        Status.INVALID, "MAC does not match: wrong secret, or the fields were changed."
    )


def verify_with_secret(text: str, secret: str, *, base64: bool = False) -> Verification:
    """A JWT or TokenRequest JSON checked with a typed secret (UTF-8 text, or base64 bytes for
    general JWTs)."""
    if text.lstrip().startswith("{"):
        if base64:
            return Verification(
                Status.UNUSABLE, "TokenRequest MACs use the secret's UTF-8 text: untick base64."
            )
        return verify_token_request(text, secret)
    from tokenlab.core import jws

    try:
        key = jws.key_from_secret(secret, base64_encoded=base64)
    except UserError as exc:
        return Verification(Status.UNUSABLE, exc.message)
    return verify_general_jwt(text, key)


def verify_with_key_text(text: str, key_text: str) -> Verification:
    """A JWT checked with a pasted PEM block or JWK."""
    from tokenlab.core import jws

    try:
        key = jws.key_from_text(key_text)
    except UserError as exc:
        return Verification(Status.UNUSABLE, exc.message)
    return verify_general_jwt(text, key)
