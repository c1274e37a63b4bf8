"""A classroom, end to end: ``tokenlab sandbox --classroom --classroom-host 127.0.0.2`` (127.0.0.2
stands for the room's network), an attendee joins as "Ada" on the join page and runs the served
snippets as pasted: ably-js with node (``node join.mjs``) and ably-python with the official SDK.
Both show up connected as ``ada`` in the instructor's roster; the attendee listener refuses the
instructor-only routes and a foreign Host."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import io
import json
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.interop.jspeer import node_peers_dir, node_setup_problem
from tokenlab.commands import sandbox as command

ROOM = "127.0.0.2"
DEADLINE_S = 30


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


@pytest.fixture
async def banner(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """Run the CLI in this loop; yields its JSON banner and stops it afterwards."""
    out, stop = io.StringIO(), asyncio.Event()
    args = parse("--db", str(tmp_path / "room.sqlite3"), "--json", "--classroom",
                 "--classroom-host", ROOM)  # fmt: skip
    task = asyncio.create_task(command.serve(args, out, io.StringIO(), stop))
    while not out.getvalue() and not task.done():
        await asyncio.sleep(0.02)
    yield json.loads(out.getvalue().splitlines()[0])
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0


def snippet(page: str, lang: str) -> str:
    found = re.search(rf'<pre id="snippet-{lang}">(.*?)</pre>', page, re.S)
    assert found, lang
    return html.unescape(found.group(1))


async def start(argv: list[str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def connected_as(proc: asyncio.subprocess.Process) -> str:
    """Read the peer's output until it prints "connected as <clientId>"."""
    assert proc.stdout is not None
    lines = []
    while line := (await proc.stdout.readline()).decode():
        lines.append(line)
        if line.startswith("connected as "):
            return line.split()[-1]
    assert proc.stderr is not None
    err = (await proc.stderr.read()).decode()
    raise AssertionError(f"peer exited before connecting:\n{''.join(lines)}\n{err[-3000:]}")


async def stop_peer(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does to the pasted snippet
    try:
        await asyncio.wait_for(proc.communicate(), 10)
    except TimeoutError:
        proc.kill()
        await proc.communicate()


async def test_attendee_runs_served_snippets(banner: dict[str, Any], tmp_path: Path) -> None:
    problem = node_setup_problem()
    assert problem is None, problem
    join_url = banner["classroom"]["join_urls"][0]
    assert join_url.startswith(f"http://{ROOM}:")
    (tmp_path / "node_modules").symlink_to(node_peers_dir() / "node_modules")
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.get(join_url, headers={"Accept": "text/html"}) as r:
            assert r.status == 200 and "Join the Ably sandbox" in await r.text()
        async with http.post(join_url + "join", data={"name": "Ada"}) as r:
            page = await r.text()
        assert 'id="client-id">ada<' in page
        (tmp_path / "join.mjs").write_text(snippet(page, "node"), encoding="utf-8")
        (tmp_path / "join.py").write_text(snippet(page, "python"), encoding="utf-8")
        node = await start(["node", "join.mjs"], tmp_path)
        python = await start([sys.executable, "join.py"], tmp_path)
        try:
            ids = await asyncio.wait_for(
                asyncio.gather(connected_as(node), connected_as(python)), DEADLINE_S
            )
            assert ids == ["ada", "ada"]
            async with http.get(banner["rest_url"] + "/classroom/roster") as r:
                roster = (await r.json())["roster"]
        finally:
            await asyncio.gather(stop_peer(node), stop_peer(python))
        connected = [row for row in roster if row["state"] == "connected"]
        assert len(connected) == 2, roster
        assert {(row["name"], row["client_id"]) for row in connected} == {("Ada", "ada")}
        assert all(row["token_expires"] for row in connected)

        # the attendee listener: instructor-only routes and foreign Hosts are refused
        async with http.post(join_url + "auth/mode", json={"mode": "500"}) as r:
            assert r.status == 403 and (await r.json())["error"]["code"] == 40300
        async with http.get(join_url + "time", headers={"Host": "evil.example"}) as r:
            assert r.status == 403 and "not an address" in (await r.json())["error"]["message"]
        admin = {"X-Tokenlab-Admin": banner["admin_token"]}
        async with http.get(banner["rest_url"] + "/auth/mode", headers=admin) as r:
            assert (await r.json())["mode"] is None
