"""REST token issuance through both official SDKs: createTokenRequest -> requestToken."""

from __future__ import annotations

import json

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one
from tests.interop.helpers import record_sandbox_events

pytestmark = pytest.mark.interop

CAPABILITY = '{"room:*":["subscribe","publish"]}'


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_token_request_round_trip(peers: Peers, sdk: str, binary: bool) -> None:
    # ably-python signs the capability as '{"room:*": ["publish", "subscribe"]}' (with spaces)
    # and, in msgpack mode, POSTs a msgpack body with explicit nulls; ably-js signs compact JSON
    # and always POSTs JSON. The sandbox must verify each MAC over the bytes it received.
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk, "rest_token", clientId="alice", capability=CAPABILITY, ttl=60_000, binary=binary
    )
    assert_done(events)
    tr = one(events, "token_request")["tokenRequest"]
    td = one(events, "token_details")
    key = peers.sb.demo_keys["full"]
    assert td["token"], dump(events)
    assert td["clientId"] == "alice"
    assert td["expires"] - td["issued"] == 60_000
    assert json.loads(td["capability"]) == {"room:*": ["publish", "subscribe"]}
    assert td["keyName"] in (None, key.name)
    assert (tr.get("keyName") or tr.get("key_name")) == key.name

    # The same SDK, same params, a MAC that was never computed with the secret: server refusal.
    forged = one(events, "forged")
    assert forged["ok"] is False, dump(events)
    assert forged["error"]["code"] == 40101, dump(events)
    assert forged["error"]["statusCode"] == 401
    issued = [e for e in server_events if e.kind == "token.issued"]
    assert len(issued) == 1 and issued[0].client_id == "alice", server_events


@pytest.mark.parametrize("sdk", SDKS)
async def test_use_token_auth_with_key(peers: Peers, sdk: str) -> None:
    # The SDK's own path (ably-python: AblyRest(key, use_token_auth=True); ably-js: useTokenAuth),
    # which is how ably-python must talk to a plain-http server (it refuses Basic auth, 40103).
    events = await peers.run(sdk, "rest_use_token_auth", clientId="carol")
    assert_done(events)
    td = one(events, "token_details")
    assert td["clientId"] == "carol"
    assert td["expires"] - td["issued"] == 3_600_000  # no ttl requested: the 60 min default
    # The "full" demo key grants everything; no capability requested -> the key's own.
    assert json.loads(td["capability"]) == {"*": ["*"]}, dump(events)
