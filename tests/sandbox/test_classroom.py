"""Classroom mode: the attendee listener on 127.0.0.2 (standing for the room's network), the join
page and its tickets, trust by listener, the Host/Origin guard there, the join rate limit and a
clean close. No test binds a real network address."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.sandbox.conftest import WS, FakeClock, config
from tokenlab.core.errors import UserError
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.classroom import JOIN_LIMIT, slug
from tokenlab.sandbox.trust import INSTRUCTOR_HEADER

ROOM = "127.0.0.2"


@pytest.fixture
async def room(clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(config(clock)) as sandbox:
        await sandbox.open_classroom([ROOM])
        yield sandbox


def room_url(sb: Sandbox) -> str:
    return sb.classroom.join_urls()[0].rstrip("/")


async def join(http: aiohttp.ClientSession, sb: Sandbox, name: str) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    async with http.post(f"{room_url(sb)}/join", json={"name": name}, headers=headers) as r:
        assert r.status == 200, await r.text()
        data: dict[str, str] = await r.json()
        return data


def test_slug() -> None:
    assert slug("Ada") == "ada"
    assert slug("  Grace Hopper ") == "grace-hopper"
    assert slug("Zoë Ñúñez") == "zoe-nunez"
    assert slug("!!!") == "attendee"


async def test_join_page_and_unique_client_ids(room: Sandbox, http: aiohttp.ClientSession) -> None:
    assert room.classroom.join_urls() == [f"http://{ROOM}:{room.port}/"]  # same port as loopback
    async with http.get(room_url(room) + "/", headers={"Accept": "text/html"}) as r:
        page = await r.text()
        assert r.status == 200 and r.content_type == "text/html"
    assert '<form method="post" action="/join">' in page and 'name="viewport"' in page
    assert "http" not in page.split("<body>")[1]  # no external assets, no links out
    first, second = await join(http, room, "Ada"), await join(http, room, "ada")
    assert (first["clientId"], second["clientId"]) == ("ada", "ada-2")
    assert first["authUrl"].startswith(f"http://{ROOM}:{room.port}/auth/token?ticket=")
    secrets = [k.secret for k in room.demo_keys.values()]
    assert not any(s in str(first) for s in secrets)  # attendees never see a key secret
    async with http.post(f"{room_url(room)}/join", data={"name": "Ada Lovelace"}) as r:
        page = html.unescape(await r.text())
    assert 'id="client-id">ada-lovelace<' in page and "node join.mjs" in page
    assert not any(s in page for s in secrets)


async def test_ticket_fixes_the_client_id(room: Sandbox, http: aiohttp.ClientSession) -> None:
    ada = await join(http, room, "Ada")
    async with http.get(ada["authUrl"] + "&clientId=grace&format=details") as r:
        details = await r.json()
    assert details["clientId"] == "ada"
    assert details["expires"] - details["issued"] <= 600_000
    async with http.get(f"{room_url(room)}/auth/token?clientId=grace") as r:
        assert r.status == 401 and (await r.json())["error"]["code"] == 40101


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/auth/mode"),
        ("POST", "/apps"),
        ("DELETE", "/apps/{app}"),
        ("POST", "/keys/{key}/revokeTokens"),
    ],
)
async def test_instructor_only_routes_refuse_attendees(
    room: Sandbox, http: aiohttp.ClientSession, method: str, path: str
) -> None:
    key = room.demo_keys["revocable"]
    url = room_url(room) + path.format(app=room.demo_app_id, key=key.name)
    basic = base64.b64encode(key.full().encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}  # even with a key: trust is by listener
    async with http.request(method, url, json={"mode": "500"}, headers=auth) as r:
        assert r.status == 403
        error = (await r.json())["error"]
    assert error["code"] == 40300 and "instructor only" in error["message"]
    assert room.settings.auth_server_mode is None and room.list_apps()


async def test_instructor_credential_and_loopback(
    room: Sandbox, http: aiohttp.ClientSession
) -> None:
    headers = {INSTRUCTOR_HEADER: room.classroom.instructor_credential}
    async with http.post(room_url(room) + "/auth/mode", json={"mode": "500"}, headers=headers) as r:
        assert r.status == 200
    assert room.settings.auth_server_mode == "500"
    async with http.post(room.rest_url + "/auth/mode", json={"mode": None}, headers=headers) as r:
        assert r.status == 200  # the same credential on the instructor's loopback listener
    wrong = {INSTRUCTOR_HEADER: "guess"}
    async with http.post(room_url(room) + "/auth/mode", json={"mode": "403"}, headers=wrong) as r:
        assert r.status == 403
    assert room.settings.auth_server_mode is None


@pytest.mark.parametrize(
    "headers",
    [{"Host": "evil.example"}, {"Host": "127.0.0.1:1"}, {"Origin": "http://evil.example"}],
)
async def test_guard_admits_served_addresses_only(
    room: Sandbox, http: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with http.get(room_url(room) + "/time", headers=headers) as r:
        assert r.status == 403 and (await r.json())["error"]["code"] == 40300
    for ok in ({}, {"Origin": "null"}, {"Origin": f"http://{ROOM}:{room.port}"}):
        async with http.get(room_url(room) + "/time", headers=ok) as r:
            assert r.status == 200, ok


async def test_join_is_rate_limited(room: Sandbox, http: aiohttp.ClientSession) -> None:
    for n in range(JOIN_LIMIT):
        await join(http, room, f"student {n}")
    url, accept = f"{room_url(room)}/join", {"Accept": "application/json"}
    async with http.post(url, json={"name": "one more"}, headers=accept) as r:
        assert r.status == 429 and (await r.json())["error"]["code"] == 42910
    async with http.post(url, json={"name": " "}, headers=accept) as r:
        assert r.status == 400 and (await r.json())["error"]["code"] == 40003


async def test_roster_and_clean_close(
    room: Sandbox, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    ada = await join(http, room, "Ada")
    async with http.get(ada["authUrl"]) as r:
        token = await r.text()
    ws = await http.ws_connect(f"ws://{ROOM}:{room.port}/?v=6&access_token={token}")
    client = WS(ws, "json")
    connected = await client.expect(4)
    assert connected["connectionDetails"]["clientId"] == "ada"
    [row] = room.classroom.roster()
    assert (row.name, row.client_id, row.state) == ("Ada", "ada", "connected")
    assert row.token_expires is not None and row.token_expires <= clock() + 600_000
    await room.close_classroom()
    await client.expect_error(9, 40300)  # told why, so the SDK stops retrying
    assert await client.closed()
    await client.close()
    assert room.classroom.roster()[0].state == "closed" and not room.classroom.open
    with pytest.raises(aiohttp.ClientConnectorError):
        async with http.get(f"http://{ROOM}:{room.port}/time"):
            pass


async def test_wildcard_classroom_host_is_refused(sb: Sandbox) -> None:
    with pytest.raises(UserError, match="wildcard"):
        await sb.open_classroom(["0.0.0.0"])
    assert re.match(r"^[A-Za-z0-9_-]{24}$", sb.classroom.instructor_credential)
