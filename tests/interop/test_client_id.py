"""clientId enforcement seen through both official SDKs: connect-time mismatch and presence."""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one
from tests.interop.helpers import record_sandbox_events

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("token_client_id", ["alice", None], ids=["alice-token", "anonymous-token"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_client_id_option_conflicts_with_token(
    peers: Peers, sdk: str, token_client_id: str | None
) -> None:
    # The SDK is given only a token *string* (it cannot see the token's clientId) plus the
    # clientId option "bob", so it sends ?clientId=bob and only the SERVER can refuse: ERROR
    # 40102 at connect time -> FAILED. (A token for alice may not become bob; an anonymous
    # token may not assume any clientId, spec TD6.)
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "client_id_mismatch", tokenClientId=token_client_id, clientId="bob"
    )
    assert_done(events)
    assert one(events, "token_details")["clientId"] == token_client_id
    outcome = one(events, "outcome")
    assert outcome["state"] == "failed", dump(events)
    assert outcome["reason"]["code"] == 40102, dump(events)
    assert outcome["reason"]["statusCode"] == 401, dump(events)
    refused = [e for e in server_events if e.kind == "connection.failed"]
    assert [e.code for e in refused] == [40102], server_events
    assert not [e for e in server_events if e.kind == "connection.opened"], server_events


@pytest.mark.parametrize("sdk", SDKS)
async def test_reauth_with_another_client_id_fails(peers: Peers, sdk: str) -> None:
    # Connected as alice; authorize() then gets a token issued for mallory whose TokenDetails
    # (from a buggy auth server) still claim clientId alice, so neither SDK can see the change.
    # The SERVER must refuse the in-band AUTH: connection ERROR 40102, the client goes FAILED and
    # authorize() rejects with 40102 (RTC8a2).
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "reauth_client_id_change", clientId="alice", reauthClientId="mallory"
    )
    assert_done(events)
    assert one(events, "connected")["clientId"] == "alice"
    authorized = one(events, "authorized")
    assert authorized["ok"] is False, dump(events)
    assert authorized["error"]["code"] == 40102, dump(events)
    outcome = one(events, "outcome")
    assert outcome["state"] == "failed", dump(events)
    assert outcome["reason"]["code"] == 40102, dump(events)
    assert 40102 in [e.code for e in server_events if e.kind == "error"], server_events


@pytest.mark.parametrize("sdk", SDKS)
async def test_presence_requires_a_client_id(peers: Peers, sdk: str) -> None:
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "presence_anonymous", channel="room:presence", identifiedClientId="alice"
    )
    assert_done(events)
    assert one(events, "token_details")["clientId"] is None

    # 1. presence.enter() on an anonymous connection: both SDKs refuse CLIENT-side (RTP8j) with
    #    40012 before anything is sent (ably-js realtimepresence.ts _enterImpl, ably-python
    #    realtime/presence.py enter()).
    enter = one(events, "enter")
    assert enter["ok"] is False and enter["error"]["code"] == 40012, dump(events)
    assert "clientId must be specified" in enter["error"]["message"]

    # 2. The same ENTER pushed through the SDK's internal send path (no client-side check): it
    #    reaches the SERVER without a clientId, which must NACK it (91000, or 40012 as the real
    #    service did in 2016, RTP8i).
    raw = one(events, "raw_enter")
    assert raw["ok"] is False, dump(events)
    assert raw["error"]["code"] in (91000, 40012), dump(events)
    assert raw["error"]["statusCode"] == 400, dump(events)
    assert "clientId must be specified" not in raw["error"]["message"]

    # 3. enterClient("mallory") on a token without a clientId. Neither SDK refuses this
    #    client-side (ably-js has no check; ably-python's can_assume_client_id() allows any id
    #    while its own clientId is unknown), so the SERVER refuses with 40012 (checked below).
    enter_client = one(events, "enter_client")
    assert enter_client["ok"] is False, dump(events)
    assert enter_client["error"]["code"] == 40012, dump(events)
    assert enter_client["error"]["statusCode"] == 400, dump(events)

    # Exactly two presence NACKs left the server (raw ENTER, enterClient), in that order: the
    # first enter() never reached it, and both server-side refusals really were server-side.
    refusals = [e.code for e in server_events if e.kind == "error"]
    assert refusals == [raw["error"]["code"], 40012], server_events

    # The refusals left the connection and channel usable.
    after = one(events, "after")
    assert after["state"] == "connected" and after["channelState"] == "attached", dump(events)

    # Control: an identified client (key + clientId alice) may enter the same channel.
    assert one(events, "identified_enter")["ok"] is True, dump(events)
