"""Benchmark of the realtime event stream (not part of the test run; `make bench`).

Prints:
- events per second through an EventStream with one async subscriber keeping up
  (emit + delivery), and emit-only throughput;
- memory held by 100k realistic frame events (tracemalloc, and RSS delta when psutil exists).
"""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc

from tokenlab.realtime.events import FrameReceived, Note
from tokenlab.realtime.protocol import decode_frame, encode_frame
from tokenlab.realtime.stream import EventStream

N_THROUGHPUT = 200_000
N_MEMORY = 100_000


def _frame(i: int) -> FrameReceived:
    message = {
        "action": 15,
        "channel": "bench",
        "id": f"conn-{i}:0",
        "connectionId": "conn",
        "timestamp": 1_700_000_000_000 + i,
        "messages": [
            {
                "id": f"conn-{i}:0:0",
                "name": "tick",
                "data": f"payload {i:08d}",
                "clientId": "bench-user",
            }
        ],
    }
    raw = encode_frame(message, "json")
    return FrameReceived(15, "MESSAGE", "bench", decode_frame(raw), raw, None)


async def throughput() -> tuple[float, float]:
    stream = EventStream(capacity=N_THROUGHPUT)
    body = Note("tick")
    started = time.perf_counter()
    for _ in range(N_THROUGHPUT):
        stream.emit("bench", body)
    emit_only = N_THROUGHPUT / (time.perf_counter() - started)

    stream = EventStream(capacity=65_536)
    sub = stream.subscribe()
    received = 0

    async def consume() -> None:
        nonlocal received
        while received < N_THROUGHPUT:
            await sub.get()
            received += 1

    consumer = asyncio.create_task(consume())
    started = time.perf_counter()
    for i in range(N_THROUGHPUT):
        stream.emit("bench", body)
        if i % 1000 == 999:
            await asyncio.sleep(0)  # the producer yields as a live connection would
    await asyncio.wait_for(consumer, 60)
    end_to_end = N_THROUGHPUT / (time.perf_counter() - started)
    assert received == N_THROUGHPUT and sub.dropped == 0
    return emit_only, end_to_end


def memory() -> float:
    """Bytes held by the stream itself (envelopes + ring) for 100k pre-built frame bodies."""
    frames = [_frame(i) for i in range(N_MEMORY)]  # built first: they exist in a live session
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    stream = EventStream(capacity=N_MEMORY)
    for body in frames:
        stream.emit("bench", body)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    assert stream.stats().retained == N_MEMORY
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / 1e6


def rss_delta() -> float | None:
    """RSS growth while 100k complete frame events are created and kept (no tracemalloc)."""
    gc.collect()
    before = _rss()
    stream = EventStream(capacity=N_MEMORY)
    for i in range(N_MEMORY):
        stream.emit("bench", _frame(i))
    gc.collect()
    after = _rss()
    assert stream.stats().retained == N_MEMORY
    return (after - before) / 1e6 if before is not None and after is not None else None


def full_memory() -> float:
    tracemalloc.start()
    stream = EventStream(capacity=N_MEMORY)
    for i in range(N_MEMORY):
        stream.emit("bench", _frame(i))
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert stream.stats().retained == N_MEMORY
    return current / 1e6


def _rss() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


def main() -> None:
    emit_only, end_to_end = asyncio.run(throughput())
    print(f"stream emit only:             {emit_only:12,.0f} events/s ({N_THROUGHPUT:,} events)")
    print(f"stream + 1 async subscriber:  {end_to_end:12,.0f} events/s")
    envelope = memory()
    print(
        f"100k event envelopes (ring):  {envelope:8.1f} MB ({envelope * 1e6 / N_MEMORY:.0f} "
        "bytes/event, tracemalloc)"
    )
    rss = rss_delta()
    if rss is not None:
        print(
            f"100k MESSAGE frame events, RSS delta: {rss:8.1f} MB "
            f"({rss * 1e6 / N_MEMORY:.0f} bytes/event incl. raw JSON + decoded dict)"
        )
    total = full_memory()
    print(
        f"same, measured by tracemalloc:        {total:8.1f} MB "
        f"({total * 1e6 / N_MEMORY:.0f} bytes/event)"
    )


if __name__ == "__main__":
    main()
