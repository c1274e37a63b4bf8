"""Fixtures for the sandbox tests: a real server on 127.0.0.1:0 per test, an adjustable clock,
an aiohttp client session, and a small WebSocket client that reads protocol frames with a
deadline (every wait in these tests is bounded)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import msgpack
import pytest

from tokenlab.core.keys import ApiKey
from tokenlab.core.tokens import TokenParams, TokenRequest, create_token_request
from tokenlab.sandbox import Sandbox, SandboxConfig

WAIT = 30.0  # a hang guard for awaited frames, never a performance bound


class FakeClock:
    """Real time plus an offset the test can move forward (timers follow it)."""

    def __init__(self) -> None:
        self.offset = 0

    def __call__(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset

    def advance(self, ms: int) -> None:
        self.offset += ms


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def config(clock: FakeClock, **overrides: Any) -> SandboxConfig:
    base: dict[str, Any] = {
        "now_ms": clock,
        "tick_ms": 20,
        "revocation_margin_ms": 800,
        "connection_state_ttl_ms": 3_000,
    }
    base.update(overrides)
    return SandboxConfig(**base)


@pytest.fixture
async def sb(clock: FakeClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(config(clock)) as sandbox:
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        yield session


class WS:
    """A raw protocol client: JSON text frames or msgpack binary frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, fmt: str) -> None:
        self.ws = ws
        self.fmt = fmt

    async def send(self, frame: dict[str, Any]) -> None:
        if self.fmt == "msgpack":
            await self.ws.send_bytes(msgpack.packb(frame, use_bin_type=True))
        else:
            await self.ws.send_str(json.dumps(frame))

    async def recv(self, timeout: float = WAIT, heartbeats: bool = False) -> dict[str, Any]:
        """The next frame (server HEARTBEATs without an id are skipped unless asked for)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            msg = await asyncio.wait_for(self.ws.receive(), max(left, 0.01))
            if msg.type == aiohttp.WSMsgType.TEXT:
                frame: dict[str, Any] = json.loads(msg.data)
            elif msg.type == aiohttp.WSMsgType.BINARY:
                frame = msgpack.unpackb(msg.data, raw=False)
            else:
                raise ConnectionError(f"socket closed: {msg.type} {msg.data!r}")
            if frame.get("action") == 0 and "id" not in frame and not heartbeats:
                continue
            return frame

    async def expect(self, action: int, timeout: float = WAIT) -> dict[str, Any]:
        frame = await self.recv(timeout)
        assert frame["action"] == action, frame
        return frame

    async def expect_error(self, action: int, code: int, timeout: float = WAIT) -> dict[str, Any]:
        frame = await self.expect(action, timeout)
        assert frame["error"]["code"] == code, frame
        return frame

    async def closed(self, timeout: float = WAIT) -> bool:
        """True once the server has closed the socket (after any remaining frames)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            msg = await asyncio.wait_for(self.ws.receive(), max(left, 0.01))
            if msg.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.ERROR,
            ):
                return True

    async def close(self) -> None:
        await self.ws.close()


async def connect(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    *,
    binary: bool = False,
    params: dict[str, str] | None = None,
    **query: str,
) -> WS:
    params = {**(params or {}), **query}
    params.setdefault("v", "6")
    if binary:
        params["format"] = "msgpack"
    ws = await http.ws_connect(
        f"{sb.ws_url}/?{urlencode(params)}", timeout=aiohttp.ClientWSTimeout(ws_close=2)
    )
    return WS(ws, "msgpack" if binary else "json")


async def connected(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    *,
    binary: bool = False,
    params: dict[str, str] | None = None,
    **query: str,
) -> tuple[WS, dict[str, Any]]:
    client = await connect(sb, http, binary=binary, params=params, **query)
    frame = await client.expect(4)
    return client, frame


def key_of(sb: Sandbox, label: str = "full") -> ApiKey:
    return sb.demo_keys[label]


def signed(
    sb: Sandbox,
    label: str = "full",
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    **params: Any,
) -> TokenRequest:
    return create_token_request(
        key_of(sb, label),
        TokenParams(nonce=nonce, timestamp=timestamp, **params),
        now_ms=sb.now_ms,
    )


def token(sb: Sandbox, label: str = "full", **kw: Any) -> str:
    return sb.issue_token(key_of(sb, label).name, **kw).token


async def post_token_request(
    sb: Sandbox,
    http: aiohttp.ClientSession,
    body: Any,
    *,
    key_name: str | None = None,
    binary: bool = False,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    name = key_name or (body["keyName"] if isinstance(body, dict) else key_of(sb).name)
    hdrs = dict(headers or {})
    if binary:
        data: Any = msgpack.packb(body, use_bin_type=True)
        hdrs.update({"Content-Type": "application/x-msgpack", "Accept": "application/x-msgpack"})
    else:
        data = json.dumps(body)
        hdrs.setdefault("Content-Type", "application/json")
    async with http.post(f"{sb.rest_url}/keys/{name}/requestToken", data=data, headers=hdrs) as r:
        raw = await r.read()
        if r.content_type == "application/x-msgpack":
            return r.status, msgpack.unpackb(raw, raw=False)
        return r.status, json.loads(raw)


def error_code(body: Any) -> int:
    return int(body["error"]["code"])
