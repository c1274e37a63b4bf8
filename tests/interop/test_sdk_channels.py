"""Channels (issue 12 item 4), through the official SDKs.

Mirrors ably-js's realtime/channel tests ``attachWithChannelModes``,
``attachWithChannelParamsBasicChannelsGet``, ``attachWithInvalidChannelParams`` (the default
modes) and ``channelattachinvalid`` (40010 while the connection stays up), which ably-python
checks too.
"""

from __future__ import annotations

import pytest

from tests.interop.conftest import SDKS, Peers, assert_done, dump, one

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("sdk", SDKS)
async def test_invalid_channel_name_is_40010_and_the_connection_stays(
    peers: Peers, sdk: str
) -> None:
    events = await peers.run(sdk, "channel_modes", script="compat")
    assert_done(events)
    modes = one(events, "modes")
    assert modes["invalid"] == 40010 and modes["connection"] == "connected", dump(events)


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
async def test_modes_are_honoured_and_enforced(peers: Peers, binary: bool) -> None:
    events = await peers.run("js", "channel_modes", script="compat", binary=binary)
    assert_done(events)
    modes = one(events, "modes")
    default = ["presence", "publish", "subscribe", "presence_subscribe", "annotation_publish"]
    assert modes["defaultModes"] == default, dump(events)
    assert modes["limitedModes"] == ["publish", "presence_subscribe"], dump(events)
    assert modes["publish"] == "ok" and modes["enter"] in (40160, 40165), dump(events)
    assert modes["params"] == {"modes": "subscribe", "delta": "vcdiff"}, dump(events)
    assert modes["paramModes"] == ["subscribe"], dump(events)
    assert modes["invalidReason"]["code"] == 40010, dump(events)
