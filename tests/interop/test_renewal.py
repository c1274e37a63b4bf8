"""Token renewal on a live connection, through both official SDKs.

Short-TTL tokens come from an authCallback. Renewal must keep the connection id: after
DISCONNECTED 40142 the SDK reconnects with ``resume=<connectionKey>`` and a fresh token; after a
server AUTH it re-authenticates in band on the same transport.
"""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, events_named, one
from tests.interop.helpers import record_sandbox_events

pytestmark = pytest.mark.interop

TTL_MS = 3_000


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_renewal_after_40142(peers: Peers, sdk: str, binary: bool) -> None:
    # Ably's default lead (30 s) is longer than the token: no AUTH hint, only DISCONNECTED 40142.
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk,
        "renewal",
        clientId="alice",
        ttl=TTL_MS,
        expect="disconnect",
        waitMs=TTL_MS + 5_000,
        binary=binary,
    )
    assert_done(events)
    renewed = one(events, "renewed")
    assert renewed["disconnect"] is not None, dump(events)
    assert renewed["disconnect"]["code"] == 40142, dump(events)
    assert renewed["disconnect"]["statusCode"] == 401, dump(events)
    assert renewed["state"] == "connected"
    assert renewed["after"] == renewed["before"], f"connection id changed:\n{dump(events)}"
    assert renewed["callbacks"] >= 2, dump(events)
    assert len(events_named(events, "auth_callback")) == renewed["callbacks"]

    kinds = [e.kind for e in server_events]
    assert "token.expired" in kinds, kinds
    resumed = [e for e in server_events if e.kind == "connection.resumed"]
    assert resumed and resumed[0].connection_id == renewed["before"], server_events


@pytest.mark.parametrize("sdk", SDKS)
async def test_renewal_after_server_auth(peers: Peers, sdk: str) -> None:
    # A reauth lead of 2 s on a 4 s token: the server sends AUTH at ~2 s, the SDK fetches a new
    # token through its authCallback and answers AUTH{accessToken}; the server's CONNECTED is an
    # `update` on the same connection and no disconnect happens.
    peers.sb.update_settings(reauth_lead_ms=2_000)
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "renewal", clientId="alice", ttl=4_000, expect="update", waitMs=6_000
    )
    assert_done(events)
    renewed = one(events, "renewed")
    assert renewed["disconnect"] is None, dump(events)
    assert renewed["state"] == "connected"
    assert renewed["after"] == renewed["before"], f"connection id changed:\n{dump(events)}"
    assert renewed["callbacks"] >= 2, dump(events)
    updates = [e for e in events if e["event"] == "state" and e["change"] == "update"]
    assert updates and updates[0]["previous"] == updates[0]["current"] == "connected"

    kinds = [e.kind for e in server_events]
    assert "auth.requested" in kinds and "auth.renewed" in kinds, kinds
    assert "token.expired" not in kinds, kinds
