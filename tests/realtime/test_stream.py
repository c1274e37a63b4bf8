"""The event stream: gap-free sequence numbers, bounded readers that report what they miss."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from tokenlab.realtime.events import EventsDropped, Note, TokenObtained
from tokenlab.realtime.stream import EventStream


def _emit(stream: EventStream, n: int, conn: str = "a") -> None:
    for i in range(n):
        stream.emit(conn, Note(f"n{i}"))


def test_seq_is_gap_free_across_and_per_connection() -> None:
    stream = EventStream(capacity=100)
    for i in range(30):
        stream.emit("a" if i % 3 else "b", Note(str(i)))
    events = stream.history()
    assert [e.seq for e in events] == list(range(1, 31))
    a = [e.conn_seq for e in events if e.connection == "a"]
    b = [e.conn_seq for e in events if e.connection == "b"]
    assert a == list(range(1, 21)) and b == list(range(1, 11))


async def test_subscriber_reads_in_order_and_waits() -> None:
    stream = EventStream(capacity=10)
    sub = stream.subscribe()

    async def later() -> None:
        await asyncio.sleep(0.01)
        _emit(stream, 3)

    task = asyncio.create_task(later())
    got = [await sub.get(timeout=1) for _ in range(3)]
    await task
    assert [e.seq for e in got] == [1, 2, 3]
    with pytest.raises(TimeoutError):
        await sub.get(timeout=0.01)


async def test_slow_subscriber_gets_a_drop_marker_not_silence() -> None:
    stream = EventStream(capacity=1000)
    slow = stream.subscribe(max_lag=10)
    fast = stream.subscribe()
    _emit(stream, 25)
    first = slow.get_nowait()
    assert first is not None and isinstance(first.body, EventsDropped)
    assert (first.body.count, first.body.first_seq, first.body.last_seq) == (15, 1, 15)
    assert first.seq == -1
    rest = slow.drain()
    assert [e.seq for e in rest] == list(range(16, 26))
    assert slow.dropped == 15 and stream.stats().dropped == 15
    assert [e.seq for e in fast.drain()] == list(range(1, 26))  # others are unaffected


def test_ring_overflow_is_reported_to_readers() -> None:
    stream = EventStream(capacity=8)
    sub = stream.subscribe()
    _emit(stream, 20)
    marker = sub.get_nowait()
    assert marker is not None and isinstance(marker.body, EventsDropped)
    assert marker.body.count == 12
    assert [e.seq for e in sub.drain()] == list(range(13, 21))
    assert stream.stats().retained == 8 and stream.stats().emitted == 20


def test_connection_filter_and_replay() -> None:
    stream = EventStream(capacity=50)
    _emit(stream, 3, "a")
    _emit(stream, 2, "b")
    sub = stream.subscribe(connection="b", replay=True)
    assert [e.connection for e in sub.drain()] == ["b", "b"]


def test_broken_listener_is_counted_and_does_not_break_emit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = EventStream(capacity=5)
    seen: list[int] = []

    def bad(_: object) -> None:
        raise RuntimeError("boom")

    stream.add_listener(bad)
    remove = stream.add_listener(lambda e: seen.append(e.seq))
    _emit(stream, 2)
    remove()
    _emit(stream, 1)
    assert seen == [1, 2]
    assert stream.stats().listener_errors == 3


async def test_closed_stream_ends_iteration() -> None:
    stream = EventStream(capacity=5)
    sub = stream.subscribe()
    _emit(stream, 2)
    stream.close()
    assert [e.seq async for e in sub] == [1, 2]


def test_events_stay_frozen_value_objects() -> None:
    # events.py fills their slots directly (fast __init__): keep the dataclass contract
    note = Note(text="late", level="warning")
    assert note == Note("late", "warning") and hash(note) == hash(Note("late", "warning"))
    assert Note("x").level == "info"  # defaults still apply
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(note, level="error").level == "error"
    token = TokenObtained("t", "jwt", "key", "token_string", "connect", 1, 2, None, None,
                          None, None, ())  # fmt: skip
    assert token.token_request is None
    match EventStream().emit("a", note).body:
        case Note(text=text, level=level):
            assert (text, level) == ("late", "warning")
        case _:
            pytest.fail("an event body must match its class pattern")
    with pytest.raises(TypeError):
        Note()  # type: ignore[call-arg]
