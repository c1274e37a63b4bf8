"""The typed lesson: concepts, steps, actions and expectations (frozen dataclasses).

The vocabularies (``CONCEPTS``, ``ACTIONS``, ``EXPECTATIONS``) live here, in one place: the
loader validates against them, the runner dispatches on them and the GUI labels them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from tokenlab.realtime.events import ConnectionState

# The auth concepts every lesson set must cover (issue "Lessons"), with a one-line meaning.
CONCEPTS: dict[str, str] = {
    "basic-auth-clientid": "a client claims a clientId with an API key: works, cannot be trusted",
    "token-clientid": "a token issued for a clientId: stamped on messages, others refused 40012",
    "wildcard-clientid": "a '*' token may act as anyone",
    "unidentified": "no clientId: messages carry none, presence refused 91000",
    "clientid-immutable": "a connection's clientId cannot change: authorize() to another -> 40102",
    "late-init-authcallback": "clientId known only after the first authCallback",
    "late-init-opaque-token": "clientId learnt from the server's CONNECTED",
    "authurl": "the client fetches its tokens from an authUrl",
    "authcallback": "the client asks your code (an authCallback) for each token",
    "auth-options": "authMethod, authParams, authHeaders arriving at the auth server",
    "token-request": "signed, single-use nonce (40105), +-2 min (40104), forged MAC (40101)",
    "ably-token": "an opaque Ably token issued by the server",
    "ably-jwt": "an Ably JWT: kid, x-ably-capability, x-ably-clientId",
    "embedded-jwt": "an Ably token inside your JWT: the outer exp may not outlive it",
    "ttl-limits": "at most 24 h, 1 h for revocable keys (40003)",
    "auto-renewal": "a token renewed before expiry on the same connection",
    "authorize-capabilities": "authorize(): downgrade -> 40160 on attached channel, upgrade live",
    "revocation": "revoked tokens (40141) and allowReauthMargin",
    "query-time": "a skewed clock -> 40104, fixed by queryTime",
    "capabilities": "resource and operation wildcards, intersection with the key",
}

# Action -> the step fields it accepts (besides title, action, note, expect, timeout_ms).
ACTIONS: dict[str, tuple[str, ...]] = {
    "connect": (
        "connection",
        "auth",
        "key",
        "client_id",
        "client_id_option",
        "capability",
        "ttl_ms",
        "token",
        "query_time",
        "auth_url",
        "auth_method",
        "auth_params",
        "auth_headers",
    ),
    "attach": ("connection", "channel"),
    "publish": ("connection", "channel", "name", "data", "client_id"),
    "enter_presence": ("connection", "channel", "data"),
    "authorize": ("connection", "client_id", "capability", "ttl_ms"),
    "revoke": ("connection", "key", "client_id", "allow_reauth_margin"),
    "drop_network": ("connection",),
    "set_clock_skew": ("skew_ms",),
    "set_reauth_lead": ("lead_ms",),
    "mint": (
        "kind",
        "key",
        "client_id",
        "capability",
        "ttl_ms",
        "token",
        "outer_ttl_ms",
        "timestamp_offset_ms",
        "save_as",
    ),
    "request_token": ("token", "save_as"),
    "tamper": ("token", "field", "value", "save_as"),
    "inspect": ("token",),
    "wait": ("connection",),
}

# Expectation -> (what it checks, the TOML type it takes).
EXPECTATIONS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "outcome": ("the step succeeded ('ok') or failed ('error')", str),
    "error_code": ("an Ably error code, from the step or seen on the connection", int),
    "state": ("the connection's state", str),
    "client_id": ("the connection's clientId ('' for none)", str),
    "client_id_source": (
        "where the clientId came from (options/token/auth_callback/connected)",
        str,
    ),
    "identity": ("identified, wildcard or unidentified", str),
    "event": ("an event kind seen on the connection (or in the sandbox)", str),
    "message_client_id": ("a message arrived stamped with this clientId ('' for none)", str),
    "presence_client_id": ("a presence member with this clientId", str),
    "renewals": ("at least this many renewals on the same connection", int),
    "same_connection": ("the connection id is still the one it first connected with", bool),
    "capability": ("the connection's token capability (JSON)", str),
    "token_kind": ("the kind of token the step made or inspected", str),
    "token_client_id": ("the clientId inside the token ('' for none)", str),
    "claims_present": ("JWT header/claim names present in the token", list),
    "auth_request": ("what reached the demo auth server (method, params, headers)", dict),
}

# Expectations whose value must be one of a few words.
EXPECT_CHOICES: dict[str, tuple[str, ...]] = {
    "outcome": ("ok", "error"),
    "state": get_args(ConnectionState),
    "identity": ("identified", "wildcard", "unidentified"),
    "client_id_source": ("options", "token", "auth_callback", "connected"),
    "token_kind": (
        "ably_token",
        "ably_jwt",
        "embedded_jwt",
        "jwt",
        "token_request",
        "token_details",
    ),
}
AUTH_KINDS = ("basic", "token_request", "jwt", "ably_token", "auth_callback", "auth_url", "token")
MINT_KINDS = ("token_request", "ably_token", "jwt", "embedded_jwt")
TAMPER_FIELDS = ("mac", "timestamp", "nonce", "ttl", "clientId", "capability")
DEFAULT_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Expectation:
    name: str  # a key of EXPECTATIONS
    value: Any

    def describe(self) -> str:
        """The expectation in plain words, e.g. "error 40012 is reported (Invalid clientId)"."""
        return describe_expectation(self.name, self.value)


_SOURCES = {
    "options": "the clientId option",
    "token": "the token",
    "auth_callback": "the token the auth provider returned",
    "connected": "the server's CONNECTED message",
}


def _who(value: str, none: str) -> str:
    return f"'{value}'" if value else none


def _kind_name(value: str) -> str:
    from tokenlab.core.report import TokenKind

    try:
        return TokenKind(value).display_name
    except ValueError:
        return value


def describe_expectation(name: str, v: Any) -> str:
    if name == "outcome":
        return "the step succeeds" if v == "ok" else "the step is refused"
    if name == "error_code":
        from tokenlab.core.errors import ABLY_CODES

        meaning = ABLY_CODES.get(v, (0, ""))[1]
        return f"error {v} is reported" + (f" ({meaning})" if meaning else "")
    if name == "auth_request":
        parts = [f"{k}={val}" for k, val in v.items()]
        return "the auth server receives " + ", ".join(parts)
    if name == "claims_present":
        return "the token carries " + ", ".join(v)
    if name == "same_connection":
        return "it is still the same connection" if v else "it is a new connection"
    if name == "renewals":
        return f"at least {v} renewal{'s' if v != 1 else ''} on the same connection"
    templates = {
        "state": f"the connection is {v}",
        "client_id": f"its clientId is {_who(v, 'none')}",
        "client_id_source": f"the clientId came from {_SOURCES.get(v, v)}",
        "identity": f"the client is {v}",
        "event": f"a '{str(v).replace('_', ' ')}' event is seen",
        "message_client_id": f"a message arrives stamped {_who(v, 'with no clientId')}",
        "presence_client_id": f"{_who(v, 'an anonymous member')} is present",
        "capability": f"the token's capability is {v}",
        "token_kind": f"the token is: {_kind_name(v)}",
        "token_client_id": f"the token's clientId is {_who(v, 'none')}",
    }
    return templates.get(name, f"{name} = {v!r}")


@dataclass(frozen=True)
class Step:
    title: str
    action: str
    params: Mapping[str, Any]
    expectations: tuple[Expectation, ...]
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    note: str = ""

    @property
    def connection(self) -> str | None:
        value = self.params.get("connection")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class Predict:
    question: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    why: str = ""


@dataclass(frozen=True)
class Laptop:
    """The "on your laptop" exercise: SDK snippets and what the attendee should see."""

    ably_js: str = ""
    ably_python: str = ""
    expected: str = ""


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    theme: str
    concepts: tuple[str, ...]
    explanation: str
    predict: Predict
    steps: tuple[Step, ...]
    laptop: Laptop | None = None
    source: str = ""  # the file it was read from
    builtin: bool = True
    order: int = 100  # position within its theme
