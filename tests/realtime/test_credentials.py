"""The one builder from user input to auth configuration (watch and the Live tab)."""

from __future__ import annotations

import json

import pytest

from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.pairs import parse_pair_lines, parse_pairs, split_pair
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


@pytest.mark.parametrize(
    ("item", "pair"),
    [
        ("clientId=alice", ("clientId", "alice")),
        (" clientId = alice ", ("clientId", "alice")),
        ("url=http://127.0.0.1:9/x", ("url", "http://127.0.0.1:9/x")),  # '=' first
        ("Authorization: Bearer a=b", ("Authorization", "Bearer a=b")),  # ':' first
        ("empty=", ("empty", "")),
    ],
)
def test_a_pair_reads_the_same_on_the_command_line_and_in_an_editor(
    item: str, pair: tuple[str, str]
) -> None:
    assert split_pair(item, "authParams") == pair
    assert parse_pairs([item], "--auth-param") == dict([pair])
    assert parse_pair_lines(f"\n{item}\n", "authParams") == (pair,)


@pytest.mark.parametrize("item", ["oops", "=value", " : value"])
def test_a_malformed_pair_has_one_message_for_both_front_ends(item: str) -> None:
    with pytest.raises(UserError) as cli:
        parse_pairs(["a=1", item], "authParams")
    with pytest.raises(UserError) as editor:
        parse_pair_lines(f"a=1\n\n{item}", "authParams")
    assert cli.value.message == f"authParams is not name=value: {item.strip()!r}."
    assert editor.value.message == f"authParams line 3 is not name=value: {item.strip()!r}."
    assert cli.value.code == editor.value.code == "credentials.pair"
    assert cli.value.fix == editor.value.fix and "sub=alice" in (cli.value.fix or "")


def test_repeated_names_last_wins_on_the_command_line_and_stay_in_order_in_an_editor() -> None:
    assert parse_pairs(["a=1", "a=2"], "authParams") == {"a": "2"}
    assert parse_pair_lines("a=1\na=2", "authParams") == (("a", "1"), ("a", "2"))


def test_claims_split_at_the_first_equals_sign_only() -> None:
    item = 'a:b={"chat:*":["publish"]}'
    assert split_pair(item, "--claim", colon=False) == ("a:b", '{"chat:*":["publish"]}')
    with pytest.raises(UserError, match=r"^--claim is not name=value: 'a: b'\.$"):
        split_pair("a: b", "--claim", colon=False)
