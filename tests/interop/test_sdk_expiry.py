"""Token expiry as Ably does it (issue 12 item 1), through both official SDKs.

Mirrors ably-js's realtime/auth tests ``auth_token_expires``, ``auth_token_string_expiry_with_
token``, ``auth_tokenDetails_expiry_with_authcallback`` and ``auth_token_string_expiry_with_
authcallback``: a token shorter than the 30 s reauth lead gets no AUTH hint, only DISCONNECTED
40142 (401) at expiry (RTN15h); a client that can renew resumes with a fresh token and keeps its
connectionId; one holding only a literal token goes FAILED 40171 (RSA4a2).
"""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one
from tests.interop.helpers import record_sandbox_events

pytestmark = pytest.mark.interop

TTL_MS = 2_500


async def _expiry(peers: Peers, sdk: str, mode: str, **cfg: object) -> list[dict[str, object]]:
    events = await peers.run(
        sdk, "expiry", script="compat", mode=mode, ttl=TTL_MS, clientId="test clientid", **cfg
    )
    assert_done(events)
    assert one(events, "connected")["state"] == "connected", dump(events)
    expired = one(events, "expired")
    if sdk == "python" and mode != "callback":
        # ably-python with no means to renew shows no DISCONNECTED: it goes straight to
        # FAILED 40171 on the server's 40142 (asserted through the server's events).
        assert (expired["state"], expired["reason"]["code"]) == ("failed", 40171), dump(events)
        return events
    assert expired["state"] == "disconnected", dump(events)
    assert expired["reason"]["code"] == 40142, dump(events)
    assert expired["reason"]["statusCode"] == 401, dump(events)
    return events


@pytest.mark.parametrize("sdk", SDKS)
async def test_token_details_expires_with_40142_and_no_auth_hint(peers: Peers, sdk: str) -> None:
    server_events = record_sandbox_events(peers.sb)
    await _expiry(peers, sdk, "tokenDetails")
    expired = [e for e in server_events if e.kind == "token.expired"]
    assert expired and expired[0].code == 40142, server_events
    kinds = [e.kind for e in server_events]
    assert "token.expired" in kinds and "auth.requested" not in kinds, kinds


@pytest.mark.parametrize("sdk", SDKS)
async def test_literal_token_expiry_fails_with_40171(peers: Peers, sdk: str) -> None:
    events = await _expiry(peers, sdk, "token")
    after = one(events, "after")
    assert after["state"] == "failed", dump(events)
    assert after["reason"]["code"] == 40171, dump(events)


# ably-python 3.1.4 reports an authCallback returning a bare token string as 80019 before
# using it (client-side, on every connect), so the string variant runs with ably-js only.
@pytest.mark.parametrize(
    ("sdk", "as_string"),
    [("python", False), ("js", False), ("js", True)],
    ids=["python-tokenDetails", "js-tokenDetails", "js-tokenString"],
)
async def test_auth_callback_renews_after_40142_and_resumes(
    peers: Peers, sdk: str, as_string: bool
) -> None:
    server_events = record_sandbox_events(peers.sb)
    events = await _expiry(peers, sdk, "callback", asString=as_string)
    after = one(events, "after")
    assert after["state"] == "connected", dump(events)
    assert after["connectionId"] == after["before"], f"connection id changed:\n{dump(events)}"
    assert after["callbacks"] >= 2, dump(events)
    resumed = [e for e in server_events if e.kind == "connection.resumed"]
    assert resumed and resumed[0].connection_id == after["before"], server_events
    assert "auth.requested" not in [e.kind for e in server_events]


@pytest.mark.parametrize("sdk", SDKS)
async def test_a_lesson_lead_sends_auth_when_it_lies_ahead(peers: Peers, sdk: str) -> None:
    # The lead stays configurable for lessons: 1 s on a 2.5 s token is a hint at 1.5 s, and the
    # SDK renews in band, so the token never reaches its expiry on this connection.
    peers.sb.update_settings(reauth_lead_ms=1_000)
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "renewal", clientId="alice", ttl=TTL_MS, expect="update", waitMs=6_000
    )
    assert_done(events)
    renewed = one(events, "renewed")
    assert renewed["disconnect"] is None and renewed["after"] == renewed["before"], dump(events)
    kinds = [e.kind for e in server_events]
    assert "auth.requested" in kinds and "auth.renewed" in kinds, kinds
