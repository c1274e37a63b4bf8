"""The event stream: a ring buffer of Events read by independent cursors.

``EventStream.emit`` never blocks and never waits for a subscriber: it stamps the event with the
next gap-free sequence number, stores it in a fixed-size ring, and wakes waiting readers. Each
``Subscription`` is a cursor into the ring with its own bound (``max_lag``). A reader that falls
further behind than its bound (or than the ring) skips ahead to the oldest event it may still
read and first receives an ``EventsDropped`` marker saying how many events, and which sequence
numbers, it missed; ``Subscription.dropped`` and ``EventStream.stats()`` count them too. Nothing
is ever dropped silently, and a slow reader costs the writer nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from tokenlab.core.clock import NowMs, system_now_ms
from tokenlab.realtime.events import Event, EventBody, EventsDropped

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 100_000
Listener = Callable[[Event], None]


@dataclass(frozen=True)
class StreamStats:
    emitted: int
    retained: int
    capacity: int
    subscribers: int
    dropped: int  # events skipped by lagging subscribers, summed
    listener_errors: int


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class EventStream:
    """A bounded, multi-reader event log shared by one or more connections."""

    def __init__(
        self,
        *,
        capacity: int = DEFAULT_CAPACITY,
        now_ms: NowMs = system_now_ms,
        monotonic_ms: Callable[[], float] = _monotonic_ms,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._ring: list[Event | None] = [None] * capacity
        self._next_seq = 1
        self._conn_seq: dict[str, int] = {}
        self._now_ms = now_ms
        self._monotonic_ms = monotonic_ms
        self._waiters: list[asyncio.Future[None]] = []
        self._listeners: list[Listener] = []
        self._subscriptions: set[Subscription] = set()
        self._dropped = 0
        self._listener_errors = 0
        self._closed = False

    # -- writing -----------------------------------------------------------------------------

    def emit(self, connection: str, body: EventBody) -> Event:
        """Stamp, store and publish one event. O(1) plus the number of waiting readers."""
        # On the hot path of every frame: listeners are called inline, waiters woken only if any.
        seq = self._next_seq
        conn_seq = self._conn_seq[connection] = self._conn_seq.get(connection, 0) + 1
        event = Event(seq, conn_seq, self._now_ms(), self._monotonic_ms(), connection, body)
        self._ring[seq % self._capacity] = event
        self._next_seq = seq + 1
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken listener must not break the connection that emits
                self._listener_failed(listener)
        if self._waiters:
            self._wake()
        return event

    def _listener_failed(self, listener: Listener) -> None:
        self._listener_errors += 1
        log.exception("event listener %r failed", listener)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def close(self) -> None:
        """End every subscription once it has read what is retained."""
        self._closed = True
        self._wake()

    # -- reading -----------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def next_seq(self) -> int:
        return self._next_seq

    @property
    def oldest_seq(self) -> int:
        """The oldest sequence number still retained (== next_seq when empty)."""
        return max(1, self._next_seq - self._capacity)

    @property
    def closed(self) -> bool:
        return self._closed

    def get(self, seq: int) -> Event | None:
        if not self.oldest_seq <= seq < self._next_seq:
            return None
        return self._ring[seq % self._capacity]

    def history(self, since_seq: int = 0, connection: str | None = None) -> list[Event]:
        """Retained events with ``seq >= since_seq``, oldest first."""
        start = max(since_seq, self.oldest_seq)
        out: list[Event] = []
        for seq in range(start, self._next_seq):
            ev = self._ring[seq % self._capacity]
            if ev is not None and (connection is None or ev.connection == connection):
                out.append(ev)
        return out

    def subscribe(
        self, *, connection: str | None = None, replay: bool = False, max_lag: int | None = None
    ) -> Subscription:
        """A new reader. ``replay`` starts at the oldest retained event, else at the next one;
        ``max_lag`` bounds how far behind it may fall before events are skipped (and reported)."""
        start = self.oldest_seq if replay else self._next_seq
        lag = self._capacity if max_lag is None else max(1, min(max_lag, self._capacity))
        sub = Subscription(self, start, connection, lag)
        self._subscriptions.add(sub)
        return sub

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` synchronously for every event (keep it fast). Returns an
        unsubscribe function. Exceptions are logged and counted, never propagated."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def stats(self) -> StreamStats:
        return StreamStats(
            emitted=self._next_seq - 1,
            retained=self._next_seq - self.oldest_seq,
            capacity=self._capacity,
            subscribers=len(self._subscriptions),
            dropped=self._dropped,
            listener_errors=self._listener_errors,
        )

    # -- internals used by Subscription --------------------------------------------------------

    def _wait(self) -> asyncio.Future[None]:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        return fut

    def _count_dropped(self, count: int) -> None:
        self._dropped += count

    def _forget(self, sub: Subscription) -> None:
        self._subscriptions.discard(sub)


class Subscription:
    """A cursor over an EventStream; an async iterator of Events (and EventsDropped markers)."""

    def __init__(self, stream: EventStream, start: int, connection: str | None, max_lag: int):
        self._stream = stream
        self._cursor = start
        self._connection = connection
        self._max_lag = max_lag
        self.dropped = 0
        self._closed = False

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def lag(self) -> int:
        """How many events are waiting (including ones this subscriber will skip)."""
        return self._stream.next_seq - self._cursor

    def get_nowait(self) -> Event | None:
        """The next event, an EventsDropped marker, or None when caught up."""
        stream = self._stream
        while self._cursor < stream.next_seq:
            oldest = max(stream.oldest_seq, stream.next_seq - self._max_lag)
            if self._cursor < oldest:
                return self._skip_to(oldest)
            event = stream.get(self._cursor)
            self._cursor += 1
            if event is not None and (self._connection in (None, event.connection)):
                return event
        return None

    def _skip_to(self, oldest: int) -> Event:
        count = oldest - self._cursor
        first, self._cursor = self._cursor, oldest
        self.dropped += count
        self._stream._count_dropped(count)
        body = EventsDropped(count=count, first_seq=first, last_seq=oldest - 1)
        stream = self._stream
        return Event(
            -1, -1, stream._now_ms(), stream._monotonic_ms(), self._connection or "*", body
        )

    def drain(self, limit: int | None = None) -> list[Event]:
        """Everything available now (at most ``limit``), without waiting."""
        out: list[Event] = []
        while limit is None or len(out) < limit:
            event = self.get_nowait()
            if event is None:
                break
            out.append(event)
        return out

    async def get(self, timeout: float | None = None) -> Event:
        """Wait for the next event; TimeoutError after ``timeout`` seconds;
        StopAsyncIteration once the subscription or stream is closed and drained."""
        async with asyncio.timeout(timeout):
            while True:
                event = self.get_nowait()
                if event is not None:
                    return event
                if self._closed or self._stream.closed:
                    raise StopAsyncIteration
                await self._stream._wait()

    def close(self) -> None:
        self._closed = True
        self._stream._forget(self)
        self._stream._wake()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.get()
