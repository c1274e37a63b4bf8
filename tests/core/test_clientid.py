"""clientId rules (spec RSA7, RSA8f, RSA15, TD6)."""

from __future__ import annotations

import pytest

from tokenlab.core.clientid import (
    identity_of_token,
    presence_client_id,
    resolve_identity,
    stamp_message_client_id,
)
from tokenlab.core.errors import AblyError


def _code(fn: object, *args: object, **kwargs: object) -> int | None:
    with pytest.raises(AblyError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.ably_code


def test_token_with_client_id_is_identified() -> None:
    identity = identity_of_token("alice")
    assert identity.kind == "identified"
    assert identity.client_id == "alice"
    assert identity.may_enter_presence and not identity.may_publish_as_any
    assert "alice" in identity.explanation


def test_wildcard_token() -> None:
    identity = identity_of_token("*")
    assert identity.kind == "wildcard" and identity.client_id == "*"
    assert identity.may_publish_as_any and not identity.may_enter_presence


def test_anonymous_token() -> None:
    identity = identity_of_token(None)
    assert identity.kind == "unidentified" and identity.client_id is None
    assert not identity.may_publish_as_any and not identity.may_enter_presence


def test_basic_auth() -> None:
    anon = resolve_identity(None, basic_auth=True, token_client_id=None)
    assert anon.kind == "unidentified" and anon.may_publish_as_any
    bob = resolve_identity("bob", basic_auth=True, token_client_id=None)
    assert bob.kind == "identified" and bob.client_id == "bob"


@pytest.mark.parametrize("option", ["*", ""])
def test_invalid_option_client_ids(option: str) -> None:
    assert _code(resolve_identity, option, basic_auth=True, token_client_id=None) == 40012
    assert _code(resolve_identity, option, basic_auth=False, token_client_id="*") == 40012


def test_option_mismatch_with_token_is_40102() -> None:
    assert _code(resolve_identity, "bob", basic_auth=False, token_client_id="alice") == 40102


def test_option_with_anonymous_token_is_40102() -> None:
    assert _code(resolve_identity, "bob", basic_auth=False, token_client_id=None) == 40102


def test_option_with_wildcard_token_identifies() -> None:
    identity = resolve_identity("bob", basic_auth=False, token_client_id="*")
    assert identity.kind == "identified" and identity.client_id == "bob"


def test_matching_option_and_token() -> None:
    identity = resolve_identity("alice", basic_auth=False, token_client_id="alice")
    assert identity.client_id == "alice"


def test_empty_token_client_id() -> None:
    assert _code(identity_of_token, "") == 40012


def test_stamping() -> None:
    alice = identity_of_token("alice")
    assert stamp_message_client_id(alice, None) == "alice"
    assert stamp_message_client_id(alice, "alice") == "alice"
    assert _code(stamp_message_client_id, alice, "bob") == 40012

    star = identity_of_token("*")
    assert stamp_message_client_id(star, None) is None
    assert stamp_message_client_id(star, "bob") == "bob"
    assert _code(stamp_message_client_id, star, "*") == 40012

    anon = identity_of_token(None)
    assert stamp_message_client_id(anon, None) is None
    assert _code(stamp_message_client_id, anon, "bob") == 40012

    basic = resolve_identity(None, basic_auth=True, token_client_id=None)
    assert stamp_message_client_id(basic, "anyone") == "anyone"


def test_presence() -> None:
    alice = identity_of_token("alice")
    assert presence_client_id(alice, None) == "alice"
    assert _code(presence_client_id, alice, "bob") == 40012

    star = identity_of_token("*")
    assert _code(presence_client_id, star, None) == 91000
    assert presence_client_id(star, "bob") == "bob"

    anon = identity_of_token(None)
    assert _code(presence_client_id, anon, None) == 91000
    assert _code(presence_client_id, anon, "bob") == 40012

    basic = resolve_identity(None, basic_auth=True, token_client_id=None)
    assert presence_client_id(basic, "carol") == "carol"
    assert _code(presence_client_id, basic, None) == 91000
