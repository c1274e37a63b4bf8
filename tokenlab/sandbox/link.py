"""``Link``: one live WebSocket, with an ordered outbound queue and a writer task.

Frames to a connection are queued and written by a single task, so a publisher fanning out to
many subscribers never waits on a slow one and frames never interleave. ``close_after`` flushes
what is queued, then closes cleanly; ``abort`` drops the TCP connection at once with no close
frame (the GUI's "drop network"). A subscriber that falls too far behind is aborted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from tokenlab.core.wire import Frame, WireFormat
from tokenlab.sandbox.protocol import encode_frame, for_json

log = logging.getLogger(__name__)

MAX_QUEUE = 5_000
_CLOSE = object()


class Link:
    def __init__(
        self, ws: web.WebSocketResponse, transport: asyncio.BaseTransport | None, fmt: WireFormat
    ) -> None:
        self.ws = ws
        self.fmt: WireFormat = fmt
        self.echo = True
        self._transport = transport
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.loop = asyncio.get_running_loop()
        self.last_send = self.loop.time()
        self.closing = False
        self.close_code = 1000

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
        if self._queue.qsize() >= MAX_QUEUE:
            log.warning("sandbox: dropping a connection that is %d frames behind", MAX_QUEUE)
            self.abort()
            return
        self._queue.put_nowait(data)
        self.last_send = self.loop.time()

    def close_after(self, frame: Frame | None = None, *, code: int = 1000) -> None:
        """Send ``frame`` (if any) after everything queued, then close the WebSocket."""
        if self.closing:
            return
        if frame is not None:
            self.send(frame)
        self.close_code = code
        self.closing = True
        self._queue.put_nowait(_CLOSE)

    def abort(self) -> None:
        """Drop the connection abruptly (no close frame): the client sees a network failure."""
        self.closing = True
        if isinstance(self._transport, asyncio.WriteTransport):
            self._transport.abort()
        if self._task is not None:
            self._task.cancel()

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
                    await self.ws.close(code=self.close_code)
                    return
                if isinstance(item, str):
                    await self.ws.send_str(item)
                else:
                    await self.ws.send_bytes(item)
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
