"""Presence (issue 12 item 5), through ably-js: a member's ``extras`` reach other clients (in
events and in presence.get()), and a member whose transport drops without CLOSE leaves after
``remainPresentFor`` (about 15 s by default), not after connectionStateTtl (RTP17)."""

from __future__ import annotations

import pytest

from tests.interop.conftest import Peers, assert_done, dump, one

pytestmark = pytest.mark.interop

EXTRAS = {"headers": {"k": "v"}}


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
async def test_extras_kept_and_a_dropped_member_leaves(peers: Peers, binary: bool) -> None:
    events = await peers.run(
        "js",
        "presence_drop",
        script="compat",
        channel="pres",
        remainPresentFor=500,
        binary=binary,
    )
    assert_done(events)
    result = one(events, "presence")
    assert result["events"] == [["enter", "ann", EXTRAS], ["leave", "ann", EXTRAS]], dump(events)
    assert result["presentExtras"] == [EXTRAS], dump(events)
    assert result["after"] == 0, dump(events)
