"""TokenRequest signing (RSA9g): golden vectors, including ones made by ably-js and ably-python."""

from __future__ import annotations

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokenlab.core.errors import TokenRequestError
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import (
    DEFAULT_TTL_MS,
    TokenDetails,
    TokenParams,
    TokenRequest,
    compute_mac,
    create_token_request,
    sign_text,
    validate_ttl,
    verify_mac,
)

REF_KEY = ApiKey.parse("appId.keyId:s3cr3t")
PEER_KEY = ApiKey.parse("appid.keyid:secretsecret")


def test_published_vector() -> None:
    text = sign_text("a_key_name", 1000, None, "a_id", 1000, "abcde100")
    assert text == "a_key_name\n1000\n\na_id\n1000\nabcde100\n"
    assert compute_mac("a_secret", text) == "sYkCH0Un+WgzI7/Nhy0BoQIKq9HmjKynCRs4E3qAbGQ="


@pytest.mark.parametrize(
    ("ttl", "capability", "client_id", "mac"),
    [
        (3600000, '{"*":["*"]}', None, "VrIFeQ1VUAYq/lmbfrJuuCX63aGh00SBpetx2FUk180="),
        (3600000, '{"*": ["*"]}', None, "s6/CpT6sgbVzLyV2ascM+sfksvJ3M1LgoBvgxFsrAu4="),
        (None, None, None, "uqvcs3K8PCFYeUUKzXf/epjBi68uVymacwF4KirliZ4="),
        (
            3600000,
            '{"*":["*"]}',
            "user@example.com",
            "JygfXK1l3I6tABa9RwxNtXzeTGnzF6zDP/5mySh35XM=",
        ),
        (
            3600000,
            '{"*": ["*"]}',
            "user@example.com",
            "Cxz7D5kN/SYH+4WeY/6zT+OC1a9IJgZAmj1ZjRhoFIo=",
        ),
    ],
)
def test_reference_table(
    ttl: int | None, capability: str | None, client_id: str | None, mac: str
) -> None:
    params = TokenParams(
        ttl=ttl,
        capability=capability,
        client_id=client_id,
        timestamp=1700000000000,
        nonce="0123456789abcdef",
    )
    request = create_token_request(REF_KEY, params)
    assert request.mac == mac
    assert verify_mac(request, "s3cr3t")


@pytest.mark.parametrize(
    ("ttl", "capability", "client_id", "mac"),
    [
        (None, None, None, "NiORPF0rNHpP8lIb5E2KXIORgyR9smkenl37It50PjM="),
        (3600000, '{"*": ["*"]}', "alice", "umpvsQebnOl2HVdWFj9aWKjIdVuXkJoUN9124uqrvh0="),
        (3600000, '{"*":["*"]}', "alice", "qE0EBqAM6dVqK8Ea3rNGD3shfag4IY28XZCG7MhAulg="),
        (
            3600000,
            '{"chan": ["publish", "subscribe"]}',
            "bob",
            "ZZvXlsQ2Tfd5r65Ue7MrR2YbYL4QF3rHSH6C9PZbFWk=",
        ),
        (
            3600000,
            '{"chan":["publish","subscribe"]}',
            "bob",
            "BAJFMfTI8sbsspCUkc8djm1ctBFgevk1FEeBsRhzJmg=",
        ),
    ],
)
def test_sdk_vectors(
    ttl: int | None, capability: str | None, client_id: str | None, mac: str
) -> None:
    params = TokenParams(
        ttl=ttl,
        capability=capability,
        client_id=client_id,
        timestamp=1700000000000,
        nonce="abcdef0123456789",
    )
    assert create_token_request(PEER_KEY, params).mac == mac


def test_injected_clock_and_nonce() -> None:
    request = create_token_request(
        REF_KEY, now_ms=lambda: 1700000000000, nonce_factory=lambda: "0123456789abcdef"
    )
    assert request.timestamp == 1700000000000
    assert request.mac == "uqvcs3K8PCFYeUUKzXf/epjBi68uVymacwF4KirliZ4="


