"""``tokenlab sandbox``: banner (URLs, keys, client options), warning for remote binds, events,
and a clean stop on Ctrl-C (SIGINT) in a real subprocess."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tokenlab.commands import sandbox as command

RUNNER = """
import argparse, sys
from tokenlab.commands import sandbox
parser = argparse.ArgumentParser(prog="tokenlab")
sandbox.register(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    return parser.parse_args(["sandbox", *argv])


async def test_banner_events_and_stop(tmp_path: Path) -> None:
    out, err, stop = io.StringIO(), io.StringIO(), asyncio.Event()
    args = parse("--db", str(tmp_path / "cli.sqlite3"))
    task = asyncio.create_task(command.serve(args, out, err, stop))
    for _ in range(100):
        if "Events" in out.getvalue():
            break
        await asyncio.sleep(0.02)
    banner = out.getvalue()
    rest = re.search(r"REST\s+(http://127\.0\.0\.1:\d+)", banner)
    assert rest and re.search(r"WebSocket\s+ws://127\.0\.0\.1:\d+", banner)
    for label in ("full", "subscribe", "chat", "revocable"):
        assert re.search(rf"{label}\s+\S+\.\S+:\S{{32,}}", banner), label
    assert "new Ably.Realtime(" in banner and "AblyRealtime(" in banner
    assert "ably-python 3.1.4 ignores the port" in banner and "use_token_auth=True" in banner
    async with aiohttp.ClientSession() as http, http.get(rest.group(1) + "/auth/token") as r:
        assert r.status == 200
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0
    assert "token.issued" in out.getvalue()


async def test_json_banner_and_reset(tmp_path: Path) -> None:
    db = tmp_path / "j.sqlite3"
    keys = []
    for argv in (("--db", str(db), "--json"), ("--db", str(db), "--json", "--reset")):
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(command.serve(parse(*argv), out, io.StringIO(), stop))
        for _ in range(100):
            if out.getvalue():
                break
            await asyncio.sleep(0.02)
        stop.set()
        assert await asyncio.wait_for(task, 5) == 0
        banner = json.loads(out.getvalue().splitlines()[0])
        keys.append(banner["keys"]["full"])
    assert keys[0] != keys[1]  # --reset made a fresh demo app


async def test_tls_banner_trust_lines_and_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKENLAB_DATA_DIR", str(tmp_path))
    out, stop = io.StringIO(), asyncio.Event()
    args = parse("--db", str(tmp_path / "t.sqlite3"), "--tls")
    task = asyncio.create_task(command.serve(args, out, io.StringIO(), stop))
    for _ in range(100):
        if "Events" in out.getvalue():
            break
        await asyncio.sleep(0.02)
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0
    banner = out.getvalue()
    cert = tmp_path / "sandbox-cert.pem"
    assert cert.is_file() and re.search(r"REST\s+https://127\.0\.0\.1:\d+", banner)
    assert f"SSL_CERT_FILE={cert}" in banner and f"NODE_EXTRA_CA_CERTS={cert}" in banner
    assert "tls: true, tlsPort:" in banner and "tls=True, tls_port=" in banner
    assert "use_token_auth" not in banner  # Basic auth works over TLS


def test_remote_host_warning() -> None:
    # No test binds a non-loopback address: the opt-in logic is checked without listening.
    assert command.remote_warning("127.0.0.1") is None
    assert command.remote_warning("localhost") is None
    warning = command.remote_warning("0.0.0.0")
    assert warning is not None and warning.startswith("WARNING: listening on 0.0.0.0")


async def test_ctrl_c_stops_the_subprocess_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUNNER,
        "sandbox",
        "--db",
        str(tmp_path / "p.sqlite3"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = b""
        while b"REST" not in line:
            line = await asyncio.wait_for(proc.stdout.readline(), 10)
            assert line, "the sandbox exited before printing its URL"
        url = line.decode().split()[-1]
        async with aiohttp.ClientSession() as http, http.get(url + "/time") as response:
            assert response.status == 200
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
