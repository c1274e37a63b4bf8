"""auth.authorize() with a new capability on a live connection, through both official SDKs."""

from __future__ import annotations

import json

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, events_named, one
from tests.interop.helpers import record_sandbox_events

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("sdk", SDKS)
async def test_authorize_upgrades_capability(peers: Peers, sdk: str) -> None:
    # The first token only grants room:a, so attaching room:b is refused by the server (channel
    # ERROR 40160, channel FAILED, connection stays up). authorize() with room:* sends
    # AUTH{accessToken}; the server answers CONNECTED on the same connection (an `update`), and
    # the same channel can then be attached.
    server_events = record_sandbox_events(peers.sb)
    events = await peers.run(
        sdk,
        "authorize",
        clientId="alice",
        capability='{"room:a":["*"]}',
        newCapability='{"room:*":["*"]}',
        deniedChannel="room:b",
        allowedChannel="room:b",
    )
    assert_done(events)
    before, after = events_named(events, "attach")
    assert before["ok"] is False, dump(events)
    assert before["error"]["code"] == 40160, dump(events)
    assert before["error"]["statusCode"] == 401, dump(events)
    assert before["state"] == "failed"

    authorized = one(events, "authorized")
    assert authorized["ok"] is True, dump(events)
    assert json.loads(authorized["capability"]) == {"room:*": ["*"]}
    assert authorized["connectionId"] == authorized["before"], dump(events)
    assert one(events, "updates")["count"] >= 1, dump(events)
    assert one(events, "updates")["state"] == "connected"
    assert after["ok"] is True, dump(events)
    # The callback was asked for the new capability (the SDK forwards authorize()'s params).
    calls = events_named(events, "auth_callback")
    assert len(calls) == 2, dump(events)
    assert "room:*" in json.dumps(calls[1]["params"]), dump(events)

    kinds = [(e.kind, e.code) for e in server_events]
    assert ("error", 40160) in kinds and ("auth.renewed", None) in kinds, kinds
    renewed = [e for e in server_events if e.kind == "auth.renewed"]
    assert [e.connection_id for e in renewed] == [authorized["connectionId"]], server_events
