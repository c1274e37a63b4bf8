"""The one builder from user input to auth configuration (watch and the Live tab)."""

from __future__ import annotations

import json

import pytest

from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, create_token_request
from tokenlab.realtime.credentials import (
    CredentialInput,
    auth_from_text,
    auth_summary,
    build_auth,
    sniff_json_credential,
)
from tokenlab.realtime.options import AuthCallbackAuth, KeyAuth, TokenAuth

KEY = ApiKey("appId", "keyId", "s3cr3t")
REQUEST = create_token_request(KEY, TokenParams(client_id="a", timestamp=1, nonce="n" * 16))
DETAILS = {"token": "appId.abcdefghijklmnop", "issued": 1, "expires": 2, "keyName": "appId.keyId"}


def test_token_request_json_is_handed_out_by_a_callback() -> None:
    auth = auth_from_text(REQUEST.to_json())
    assert isinstance(auth, AuthCallbackAuth) and auth.label == "pasted TokenRequest"


def test_token_details_json_is_a_literal_token_even_with_a_key_name() -> None:
    auth = auth_from_text(json.dumps(DETAILS))
    assert isinstance(auth, TokenAuth) and auth.token_details is not None
    assert auth_summary(auth)["mode"] == "token_details"


def test_key_and_token_strings() -> None:
    assert isinstance(auth_from_text("appId.keyId:s3cr3t"), KeyAuth)
    assert auth_from_text("appId.abcdefghijklmnop") == TokenAuth(token="appId.abcdefghijklmnop")


def test_unknown_json_names_its_fields() -> None:
    with pytest.raises(UserError, match="its fields: a, b"):
        sniff_json_credential({"a": 1, "b": 2})
    with pytest.raises(UserError, match="does not parse"):
        auth_from_text("{oops")


def test_issuer_and_auth_url_inputs() -> None:
    issuer = build_auth(
        CredentialInput(
            "issuer", key=KEY, issuer_capability='{"b":["*"], "a":["*"]}', issuer_ttl_ms=0
        )
    )
    summary = auth_summary(issuer)
    assert summary["capability"] == '{"a":["*"],"b":["*"]}' and summary["ttlMs"] is None
    with pytest.raises(UserError, match="http://"):
        build_auth(CredentialInput("auth_url", auth_url="ftp://x"))
    with pytest.raises(UserError, match="choose an API key"):
        build_auth(CredentialInput("key"))
