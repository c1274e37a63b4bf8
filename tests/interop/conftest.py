"""Fixtures for the interop tests: a sandbox per test and the two official SDKs as peers.

``peers.run(sdk, scenario, **cfg)`` runs one scenario of js/peer.js (ably-js under node, as a
subprocess) or of pypeer.py (ably-python in this event loop) against the test's sandbox and
returns the list of events both peers emit in the same shape.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import ably
import pytest
from ably.http.httputils import HttpUtils
from ably.transport import websockettransport as wst
from ably.transport.defaults import Defaults

from tests.interop.jspeer import node_setup_problem, run_js
from tests.interop.pycompat import CompatPeer
from tests.interop.pypeer import PyPeer, run_py
from tokenlab.sandbox import Sandbox, SandboxConfig

SDKS = ("python", "js")
PATCHED_ABLY_PYTHON = "3.1.4"


# WORKAROUND(https://github.com/ably/ably-python/issues/567): ably-python 3.1.4 builds the
# realtime URL as f"{scheme}://{host}?{query}", ignoring ``port``/``tls_port``, so it always
# dials port 80. (ably/ably-python#567.) The patch: same URL plus ":{port}/", host left untouched
# (the SDK compares it for fallback bookkeeping). Drop once upstream PR #691 ships.
def _connect_with_port(self: Any) -> None:
    headers = HttpUtils.default_headers()
    scheme = "wss" if self.options.tls else "ws"
    port = Defaults.get_port(self.options)
    query = urllib.parse.urlencode(self.params)
    url = f"{scheme}://{self.host}:{port}/?{query}"
    self.ws_connect_task = asyncio.create_task(self.ws_connect(url, headers))
    self.ws_connect_task.add_done_callback(self.on_ws_connect_done)


@pytest.fixture
def ably_python_port_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apply the port patch for the one version known to need it (undone after the test)."""
    if ably.lib_version != PATCHED_ABLY_PYTHON:
        pytest.fail(
            f"ably-python {ably.lib_version}: re-check issue #567 and update "
            f"PATCHED_ABLY_PYTHON (the port patch was written for {PATCHED_ABLY_PYTHON})"
        )
    monkeypatch.setattr(wst.WebSocketTransport, "connect", _connect_with_port)


@pytest.fixture
def quiet_ably_logs() -> None:
    # ably-python logs expected failures (NACKs, 40102) with log.exception; keep output readable.
    logging.getLogger("ably").setLevel(logging.CRITICAL)


@pytest.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    # Ably's defaults (an AUTH hint 30 s before expiry only when that lies ahead, so a short
    # token gets DISCONNECTED 40142); tests that want a server AUTH on a short token lower the
    # lead through the settings. Other SandboxConfig fields can be overridden with indirect
    # parametrization of "sandbox".
    overrides: dict[str, Any] = getattr(request, "param", {})
    config = SandboxConfig(**{"tick_ms": 50, **overrides})
    async with Sandbox(config) as sb:
        yield sb


class Peers:
    """Runs scenarios of either SDK against one sandbox."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb

    def base(self, key: str = "full") -> dict[str, Any]:
        return {"port": self.sb.port, "key": self.sb.demo_keys[key].full()}

    async def run(self, sdk: str, scenario: str, **cfg: Any) -> list[dict[str, Any]]:
        deadline = cfg.pop("deadline", 60)  # a hang guard, not a speed bound
        full = dict(self.base(cfg.pop("keyLabel", "full")), scenario=scenario, **cfg)
        if sdk == "js":
            problem = node_setup_problem()
            if problem:
                pytest.fail(problem, pytrace=False)
            return await run_js(full, deadline)
        peer_class = CompatPeer if full.pop("script", None) == "compat" else PyPeer
        return await run_py(full, deadline, peer_class)


@pytest.fixture
async def peers(sandbox: Sandbox, ably_python_port_patch: None, quiet_ably_logs: None) -> Peers:
    return Peers(sandbox)


# -- event helpers used by the tests ---------------------------------------------------------


def events_named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]


def one(events: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = events_named(events, name)
    assert len(found) == 1, f"expected one {name!r} event, got {len(found)}:\n{dump(events)}"
    return found[0]


def assert_done(events: list[dict[str, Any]]) -> None:
    assert events and events[-1]["event"] == "done", f"peer did not finish:\n{dump(events)}"


def dump(events: list[dict[str, Any]]) -> str:
    return "\n".join(repr({k: v for k, v in e.items() if k != "t"}) for e in events)
