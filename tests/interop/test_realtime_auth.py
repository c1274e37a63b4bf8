"""Realtime connections in every auth mode, through both official SDKs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, events_named, one
from tests.interop.helpers import auth_url, mint_token, record_sandbox_events

pytestmark = pytest.mark.interop

CHANNEL = "room:lobby"

# Every mode in JSON and in msgpack (WS binary frames and, for ably-python, a msgpack
# requestToken body).
CASES = [
    (mode, binary) for binary in (False, True) for mode in ("key", "token", "callback", "authurl")
]


async def _mode_config(peers: Peers, mode: str) -> dict[str, Any]:
    if mode == "token":
        return {"token": mint_token(peers.sb, client_id="alice")}
    if mode == "authurl":
        url, params = auth_url(peers.sb, client_id="alice")
        return {"authUrl": url, "authParams": params}
    return {"clientId": "alice"}


@pytest.mark.parametrize(
    ("mode", "binary"), CASES, ids=[f"{m}-{'msgpack' if b else 'json'}" for m, b in CASES]
)
@pytest.mark.parametrize("sdk", SDKS)
async def test_connect_attach_publish(peers: Peers, sdk: str, mode: str, binary: bool) -> None:
    server_events = record_sandbox_events(peers.sb)
    cfg = await _mode_config(peers, mode)
    events = await peers.run(sdk, "realtime", mode=mode, binary=binary, channel=CHANNEL, **cfg)
    assert_done(events)
    connected = one(events, "connected")
    # Every mode identifies as alice: the key via the clientId option, the token / callback /
    # authUrl through the token's clientId echoed in connectionDetails.clientId.
    assert connected["clientId"] == "alice", dump(events)
    assert connected["connectionId"] and connected["connectionKey"], dump(events)
    assert one(events, "attach")["ok"] is True, dump(events)
    assert one(events, "publish")["ok"] is True, dump(events)
    assert one(events, "closed")["state"] == "closed"
    if mode == "callback":
        assert len(events_named(events, "auth_callback")) == 1, dump(events)

    opened = [e for e in server_events if e.kind == "connection.opened"]
    assert [e.connection_id for e in opened] == [connected["connectionId"]], server_events
    assert opened[0].client_id == "alice"


@pytest.mark.parametrize("sandbox", [{"max_idle_interval_ms": 1_000}], indirect=True)
@pytest.mark.parametrize("sdk", SDKS)
async def test_server_heartbeats_keep_an_idle_connection(peers: Peers, sdk: str) -> None:
    # maxIdleInterval 1 s and realtimeRequestTimeout 1 s: a client that sees no protocol message
    # for ~2 s drops the connection (80003). ably-python counts only protocol messages as
    # activity, not WebSocket pings (RTN23b), so the sandbox's HEARTBEATs must flow.
    events = await peers.run(sdk, "idle", holdMs=3_500, realtimeRequestTimeout=1_000)
    assert_done(events)
    idle = one(events, "idle")
    assert idle["state"] == "connected", dump(events)
    assert idle["changes"] == [], dump(events)
    assert idle["connectionId"] == one(events, "connected")["connectionId"]
