"""Expected failures (``UserError``) and the table of Ably error codes.

There are two kinds of errors in tokenlab (see the README): a ``UserError`` is an expected
failure caused by input (a malformed key, a bad MAC, an HTTP 4xx, an Ably error code) and is
shown inline next to the input; everything else is a bug and reaches the error reporter.

``AblyError`` is a ``UserError`` that carries an Ably error code. Its HTTP status defaults to the
one Ably reports for that code (``ABLY_CODES``, from ably-common's errors.json).
"""

from __future__ import annotations

from typing import Any

HELP_URL = "https://help.ably.io/error/{code}"

# Ably error code -> (HTTP status, one-line meaning). From ably-common's error codes.
ABLY_CODES: dict[int, tuple[int, str]] = {
    40000: (400, "Bad request"),
    40001: (400, "Invalid request body (also: JWT iat in the future)"),
    40003: (400, "Invalid parameter value (e.g. TTL out of range)"),
    40005: (400, "Invalid key or token in request"),
    40012: (400, "Invalid clientId (empty, '*' as an identity, or mismatch on a message)"),
    40017: (400, "Unsupported protocol version"),
    40100: (401, "Unauthorised"),
    40101: (401, "Authentication failed: bad secret, bad MAC, unknown key or garbage token"),
    40102: (401, "Incompatible credentials: clientId mismatch or a different app/key"),
    40103: (401, "Basic auth over a non-TLS transport"),
    40104: (401, "TokenRequest timestamp not current (outside ±2 minutes)"),
    40105: (401, "TokenRequest nonce replayed"),
    40106: (401, "No means of authentication configured"),
    40120: (401, "App disabled"),
    40121: (401, "Token revocation not enabled for this app"),
    40131: (401, "Key revoked"),
    40132: (401, "Key expired"),
    40133: (401, "Tokens can only be revoked with the key that issued them"),
    40140: (401, "Token error (unspecified)"),
    40141: (401, "Token revoked"),
    40142: (401, "Token expired"),
    40143: (401, "Token unrecognised"),
    40144: (401, "Invalid JWT: could not be decoded or verified"),
    40145: (401, "Invalid Ably token"),
    40150: (401, "App connection limit reached"),
    40151: (401, "Per-token connection limit reached"),
    40160: (401, "Operation not permitted with the provided capability"),
    40161: (401, "Namespace requires identified clients"),
    40162: (401, "Operation requires Basic auth"),
    40163: (401, "Token revocation not enabled for this key"),
    40164: (401, "Token revocation not enabled for this key"),
    40165: (401, "Channel mode not requested at attach"),
    40167: (401, "clientType 'server' declared without a signed claim"),
    40170: (401, "Error obtaining a token from authUrl/authCallback (bad response or format)"),
    40171: (403, "Token expired and no means to renew it"),
    40300: (403, "Forbidden"),
    40400: (404, "App or key not found"),
    50000: (500, "Internal error"),
    50003: (504, "Timeout"),
    80000: (400, "Connection failed"),
    80002: (400, "Connection suspended"),
    80003: (400, "Connection disconnected"),
    80008: (400, "Unable to resume connection (connection expired)"),
    80011: (400, "Unable to resume connection (incompatible auth)"),
    80017: (400, "Connection closed"),
    80018: (400, "Unable to resume connection (invalid connection key)"),
    80019: (401, "Auth provider request failed"),
    90001: (404, "Channel operation in an invalid state"),
    91000: (400, "Unable to enter presence without a clientId"),
}


def describe_ably_code(code: int) -> str:
    """A one-line description such as ``40142 Token expired (401)``."""
    entry = ABLY_CODES.get(code)
    if entry is None:
        return f"{code} (no description known)"
    status, meaning = entry
    return f"{code} {meaning} ({status})"


def is_token_error(code: int | None) -> bool:
    """Codes 40140-40149 make SDKs renew their token (RSA4b)."""
    return code is not None and 40140 <= code < 40150


class UserError(Exception):
    """An expected failure caused by input; shown inline, never as a crash."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "error",
        ably_code: int | None = None,
        status: int | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.ably_code = ably_code
        if status is None and ably_code is not None and ably_code in ABLY_CODES:
            status = ABLY_CODES[ably_code][0]
        self.status = status
        self.fix = fix

    @property
    def href(self) -> str | None:
        return HELP_URL.format(code=self.ably_code) if self.ably_code is not None else None

    def error_info(self) -> dict[str, Any]:
        """The Ably ``ErrorInfo`` object for this error."""
        return {
            "code": self.ably_code if self.ably_code is not None else 50000,
            "statusCode": self.status if self.status is not None else 500,
            "message": self.message,
            "href": self.href or HELP_URL.format(code=50000),
        }

    def __str__(self) -> str:
        if self.ably_code is not None:
            return f"{self.message} (Ably error {self.ably_code})"
        return self.message


class AblyError(UserError):
    """A failure that Ably reports with an error code."""

    def __init__(
        self,
        ably_code: int,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(
            message,
            code=code or f"ably.{ably_code}",
            ably_code=ably_code,
            status=status,
            fix=fix,
        )

    @classmethod
    def from_error_info(cls, info: Any) -> AblyError:
        """Build from a wire ``ErrorInfo`` dict; tolerant of missing or odd fields."""
        if not isinstance(info, dict):
            return cls(50000, f"Malformed error object: {info!r:.200}")
        raw_code = info.get("code")
        raw_status = info.get("statusCode")
        code = raw_code if isinstance(raw_code, int) else 50000
        status = raw_status if isinstance(raw_status, int) else None
        message = info.get("message")
        return cls(
            code, str(message) if message is not None else describe_ably_code(code), status=status
        )


class KeyFormatError(UserError):
    """An API key string that is not ``appId.keyId:secret``."""


class CapabilityError(UserError):
    """A capability that does not parse, is invalid, or intersects to nothing."""


class TokenRequestError(UserError):
    """A TokenRequest or TokenParams with a missing or invalid field."""


class TokenFormatError(UserError):
    """A token string that cannot be decoded."""


class SettingsError(UserError):
    """A settings file or value that cannot be used."""
