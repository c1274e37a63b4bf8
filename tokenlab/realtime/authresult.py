"""What an auth provider handed back, read the way the SDKs read it (RSA8c, RSA4f, TO3j5).

An authUrl response is interpreted by its Content-Type (``application/json`` -> TokenDetails,
recognised by ``issued``, or TokenRequest, by ``keyName``; ``text/plain`` / ``application/jwt``
-> a token string; anything else, or none, -> 40170). An authCallback result may be a string,
TokenDetails, TokenRequest or a dict of either. Token strings are checked as ably-js does:
empty, ``"null"``, ``"undefined"``, double-encoded JSON, or longer than 128 KiB -> 40170.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.tokens import MAX_TOKEN_LENGTH, TokenDetails, TokenRequest
from tokenlab.realtime.authhttp import error_from_response, json_body

AuthResult = str | TokenDetails | TokenRequest


def _bad(message: str) -> AblyError:
    return AblyError(40170, message, status=401)


def check_token_string(token: str, *, jwt_content_type: bool = False) -> str:
    """The RSA4f / ably-js checks on a token string; returns it stripped of whitespace."""
    text = token.strip()
    if not text:
        raise _bad("The auth provider returned an empty token.")
    if text in ("null", "undefined"):
        raise _bad(f"The auth provider returned the literal string {text!r} as a token.")
    if text.startswith("{") and not jwt_content_type:
        raise _bad(
            "Token was double-encoded: a JSON object was returned as a token string "
            "(return it as application/json, or the token alone as text/plain)."
        )
    if len(text) > MAX_TOKEN_LENGTH:
        raise _bad(f"Token is {len(text)} characters; the limit is {MAX_TOKEN_LENGTH}.")
    return text


def from_mapping(value: Mapping[Any, Any]) -> TokenDetails | TokenRequest:
    """ably-js/-python: ``issued`` means TokenDetails (which needs ``token`` and ``expires``),
    else ``keyName`` a TokenRequest; anything else, ``{"token": …}`` alone included, is 40170."""
    keys = {k.decode() if isinstance(k, bytes) else str(k) for k in value}
    try:
        if "issued" in keys:
            missing = [name for name in ("token", "expires") if name not in keys]
            if missing:
                raise _bad(
                    f"The auth provider returned TokenDetails without {' and '.join(missing)}."
                )
            return TokenDetails.from_dict(value)
        if "keyName" in keys:
            return TokenRequest.from_dict(value)
    except UserError as exc:
        if isinstance(exc, AblyError) and exc.ably_code == 40170:
            raise
        raise _bad(f"The auth provider returned an unusable object: {exc.message}") from exc
    if "token" in keys:
        raise _bad(
            "The auth provider returned {\"token\": …} without 'issued': ably-js and "
            "ably-python recognise TokenDetails by its 'issued' field and reject this. Return "
            "the whole TokenDetails (token, issued, expires), or the token alone as text/plain "
            "or application/jwt."
        )
    raise _bad(
        "The auth provider returned JSON that is neither TokenDetails (token, issued, expires) "
        f"nor a TokenRequest (keyName, nonce, mac); keys: {sorted(keys)[:8]}"
    )


def interpret_callback_result(value: object) -> AuthResult:
    """An authCallback's return value as a token string, TokenDetails or TokenRequest."""
    if isinstance(value, TokenDetails | TokenRequest):
        return value
    if isinstance(value, str):
        return check_token_string(value)
    if isinstance(value, Mapping):
        return from_mapping(value)
    raise _bad(
        f"authCallback returned {type(value).__name__}; expected a token string, TokenDetails, "
        "TokenRequest or a dict of either."
    )


def interpret_auth_url_response(response: httpx.Response) -> AuthResult:
    """Read an authUrl response by status, then Content-Type (RSA8c)."""
    if not response.is_success:
        raise error_from_response(response, "authUrl")
    content_type = response.headers.get("content-type", "").lower()
    if "application/json" in content_type:
        body = json_body(response)
        if isinstance(body, Mapping):
            return from_mapping(body)
        if isinstance(body, str):
            return check_token_string(body)
        raise _bad(f"authUrl returned JSON {type(body).__name__}, not an object.")
    if "application/jwt" in content_type or "text/plain" in content_type:
        text = response.content.decode("utf-8", "replace")
        return check_token_string(text, jwt_content_type="application/jwt" in content_type)
    shown = content_type or "no Content-Type"
    raise _bad(
        f"authUrl responded with {shown}; expected application/json, text/plain or application/jwt."
    )
