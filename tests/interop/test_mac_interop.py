"""tokenlab's TokenRequest MAC equals ably-python's for the same capability bytes, timestamp and
nonce (ably-python signs locally; no network is used)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from ably import AblyRest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokenlab.core.capability import OPERATIONS
from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, TokenRequest, create_token_request, verify_mac

pytestmark = pytest.mark.interop

_ID = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=127),
    min_size=1,
    max_size=8,
)
_SECRET = st.text(
    st.characters(blacklist_characters=".:", blacklist_categories=("Cs", "Z", "Cc")),
    min_size=1,
    max_size=40,
)
_CAPABILITY = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda r: not r.startswith("[")),
    st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=4, unique=True),
    min_size=1,
    max_size=3,
)


async def _ably_request(key: ApiKey, params: dict[str, Any]) -> Any:
    rest = AblyRest(key=key.full(), endpoint="127.0.0.1", tls=False)
    try:
        return await rest.auth.create_token_request(params)
    finally:
        await rest.close()


@settings(max_examples=50, deadline=None)
@given(
    app_id=_ID,
    key_id=_ID,
    secret=_SECRET,
    ttl=st.none() | st.integers(1, 86_400_000),
    capability=st.none() | _CAPABILITY,
    client_id=st.none() | st.text(min_size=1, max_size=20),
    timestamp=st.integers(1, 2**45),
    nonce=st.text(min_size=1, max_size=32),
)
def test_mac_matches_ably_python(
    app_id: str,
    key_id: str,
    secret: str,
    ttl: int | None,
    capability: dict[str, list[str]] | None,
    client_id: str | None,
    timestamp: int,
    nonce: str,
) -> None:
    key = ApiKey(app_id, key_id, secret)
    params: dict[str, Any] = {"timestamp": timestamp, "nonce": nonce}
    if ttl is not None:
        params["ttl"] = ttl
    if capability is not None:
        params["capability"] = capability
    if client_id is not None:
        params["client_id"] = client_id
    theirs = asyncio.run(_ably_request(key, params))
    # tokenlab signs the capability bytes ably-python put in its request
    ours = create_token_request(
        key,
        TokenParams(
            ttl=ttl,
            capability=theirs.capability,
            client_id=client_id,
            timestamp=timestamp,
            nonce=nonce,
        ),
    )
    assert ours.mac == theirs.mac
    assert ours.sign_text().endswith(f"\n{timestamp}\n{nonce}\n")
    # and tokenlab verifies ably-python's request as received on the wire
    wire = TokenRequest.from_dict(theirs.to_dict())
    assert verify_mac(wire, secret)
