"""What an Ably error code means on a live connection: meaning, what to do, and the help link.

One place for the explanation the event log, the details pane, ``tokenlab watch`` and the
exports give for a code (the kinds registry in ``kinds.py`` reads it). No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from tokenlab.core.errors import ABLY_CODES, HELP_URL, describe_ably_code
from tokenlab.realtime.protocol import ErrorInfo

# What to do about the codes people meet on a live connection (README "Error codes").
CODE_HINTS: dict[int, str] = {
    40101: "The server did not accept the credentials: wrong secret, a forged MAC, an unknown "
    "key or a garbage token.",
    40102: "The clientId does not fit the credentials: the token is for another clientId than "
    "the clientId option, or a reauth tried to change an established clientId (RSA15, RTC8).",
    40012: "A message or presence clientId does not match the connection's identity. "
    "Identified clients may only use their own clientId; wildcard tokens may use any (RTL6g).",
    40131: "The key was revoked: every connection using it, or its tokens, is closed.",
    40141: "The token was revoked (by clientId or revocation key). SDKs that can renew fetch a "
    "new token; the new token is refused too while the revocation applies.",
    40142: "The token expired. A client with a key, authUrl or authCallback fetches a new token "
    "and resumes; a literal token cannot be renewed (40171).",
    40160: "The capability does not allow this operation on this channel. Authorize with a "
    "capability that covers it, or use another channel.",
    40161: "This namespace requires identified clients: connect with a clientId.",
    40171: "The token expired or was rejected and the client has no means to renew it.",
    80000: "The connection failed: operations are refused until it is connected again.",
    80002: "The connection is suspended: operations are refused until it reconnects (RTN7c).",
    80017: "The connection is closed: operations are refused until it is connected again.",
    80019: "The auth provider (authUrl or authCallback) failed; 403 from it fails the "
    "connection, anything else is retried.",
    80003: "The connection dropped; the client retries and resumes.",
    80008: "The connection could not be resumed: the server forgot it (state TTL passed).",
    91000: "Presence needs a clientId of your own: an anonymous or wildcard client cannot "
    "enter (RTP8j).",
}


@dataclass(frozen=True, slots=True)
class CodeHelp:
    code: int
    meaning: str  # "40142 Token expired (401)"
    hint: str  # what to do; "" when nothing specific is known
    link: str | None  # Ably's help page for the code


def code_help(code: int, href: str | None = None) -> CodeHelp:
    link = href or (HELP_URL.format(code=code) if code in ABLY_CODES else None)
    return CodeHelp(code, describe_ably_code(code), CODE_HINTS.get(code, ""), link)


def error_help(error: ErrorInfo) -> CodeHelp:
    return code_help(error.code, error.href)
