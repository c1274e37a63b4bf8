"""Messages (issue 12 item 6), through ably-js: idempotent publishing (RSL1k, RTL6a: a repeated
client-supplied id is delivered and stored once, over REST and realtime) and ``connectionKey``
on a REST publish (publishing on behalf of a live connection; an unknown key is 40006)."""

from __future__ import annotations

import pytest

from tests.interop.conftest import Peers, assert_done, dump, one

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("binary", [False, True], ids=["json", "msgpack"])
async def test_repeated_ids_are_delivered_once_and_connection_key_is_checked(
    peers: Peers, binary: bool
) -> None:
    events = await peers.run("js", "idempotent", script="compat", channel="idem", binary=binary)
    assert_done(events)
    result = one(events, "idempotent")
    assert result["received"] == ["rest", "rt", "behalf"], dump(events)
    assert result["history"] == ["rest", "rt", "behalf"], dump(events)
    assert result["bad"]["code"] == 40006 and result["bad"]["statusCode"] == 400, dump(events)
    assert result["behalf"] == result["connectionId"], dump(events)
