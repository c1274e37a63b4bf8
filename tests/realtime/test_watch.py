"""``tokenlab watch``: the readable timeline, NDJSON output, and a clean Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tokenlab.commands import watch
from tokenlab.core.errors import UserError
from tokenlab.sandbox import Sandbox

RUNNER = (
    "import argparse, sys\n"
    "from tokenlab.commands import watch\n"
    "p = argparse.ArgumentParser(prog='tokenlab')\n"
    "watch.register(p.add_subparsers())\n"
    "a = p.parse_args(sys.argv[1:])\n"
    "sys.exit(a.func(a))\n"
)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tokenlab")
    watch.register(parser.add_subparsers())
    return parser.parse_args(["watch", *argv])


async def test_embedded_default_shows_client_id_and_renewals() -> None:
    out = io.StringIO()
    stop = asyncio.Event()
    args = _args("--issuer-client-id", "viewer", "--issuer-ttl", "3", "--channel", "news")
    task = asyncio.create_task(watch.watch(args, out, stop))
    # Wait for what the test is about rather than for a fixed duration: a busy machine may take
    # longer than a token's lifetime to renew it.
    async with asyncio.timeout(30):
        while not all(
            part in out.getvalue()
            for part in ("renewal succeeded (token error)", "channel news: attaching -> attached")
        ):
            await asyncio.sleep(0.02)
    stop.set()
    code = await task
    text = out.getvalue()
    assert code == 0, text
    assert "embedded sandbox at http://127.0.0.1:" in text
    assert "connecting -> connected" in text and "clientId 'viewer' assigned" in text
    # A 3 s token is shorter than Ably's 30 s AUTH lead: DISCONNECTED 40142, then a resume.
    assert "renewal succeeded (token error)" in text and "expires" in text
    assert "closing -> closed" in text.splitlines()[-2]
    assert all(line.startswith(("+", "embedded")) for line in text.splitlines())


async def test_json_against_an_endpoint_with_a_key(sandbox: Sandbox) -> None:
    key = sandbox.demo_keys["full"]
    out = io.StringIO()
    stop = asyncio.Event()
    args = _args("--endpoint", sandbox.ws_url, "--key", key.full(), "--client-id", "k", "--json")
    task = asyncio.create_task(watch.watch(args, out, stop))
    async with asyncio.timeout(30):
        while '"current": "connected"' not in out.getvalue():
            await asyncio.sleep(0.02)
    stop.set()
    assert await task == 0
    objs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [o["seq"] for o in objs] == list(range(1, len(objs) + 1))
    assert key.secret not in out.getvalue()
    assert objs[-1]["kind"] == "state_changed" and objs[-1]["current"] == "closed"


async def test_bad_usage_is_a_user_error() -> None:
    out = io.StringIO()
    with pytest.raises(UserError, match="Endpoint URL"):
        await watch.watch(_args("--endpoint", "ftp://nowhere"), out)
    with pytest.raises(UserError, match="name=value"):
        await watch.watch(_args("--auth-url", "http://127.0.0.1:9/x", "--auth-param", "oops"), out)


def test_ctrl_c_closes_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "watch", "--duration", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "connecting -> connected" in line:
                break
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = "".join(lines) + rest
    assert proc.returncode == 0, err
    assert "closing -> closed" in text
    assert "Traceback" not in err
