"""History as the REST API defines it (issue 12 item 3), through both official SDKs.

Mirrors ably-js's rest/history and realtime/channel ``rewind_has_backlog_0``/``_1`` and
ably-python's rest history tests: ``limit`` and ``direction`` (forwards gives the oldest first),
pagination by following the ``Link`` headers, presence history, and a ``rewind`` channel param
delivering the latest messages with HAS_BACKLOG (unknown params are not echoed).
"""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one

pytestmark = pytest.mark.interop

ENTER, LEAVE = 2, 3


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
@pytest.mark.parametrize("sdk", SDKS)
async def test_history_pages_presence_history_and_rewind(
    peers: Peers, sdk: str, binary: bool
) -> None:
    events = await peers.run(
        sdk, "history", script="compat", channel="hist", count=5, binary=binary
    )
    assert_done(events)
    history = one(events, "history")
    assert history["pages"]["backwards"] == [["m 4", "m 3"], ["m 2", "m 1"], ["m 0"]], dump(events)
    assert history["pages"]["forwards"] == [["m 0", "m 1"], ["m 2", "m 3"], ["m 4"]], dump(events)
    actions = [(p[0], p[1], p[2]) for p in history["presence"]]
    if sdk == "js":  # ably-js reports presence actions by name
        assert actions == [("leave", "historian", "gone"), ("enter", "historian", "here")]
    else:
        assert actions == [(LEAVE, "historian", "gone"), (ENTER, "historian", "here")]
    assert history["rewind"]["got"] == ["m 3", "m 4"], dump(events)
    assert history["rewind"]["params"] == {"rewind": "2"}, dump(events)
    if sdk == "js":
        assert history["rewind"]["hasBacklog"] is True, dump(events)
        assert history["emptyHasBacklog"] is False, dump(events)
