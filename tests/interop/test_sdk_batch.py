"""What workshop code also touches (issue 12 item 9), through ably-js: batchPublish and
batchPresence as rest/batch.test.js asserts them (per-channel results, 401 where the capability
refuses), channel status with occupancy (RSL8), and stats() answering an empty page."""

from __future__ import annotations

import pytest

from tests.interop.conftest import Peers, assert_done, dump, one

pytestmark = pytest.mark.interop

CAPABILITY = '{"channel0":["*"],"channel4":["*"]}'


def _check(result: dict[str, object], ok: str, refused: str) -> None:
    assert (result["successCount"], result["failureCount"]) == (1, 1)
    good, bad = result["results"]  # type: ignore[misc]
    assert good["channel"] == ok and good["messageId"] and "error" not in good
    assert bad["channel"] == refused and "messageId" not in bad
    assert bad["error"]["statusCode"] == 401


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
async def test_batch_publish_presence_status_and_stats(peers: Peers, binary: bool) -> None:
    key = peers.sb.create_key(capability=CAPABILITY, label="batch").full()
    events = await peers.run("js", "batch", script="compat", key=key, binary=binary)
    assert_done(events)
    batch = one(events, "batch")
    _check(batch["many"][0], "channel0", "channel3")
    _check(batch["many"][1], "channel4", "channel5")
    _check(batch["single"], "channel0", "channel3")
    assert batch["history"] == ["message1", "message2", "one"], dump(events)
    presence = batch["presence"]
    assert (presence["successCount"], presence["failureCount"]) == (1, 1), dump(events)
    refused, present = presence["results"]
    assert refused["channel"] == "channel3" and refused["error"]["statusCode"] == 401
    assert [p["clientId"] for p in present["presence"]] == ["batchPresenceTest"], dump(events)
    occupancy = batch["occupancy"]
    assert occupancy["connections"] == 1 and occupancy["presenceMembers"] == 1, dump(events)
    assert batch["active"] is True, dump(events)
    assert batch["stats"] == 0, dump(events)
