"""Attendee connections as lanes on the Live timeline: an attendee joins the classroom on
127.0.0.2 (standing for the room's network), connects with the token its authUrl issues, and the
Live tab's "Show attendees" switch draws its lane (state, token bar) beside the tab's own."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import live_tab
from tests.gui.test_live_tab import add, connected
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.attendee_lanes import lane_name
from tokenlab.gui.live.tab import LiveTab

ROOM = "127.0.0.2"


def attendee_lanes(live: LiveTab) -> list[str]:
    return [lane.name for lane in live.timeline.lanes.lanes if lane.client_id == "ada"]


async def test_an_attendee_connection_gets_a_lane(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, sandbox), aiohttp.ClientSession() as http:
        await sandbox.open_classroom([ROOM])
        alice = add(live, "Alice")
        await connected(live, alice)
        live.attendees.checkbox.setChecked(True)
        room = sandbox.classroom.join_urls()[0].rstrip("/")
        headers = {"Accept": "application/json"}
        async with http.post(f"{room}/join", json={"name": "Ada"}, headers=headers) as r:
            ada = await r.json()
        async with http.get(ada["authUrl"]) as r:
            token = await r.text()
        ws = await http.ws_connect(f"ws://{ROOM}:{sandbox.port}/?v=6&access_token={token}")
        try:
            frame = await ws.receive_json()
            assert frame["action"] == 4 and frame["connectionDetails"]["clientId"] == "ada"
            conn_id = frame["connectionId"]
            name = lane_name({}, "ada", conn_id)
            await wait_until(lambda: attendee_lanes(live) == [name])
            lane = live.timeline.lanes.lane(name)
            assert lane.state == "connected" and len(lane.tokens) == 1
            assert lane.tokens[0].expires_ms is not None
            assert [x.name for x in live.timeline.lanes.lanes] == [alice, name]
            live.attendees.checkbox.setChecked(False)  # off: only the tab's own lanes
            assert attendee_lanes(live) == [] and alice in [
                x.name for x in live.timeline.lanes.lanes
            ]
            live.attendees.checkbox.setChecked(True)  # on again: replayed from the feed
            assert attendee_lanes(live) == [name]
            await sandbox.close_classroom()
            await wait_until(lambda: live.timeline.lanes.lane(name).state == "closed")
            assert "disconnect" in {m.kind for m in live.timeline.lanes.lane(name).markers}
        finally:
            await ws.close()


def test_feed_events_fold_into_states_token_bars_and_markers() -> None:
    from tokenlab.gui.live.attendee_lanes import fold_attendee_event
    from tokenlab.gui.live.timeline_lanes import TimelineLanes
    from tokenlab.sandbox import config as ev

    def event(kind: str, at: int, cid: str = "ada", conn: str = "c1", **more: object) -> Any:
        return ev.SandboxEvent(kind, at, f"{kind} at {at}", conn, cid, **more)

    lanes, names = TimelineLanes(), {}
    attendees = {"ada"}
    opened = {"expires": 10_000, "credential": "Ably JWT"}
    feed = [
        event(ev.CONNECTION_OPENED, 1_000, data=opened),
        event(ev.AUTH_REQUESTED, 8_000),
        event(ev.AUTH_RENEWED, 8_500, data={"expires": 18_500}),
        event(ev.ERROR, 9_000, code=40160),
        event(ev.REVOCATION, 9_500, code=40141),
        event(ev.CONNECTION_CLOSED, 9_600),
        event(ev.CONNECTION_OPENED, 9_700, conn="c2", data=opened),
        event(ev.CONNECTION_OPENED, 9_800, cid="mallory", conn="c3"),  # not an attendee
        event(ev.KEY_CREATED, 9_900, cid=None, conn=None),  # not a connection's
    ]
    folded = [fold_attendee_event(lanes, e, attendees, names) for e in feed]
    assert folded == [True] * 7 + [False, False]
    assert [lane.name for lane in lanes.lanes] == ["Room: ada", "Room: ada (2)"]
    lane = lanes.lane("Room: ada")
    assert lane.states == ["connected", "closed"] and lane.client_id == "ada"
    assert [(t.start_ms, t.expires_ms, t.token_kind) for t in lane.tokens] == [
        (1_000, 10_000, "jwt"),
        (8_500, 18_500, "jwt"),
    ]
    kinds = [m.kind for m in lane.markers]
    assert kinds == ["server_auth", "renewed", "error", "revocation", "revocation", "disconnect"]
    assert (lanes.first_ms, lanes.last_ms) == (1_000, 9_700)
