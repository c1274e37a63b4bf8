"""Run a js/ peer script (ably-js 2.28.0 under node) as a subprocess; parse its JSON lines.

The Makefile installs ably-js into build/node-peers and passes TOKENLAB_NODE_PEERS; a local run
without it falls back to <repo>/build/node-peers. A missing install is a test failure, never a
skip: the JS peer tests are part of the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
JS_DIR = Path(__file__).resolve().parent / "js"
WANT_ABLY_JS = "2.28.0"


def node_peers_dir() -> Path:
    env = os.environ.get("TOKENLAB_NODE_PEERS")
    return Path(env) if env else REPO / "build" / "node-peers"


def node_setup_problem() -> str | None:
    """Why the JS peer cannot run, or None when node and ably-js are in place."""
    if shutil.which("node") is None:
        return "node is not on PATH; install Node.js >= 18 to run the ably-js interop peers"
    modules = node_peers_dir() / "node_modules"
    manifest = modules / "ably" / "package.json"
    if not manifest.is_file():
        return (
            f"ably-js is not installed in {modules}; run `make node-peers` "
            "(or set TOKENLAB_NODE_PEERS to a directory holding node_modules/ably)"
        )
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if version != WANT_ABLY_JS:
        return f"{manifest} is ably-js {version}, the interop tests pin {WANT_ABLY_JS}"
    return None


async def run_js(cfg: dict[str, Any], deadline_s: float = 60) -> list[dict[str, Any]]:
    """Run one scenario of js/<cfg["script"]>.js (default peer.js); returns the events (a crash
    or timeout becomes a ``fatal`` event)."""
    script = JS_DIR / f"{cfg.pop('script', 'peer')}.js"
    env = dict(os.environ, NODE_PATH=str(node_peers_dir() / "node_modules"))
    payload = dict(cfg, deadlineMs=int(deadline_s * 1000) - 1000)
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(script),
        json.dumps(payload),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), deadline_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        out, err = await proc.communicate()
        return [*_parse(out), {"event": "fatal", "error": {"message": "node killed at deadline"}}]
    events = _parse(out)
    if proc.returncode != 0 and not any(e["event"] == "fatal" for e in events):
        events.append(
            {
                "event": "fatal",
                "error": {"message": f"node exited {proc.returncode}"},
                "stderr": err.decode(errors="replace")[-4000:],
            }
        )
    return events


def _parse(out: bytes) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for line in out.decode(errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            events.append({"event": "stdout", "text": line})
    return events
