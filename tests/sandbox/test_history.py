"""REST history (RSL2): limit, direction, start/end, Link pagination, presence history; and the
``rewind`` channel param with HAS_BACKLOG."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp

from tests.sandbox.conftest import FakeClock, connected, key_of
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.channels import ChannelHub
from tokenlab.sandbox.history import HistoryQuery

HAS_BACKLOG = 1 << 1


def _basic(sb: Sandbox) -> dict[str, str]:
    return {"Authorization": key_of(sb).basic_auth_header()}


async def _publish_at(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock, count: int
) -> list[int]:
    stamps = []
    for index in range(count):
        clock.advance(1_000)
        stamps.append(sb.now_ms())
        body = {"name": "n", "data": f"m{index}", "timestamp": stamps[-1]}
        url = f"{sb.rest_url}/channels/h/messages"
        async with http.post(url, json=body, headers=_basic(sb)) as resp:
            assert resp.status == 201
    return stamps


async def _get(
    sb: Sandbox, http: aiohttp.ClientSession, path: str, **query: Any
) -> tuple[int, Any, dict[str, dict[str, str]]]:
    async with http.get(f"{sb.rest_url}{path}", params=query, headers=_basic(sb)) as resp:
        links = {}
        for part in resp.headers.get("Link", "").split(","):
            if part.strip():
                url, rel = part.split(";")
                target = url.strip()[1:-1]
                assert target.startswith("./")
                links[rel.split('"')[1]] = dict(parse_qsl(urlsplit(target).query))
        return resp.status, await resp.json(), links


async def test_pages_follow_the_link_header_both_ways(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    await _publish_at(sb, http, clock, 5)
    for direction, want in (
        ("backwards", [["m4", "m3"], ["m2", "m1"], ["m0"]]),
        ("forwards", [["m0", "m1"], ["m2", "m3"], ["m4"]]),
    ):
        query: dict[str, str] = {"limit": "2", "direction": direction}
        pages = []
        while True:
            status, body, links = await _get(sb, http, "/channels/h/messages", **query)
            assert status == 200 and {"first", "current"} <= set(links)
            pages.append([m["data"] for m in body])
            if "next" not in links:
                break
            query = links["next"]
        assert pages == want


async def test_start_and_end_are_inclusive(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    stamps = await _publish_at(sb, http, clock, 5)
    path = "/channels/h/messages"
    _, body, _ = await _get(sb, http, path, start=str(stamps[1]), end=str(stamps[3]))
    assert [m["data"] for m in body] == ["m3", "m2", "m1"]
    status, body, _ = await _get(sb, http, path, start=str(stamps[3]), end=str(stamps[1]))
    assert status == 400 and body["error"]["code"] == 40003
    status, body, _ = await _get(sb, http, path, direction="sideways")
    assert status == 400 and body["error"]["code"] == 40003


async def test_presence_history(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full(), clientId="ann")
    await client.send({"action": 10, "channel": "p"})
    await client.expect(11)
    for serial, (action, data) in enumerate(((2, "in"), (4, "moved"), (3, "out"))):
        await client.send(
            {
                "action": 14,
                "channel": "p",
                "msgSerial": serial,
                "presence": [{"action": action, "data": data}],
            }
        )
    status, body, _ = await _get(sb, http, "/channels/p/presence/history", direction="forwards")
    assert status == 200
    assert [(p["action"], p["clientId"], p["data"]) for p in body] == [
        (2, "ann", "in"),
        (4, "ann", "moved"),
        (3, "ann", "out"),
    ]
    await client.close()


async def test_rewind_param_sends_the_latest_with_has_backlog(
    sb: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    await _publish_at(sb, http, clock, 3)
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 10, "channel": "h", "params": {"rewind": "2", "bogus": "1"}})
    attached = await client.expect(11)
    assert attached["flags"] & HAS_BACKLOG and attached["params"] == {"rewind": "2"}
    backlog = await client.expect(15)
    assert [m["data"] for m in backlog["messages"]] == ["m1", "m2"]
    await client.send({"action": 10, "channel": "none", "params": {"rewind": "1"}})
    assert not (await client.expect(11))["flags"] & HAS_BACKLOG
    await client.send({"action": 10, "channel": "bad", "params": {"rewind": "soon"}})
    error = await client.expect(9)
    assert error["channel"] == "bad" and error["error"]["code"] == 40000
    await client.close()


def test_presence_fixtures_are_in_presence_history() -> None:
    hub = ChannelHub(lambda: 5)
    hub.add_fixture("app", "f", "one", "first", None)
    hub.add_fixture("app", "f", "two", "c2Vjb25k", "base64")
    items, _ = hub.history("app", "f", HistoryQuery(direction="forwards"), presence=True)
    assert [(p["clientId"], p["data"], p.get("encoding")) for p in items] == [
        ("one", "first", None),
        ("two", "c2Vjb25k", "base64"),
    ]