def test_python_body_with_nulls_in_msgpack() -> None:
    body = {
        "keyName": "appId.keyId",
        "clientId": None,
        "ttl": None,
        "nonce": "0123456789abcdef",
        "capability": None,
        "timestamp": 1700000000000,
        "mac": "uqvcs3K8PCFYeUUKzXf/epjBi68uVymacwF4KirliZ4=",
    }
    decoded = msgpack.unpackb(msgpack.packb(body), raw=True)
    request = TokenRequest.from_dict(decoded)
    assert request.ttl is None and request.capability is None and request.client_id is None
    assert verify_mac(request, "s3cr3t")


def test_numeric_strings_accepted() -> None:
    request = TokenRequest.from_dict({"keyName": "a.b", "timestamp": "1000", "ttl": "3600000"})
    assert (request.timestamp, request.ttl) == (1000, 3600000)
    assert not request.signed


@pytest.mark.parametrize(
    ("body", "ably_code"),
    [
        ({"timestamp": 1}, 40001),
        ({"keyName": "a.b"}, 40001),
        ({"keyName": "a.b", "timestamp": 1, "ttl": "notanumber"}, 40003),
        ({"keyName": "a.b", "timestamp": 1, "capability": {"*": ["*"]}}, 40001),
        ({"keyName": "a.b", "timestamp": 1, "clientId": 7}, 40001),
    ],
)
def test_bad_bodies(body: dict[str, object], ably_code: int) -> None:
    with pytest.raises(TokenRequestError) as info:
        TokenRequest.from_dict(body)
    assert info.value.ably_code == ably_code


def test_wrong_secret_fails_verification() -> None:
    request = create_token_request(REF_KEY, TokenParams(timestamp=1, nonce="0123456789abcdef"))
    assert not verify_mac(request, "other")
    assert not verify_mac(request.with_mac(None), "s3cr3t")


def test_ttl_limits() -> None:
    assert validate_ttl(None) == DEFAULT_TTL_MS
    assert validate_ttl(1) == 1
    for bad, revocable in ((-1, False), (365 * 86_400_000, False), (3_600_001, True)):
        with pytest.raises(TokenRequestError) as info:
            validate_ttl(bad, revocable=revocable)
        assert info.value.ably_code == 40003 and info.value.status == 400


def test_token_details_round_trip() -> None:
    wire = {
        "token": "app.abc",
        "keyName": "app.key",
        "issued": 1,
        "expires": 2,
        "capability": '{"*":["*"]}',
        "clientId": "alice",
    }
    assert TokenDetails.from_dict(wire).to_dict() == wire


_field = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(
    ttl=st.one_of(st.none(), st.integers(1, 86_400_000)),
    capability=st.one_of(st.none(), _field),
    client_id=st.one_of(st.none(), _field),
    timestamp=st.integers(0, 2**53),
    nonce=_field,
)
def test_sign_verify_round_trip(
    ttl: int | None, capability: str | None, client_id: str | None, timestamp: int, nonce: str
) -> None:
    params = TokenParams(
        ttl=ttl, capability=capability, client_id=client_id, timestamp=timestamp, nonce=nonce
    )
    request = create_token_request(REF_KEY, params)
    again = TokenRequest.from_dict(request.to_dict())
    assert verify_mac(again, REF_KEY.secret)
    assert again.sign_text().count("\n") == 6 + sum(
        f.count("\n") for f in (capability or "", client_id or "", nonce)
    )


@given(secret=st.text(min_size=1, max_size=200), text=st.text(max_size=300))
def test_mac_equals_the_standard_hmac(secret: str, text: str) -> None:
    import base64
    import hashlib
    import hmac

    # lone surrogates cannot be UTF-8 encoded: they are never part of a secret or sign text
    key, msg = secret.encode("utf-8", "replace"), text.encode("utf-8", "replace")
    secret, text = key.decode("utf-8"), msg.decode("utf-8")
    expected = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    assert compute_mac(secret, text) == expected
