"""From what a user typed to the auth configuration of a connection: the one builder behind
``tokenlab watch`` and the Live tab's connection editor.

One rule for a pasted credential (``auth_from_text``):

- ``appId.keyId:secret`` is an API key (``KeyAuth``);
- JSON is sniffed by its fields: ``keyName`` with ``mac`` or ``nonce`` is a TokenRequest, handed
  out by an authCallback (it is exchanged at requestToken; renewing reuses it, so Ably answers
  40105); otherwise ``token`` (or ``issued``) makes it TokenDetails (a literal token, TO3j5);
  anything else is refused with the fields it has;
- any other text is a literal token string (an Ably token or a JWT), which cannot be renewed.

``CredentialInput`` carries the other modes (key, authUrl with AuthOptions, the built-in issuer)
with Ably's option names; ``build_auth`` turns it into a ``realtime.options`` auth config and
``auth_summary`` describes one as plain data (for ``--json``, tests and the GUI).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tokenlab.core.capability import Capability
from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenDetails, TokenRequest
from tokenlab.realtime.options import (
    AuthCallbackAuth,
    AuthConfig,
    AuthUrlAuth,
    IssuedKind,
    IssuerAuth,
    KeyAuth,
    TokenAuth,
)

Mode = Literal["key", "token", "auth_url", "issuer"]
JsonKind = Literal["token_request", "token_details"]


@dataclass(frozen=True)
class CredentialInput:
    """What the user chose and typed, before it is checked."""

    mode: Mode
    key: ApiKey | None = None
    use_token_auth: bool = False
    token: str = ""  # a token string, TokenDetails JSON or TokenRequest JSON (mode "token")
    auth_url: str = ""
    auth_method: Literal["GET", "POST"] = "GET"
    auth_params: Mapping[str, str] = field(default_factory=dict)
    auth_headers: Mapping[str, str] = field(default_factory=dict)
    issuer_kind: IssuedKind = "token_request"
    issuer_client_id: str | None = None
    issuer_capability: str | None = None  # raw JSON text, made canonical here
    issuer_ttl_ms: int | None = None
    label: str = "connection"  # named in error messages


def _bad(message: str, code: str, fix: str | None = None) -> UserError:
    return UserError(message, code=f"credentials.{code}", fix=fix)


def sniff_json_credential(data: Mapping[str, Any]) -> JsonKind:
    """TokenRequest or TokenDetails, by the fields present (UserError for anything else)."""
    names = {str(k) for k in data}
    if "keyName" in names and names & {"mac", "nonce"}:
        return "token_request"
    if names & {"token", "issued"}:
        return "token_details"
    raise _bad(
        f"This JSON is neither a TokenRequest (keyName, nonce, mac) nor TokenDetails (token, "
        f"issued, expires); its fields: {', '.join(sorted(names)[:8]) or 'none'}.",
        "json_kind",
        "Paste the token string, the TokenDetails your server returned, or a signed TokenRequest.",
    )


def _json_auth(text: str, label: str) -> AuthConfig:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _bad(f"{label}: the pasted JSON does not parse ({exc}).", "json") from exc
    if not isinstance(data, dict):
        raise _bad(f"{label}: the pasted JSON must be an object.", "json")
    if sniff_json_credential(data) == "token_request":
        request = TokenRequest.from_dict(data)
        return AuthCallbackAuth(lambda _params: request, label="pasted TokenRequest")
    return TokenAuth(token_details=TokenDetails.from_dict(data))


def auth_from_text(text: str, *, label: str = "connection") -> AuthConfig:
    """A pasted credential: API key, TokenRequest or TokenDetails JSON, or a token string."""
    text = text.strip()
    if not text:
        raise _bad(f"{label}: paste a token.", "empty")
    if text.startswith("{"):
        return _json_auth(text, label)
    if ":" in text and "." in text.split(":", 1)[0] and " " not in text:
        try:
            return KeyAuth(ApiKey.parse(text))
        except UserError:
            pass  # not a key after all: a token that happens to contain ':'
    return TokenAuth(token=text)


def _need_key(given: CredentialInput) -> ApiKey:
    if given.key is None:
        raise _bad(
            f"{given.label}: choose an API key.",
            "no_key",
            "Give a key (--key, or a key profile), or use a token or an authUrl.",
        )
    return given.key


def _auth_url(given: CredentialInput) -> AuthUrlAuth:
    url = given.auth_url.strip()
    if not url.startswith(("http://", "https://")):
        raise _bad(f"{given.label}: the authUrl must start with http:// or https://.", "auth_url")
    return AuthUrlAuth(url, given.auth_method, dict(given.auth_params), dict(given.auth_headers))


def build_auth(given: CredentialInput) -> AuthConfig:
    """The auth configuration for ``given`` (UserError, never a crash, for unusable input)."""
    if given.mode == "key":
        return KeyAuth(_need_key(given), use_token_auth=given.use_token_auth)
    if given.mode == "token":
        return auth_from_text(given.token, label=given.label)
    if given.mode == "auth_url":
        return _auth_url(given)
    raw = (given.issuer_capability or "").strip()
    capability = Capability.parse(raw).canonical() if raw else None
    return IssuerAuth(
        _need_key(given),
        kind=given.issuer_kind,
        client_id=(given.issuer_client_id or "").strip() or None,
        capability=capability,
        ttl_ms=given.issuer_ttl_ms if given.issuer_ttl_ms and given.issuer_ttl_ms > 0 else None,
    )


def auth_summary(auth: AuthConfig) -> dict[str, Any]:
    """The auth configuration as plain data (secrets masked), comparable across front ends."""
    if isinstance(auth, KeyAuth):
        return {"mode": "key", "key": auth.key.masked(), "useTokenAuth": auth.use_token_auth}
    if isinstance(auth, TokenAuth):
        if auth.token_details is not None:
            return {"mode": "token_details", "token": auth.token_details.token[:12]}
        return {"mode": "token", "token": (auth.token or "")[:12]}
    if isinstance(auth, AuthUrlAuth):
        return {
            "mode": "auth_url",
            "authUrl": auth.auth_url,
            "authMethod": auth.auth_method,
            "authParams": dict(auth.auth_params),
            "authHeaders": sorted(auth.auth_headers),
        }
    if isinstance(auth, AuthCallbackAuth):
        return {"mode": "auth_callback", "label": auth.label}
    return {
        "mode": "issuer",
        "key": auth.key.masked(),
        "kind": auth.kind,
        "clientId": auth.client_id,
        "capability": auth.capability,
        "ttlMs": auth.ttl_ms,
    }
