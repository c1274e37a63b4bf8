"""Attack families below the routes: oversized frames and headers, unmasked frames, connections
that never finish their headers, and slow subscribers and history floods (memory)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import struct
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from tests.sandbox.conftest import WAIT, FakeClock, config, connected, key_of
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.channels import ChannelHub
from tokenlab.sandbox.history import HistoryQuery
from tokenlab.sandbox.link import Link

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def raw(sb: Sandbox) -> AsyncIterator[Stream]:
    reader, writer = await asyncio.open_connection("127.0.0.1", sb.port)
    yield reader, writer
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


async def upgrade(sb: Sandbox, stream: Stream, then: bytes = b"") -> None:
    """The WebSocket handshake, with ``then`` sent in the same write (pipelined)."""
    reader, writer = stream
    query = quote(key_of(sb).full(), safe="")
    writer.write(
        (
            f"GET /?v=6&key={query} HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ).encode()
        + then
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.startswith(b"HTTP/1.1 101"), head


def frame_header(opcode: int, length: int, *, masked: bool = True, fin: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    mask = 0x80 if masked else 0
    if length < 126:
        return bytes([first, mask | length])
    if length < 65_536:
        return bytes([first, mask | 126]) + struct.pack(">H", length)
    return bytes([first, mask | 127]) + struct.pack(">Q", length)


async def server_frames(reader: asyncio.StreamReader) -> list[tuple[int, bytes]]:
    """Read server frames (unmasked) until the close frame or EOF."""
    frames: list[tuple[int, bytes]] = []
    while True:
        try:
            head = await asyncio.wait_for(reader.readexactly(2), WAIT)
        except (asyncio.IncompleteReadError, ConnectionError):
            return frames
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack(">H", await reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", await reader.readexactly(8))[0]
        payload = await reader.readexactly(length)
        frames.append((head[0] & 0x0F, payload))
        if head[0] & 0x0F == 8:
            return frames


def texts(frames: list[tuple[int, bytes]]) -> list[dict[str, object]]:
    return [json.loads(p) for op, p in frames if op == 1]


# -- 11. frames and headers ------------------------------------------------------------------------
async def test_oversized_frame_announced_in_its_header_gets_40009(sb: Sandbox, raw: Stream) -> None:
    await upgrade(sb, raw)
    reader, writer = raw
    writer.write(frame_header(1, 64 * 1_048_576) + os.urandom(4) + b"x" * 1024)
    frames = await server_frames(reader)
    errors = [f for f in texts(frames) if f.get("action") == 9]
    assert errors and errors[-1]["error"]["code"] == 40009  # type: ignore[index]
    assert frames[-1][0] == 8  # then a close frame


async def test_fragmented_message_over_the_limit_gets_40009(sb: Sandbox, raw: Stream) -> None:
    await upgrade(sb, raw)
    reader, writer = raw
    chunk = 400_000
    for index in range(3):
        opcode = 1 if index == 0 else 0
        writer.write(frame_header(opcode, chunk, fin=False) + bytes(4) + b" " * chunk)
    frames = await server_frames(reader)
    assert [f["error"]["code"] for f in texts(frames) if f.get("action") == 9] == [40009]


async def test_unmasked_client_frame_closes_the_connection(sb: Sandbox, raw: Stream) -> None:
    await upgrade(sb, raw)
    reader, writer = raw
    body = b'{"action":0,"id":"x"}'
    writer.write(frame_header(1, len(body), masked=False) + body)
    frames = await server_frames(reader)  # returns at the end of the stream: closed
    assert all(json.loads(p).get("id") != "x" for op, p in frames if op == 1)  # not answered
    assert all(op != 8 for op, _ in frames)  # dropped at once, no close handshake


async def test_unmasked_frame_pipelined_with_the_handshake_is_caught_too(
    sb: Sandbox, raw: Stream
) -> None:
    body = b'{"action":0,"id":"x"}'
    await upgrade(sb, raw, then=frame_header(1, len(body), masked=False) + body)
    frames = await server_frames(raw[0])
    assert all(json.loads(p).get("id") != "x" for op, p in frames if op == 1)  # not answered


async def test_oversized_header_gets_an_ably_error(sb: Sandbox, raw: Stream) -> None:
    reader, writer = raw
    writer.write(
        f"GET /time HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\nX-Big: ".encode()
        + b"a" * 1_100_000
        + b"\r\n\r\n"
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.split(b" ")[1] == b"400"
    assert b"Content-Type: application/json" in head and b"X-Ably-ErrorCode: 40009" in head


async def test_too_many_headers_get_an_ably_error(sb: Sandbox, raw: Stream) -> None:
    reader, writer = raw
    many = "".join(f"X-H{i}: v\r\n" for i in range(200))
    writer.write(f"GET /time HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    assert head.split(b" ")[1] == b"400" and b"X-Ably-ErrorCode: 40009" in head


async def test_connection_that_never_finishes_its_headers_is_closed(
    clock: FakeClock,
) -> None:
    async with Sandbox(config(clock, header_timeout_s=0.2)) as sb:
        reader, writer = await asyncio.open_connection("127.0.0.1", sb.port)
        writer.write(b"GET /time HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert await asyncio.wait_for(reader.read(), WAIT) == b""  # closed by the server
        writer.close()
        await writer.wait_closed()


async def test_a_well_formed_client_is_unaffected(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    client, _ = await connected(sb, http, key=key_of(sb).full())
    await client.send({"action": 0, "id": "ok"})
    assert (await client.expect(0))["id"] == "ok"
    await client.close()


# -- 12. memory: slow subscribers and history ------------------------------------------------------
class StuckSocket:
    """A WebSocket whose peer never reads: every send waits forever."""

    closed = False

    def __init__(self) -> None:
        self.never = asyncio.Event()

    async def send_str(self, data: str) -> None:
        await self.never.wait()

    async def send_bytes(self, data: bytes) -> None:
        await self.never.wait()

    async def close(self, code: int = 1000) -> None:
        return None


async def test_slow_subscriber_queue_is_capped_in_bytes_and_released() -> None:
    link = Link(StuckSocket(), None, "msgpack", max_queue_bytes=1_000_000)  # type: ignore[arg-type]
    link.start()
    try:
        for _ in range(9):  # nine big frames: far fewer than any frame-count limit
            link.send_encoded(b"x" * 100_000)
        assert link.alive and link.queued_bytes >= 800_000
        link.send_encoded(b"y" * 200_000)  # over the byte cap: the subscriber is dropped
        assert link.closing and link.queued_bytes == 0
        link.send_encoded(b"z")  # and nothing more is queued for it
        assert link.queued_bytes == 0
    finally:
        await link.wait_closed(0.1)


async def test_subscriber_that_never_reads_is_dropped_and_others_carry_on(
    clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with Sandbox(config(clock, max_queue_bytes=200_000)) as sb:
        key = key_of(sb).full()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", sb.port))
        reader, writer = await asyncio.open_connection(sock=sock)
        try:
            await upgrade(sb, (reader, writer))
            attach = b'{"action":10,"channel":"flood"}'
            writer.write(frame_header(1, len(attach)) + bytes(4) + attach)
            fast, _ = await connected(sb, http, key=key, binary=True)
            await fast.send({"action": 10, "channel": "flood"})
            await fast.expect(11)
            slow_id = next(c.connection_id for c in sb.connections() if c.format == "json")
            for serial in range(2_000):
                data = os.urandom(30_000)
                await fast.send(
                    {
                        "action": 15,
                        "channel": "flood",
                        "msgSerial": serial,
                        "messages": [{"data": data}],
                    }
                )
                while (frame := await fast.recv())["action"] != 1:
                    assert frame["action"] == 15
                if not any(c.connection_id == slow_id and c.connected for c in sb.connections()):
                    break
            else:
                pytest.fail("the subscriber that never reads was never dropped")
            await fast.send({"action": 0, "id": "still-here"})
            while (frame := await fast.recv())["action"] != 0:
                pass
            assert frame["id"] == "still-here"
            await fast.close()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def _recent(hub: ChannelHub, name: str, limit: int) -> list[dict[str, Any]]:
    return hub.history("app", name, HistoryQuery(limit=limit))[0]


def test_history_is_capped_in_bytes_and_channel_count() -> None:
    hub = ChannelHub(lambda: 0, history_max_bytes=10_000, history_max_channels=3)
    for index in range(50):
        message = {"id": f"m:{index}", "timestamp": 0, "data": "x" * 1_000}
        hub.publish("app", "big", [message], sender=None)
    kept = _recent(hub, "big", 1_000)
    assert 1 <= len(kept) <= 10 and kept[0]["id"] == "m:49"  # newest first, within the bytes
    for index in range(10):
        hub.publish("app", f"ch{index}", [{"id": f"c{index}:0", "timestamp": 0}], sender=None)
    assert _recent(hub, "big", 10) == []  # least recently used: its history went
    assert [bool(_recent(hub, f"ch{i}", 10)) for i in range(10)] == [False] * 7 + [True] * 3
    assert hub.find("app", "ch0") is None  # nothing attached, nothing kept: the channel went
