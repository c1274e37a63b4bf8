"""``Link``: one live WebSocket, with an ordered outbound queue and a writer task.

Frames to a connection are queued and written by a single task, so a publisher fanning out to
many subscribers never waits on a slow one and frames never interleave. ``close_after`` flushes
what is queued, then closes cleanly; ``abort`` drops the TCP connection at once with no close
frame (the GUI's "drop network"). A subscriber whose backlog exceeds ``max_queue_bytes`` (bytes,
not frames: frames range from bytes to megabytes) is aborted and its backlog freed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tokenlab.core.wire import Frame, WireFormat
from tokenlab.sandbox.protocol import encode_frame, for_json

log = logging.getLogger(__name__)

MAX_QUEUE_BYTES = 8 * 1_048_576  # what a slow subscriber may have waiting, encoded
_CLOSE = object()


def encoded_size(data: str | bytes) -> int:
    """Bytes on the wire (UTF-8 for a text frame)."""
    if isinstance(data, bytes) or data.isascii():
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


class Link:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
        fmt: WireFormat,
        *,
        max_queue_bytes: int = MAX_QUEUE_BYTES,
    ) -> None:
        self.ws = ws
        self.max_queue_bytes = max_queue_bytes
        self.queued_bytes = 0
        self.fmt: WireFormat = fmt
        self.echo = True
        self._transport = transport
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.loop = asyncio.get_running_loop()
        self.last_send = self.loop.time()
        self.closing = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._writer(), name="sandbox-link-writer")

    @property
    def alive(self) -> bool:
        return not self.closing and not self.ws.closed

    def send(self, frame: Frame) -> None:
        if self.fmt == "json":
            frame = jsonable(frame)
        self.send_encoded(encode_frame(frame, self.fmt))

    def send_encoded(self, data: str | bytes) -> None:
        if self.closing:
            return
        size = encoded_size(data)
        if self.queued_bytes + size > self.max_queue_bytes:
            log.warning(
                "sandbox: dropping a connection with %d bytes waiting (limit %d)",
                self.queued_bytes + size,
                self.max_queue_bytes,
            )
            self.abort()
            return
        self.queued_bytes += size
        self._queue.put_nowait((data, size))
        self.last_send = self.loop.time()

    def close_after(self, frame: Frame | None = None) -> None:
        """Send ``frame`` (if any) after everything queued, then close the WebSocket."""
        if self.closing:
            return
        if frame is not None:
            self.send(frame)
        self.closing = True
        self._queue.put_nowait(_CLOSE)

    def after_flush(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once everything queued so far has been written."""
        self._queue.put_nowait(callback)

    def abort(self) -> None:
        """Drop the connection abruptly (no close frame): the client sees a network failure."""
        self.closing = True
        if isinstance(self._transport, asyncio.WriteTransport):
            self._transport.abort()
        if self._task is not None:
            self._task.cancel()
        self._release()

    def _release(self) -> None:
        """Drop every frame still waiting, so a dropped subscriber's backlog is freed now."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self.queued_bytes = 0

    async def wait_closed(self, timeout: float = 2.0) -> None:
        """Called when the handler ends: let the writer flush, then stop it."""
        if self._task is None:
            return
        if not self.closing:
            self.closing = True
            self._queue.put_nowait(_CLOSE)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        if not self._task.done():
            self._task.cancel()

    async def _writer(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                if item is _CLOSE:
                    await self.ws.close()
                    return
                if callable(item):
                    item()
                    continue
                data, size = item
                self.queued_bytes -= size
                if isinstance(data, str):
                    await self.ws.send_str(data)
                else:
                    await self.ws.send_bytes(data)
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            return
        except Exception:  # a broken transport must only end this connection
            log.debug("sandbox: writer stopped", exc_info=True)


def jsonable(frame: Frame) -> Frame:
    """Base64-encode binary message data for a JSON connection."""
    out = frame
    for field in ("messages", "presence"):
        items = frame.get(field)
        if isinstance(items, list) and any(
            isinstance(m, dict) and isinstance(m.get("data"), bytes | bytearray) for m in items
        ):
            if out is frame:
                out = dict(frame)
            out[field] = [for_json(m) if isinstance(m, dict) else m for m in items]
    return out
