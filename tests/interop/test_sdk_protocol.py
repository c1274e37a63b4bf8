"""Protocol edges (issue 12 item 7), through both official SDKs: a key without an app id
(ably-js failure.test.js uses ``js9de7r:08sdnuvfasd``) fails with 40101 / 401 on realtime as on
REST, not with a key-format error."""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("bad_key", ["js9de7r:08sdnuvfasd", "this.is:wrong"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_unknown_or_app_less_key_fails_with_40101(
    peers: Peers, sdk: str, bad_key: str
) -> None:
    events = await peers.run(sdk, "bad_key", script="compat", badKey=bad_key)
    assert_done(events)
    outcome = one(events, "outcome")
    assert outcome["state"] == "failed", dump(events)
    assert outcome["reason"]["code"] == 40101, dump(events)
    assert outcome["reason"]["statusCode"] == 401, dump(events)
