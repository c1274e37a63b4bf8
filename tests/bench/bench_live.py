"""Benchmark: the Live view taking 100k events while the window stays responsive.

Streams 100k realistic events (mostly MESSAGE frames, plus states, tokens, renewals, errors, over
four connections) through the realtime ``EventStream`` into a shown ``LiveTab`` (event log table
with its filter proxy, timeline, connection list, channel panel) on the qasync loop, and prints:

- amortised cost per event (wall time from the first emit to the last row inserted / 100k, which
  includes decoding each frame and emitting it as the realtime client does, the 1 ms pauses
  between bursts, and every repaint) and the part spent in the view's flushes (adapt, insert,
  proxy, table, timeline);
- the longest gap between ticks of a 10 ms QTimer while events stream in;
- resident memory added by the view and the stream for the 100k events.

Targets: <= 20 us per event, longest stall <= 50 ms, <= 150 MB. Exit status 1 if one is missed.
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_live.py [--no-gc-freeze]``.

GC: a full (generation 2) collection of this process takes ~30-60 ms even with no events, because
of the tens of thousands of objects PySide6 and the app create at start-up; the log's rows are
stored as exact tuples the collector untracks, so they add almost nothing. By default the bench
calls ``gc.freeze()`` once after start-up (as an app should, so start-up objects are not scanned
again); ``--no-gc-freeze`` shows the stall without it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil
import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import Settings
from tokenlab.gui.context import AppContext
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.live.tab import LiveTab
from tokenlab.gui.runner import TaskRunner
from tokenlab.realtime.events import (
    EventBody,
    FrameReceived,
    FrameSent,
    MessageReceived,
    RenewalStarted,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.realtime.protocol import ErrorInfo, decode_frame

TOTAL = 100_000
BURST = 500
CONNECTIONS = ("Alice", "Bob", "Anonymous", "API key")
TARGET_US, TARGET_STALL_MS, TARGET_MB = 20.0, 50.0, 150.0


def _raw_frame(i: int, conn: str) -> str:
    return json.dumps(
        {
            "action": 15,
            "channel": "chat",
            "id": f"{conn}:{i}",
            "connectionId": "c-" + conn,
            "timestamp": 1_700_000_000_000 + i,
            "messages": [{"name": "greeting", "data": f"hello {i}", "clientId": conn.lower()}],
        }
    )


def _token(i: int, conn: str) -> TokenObtained:
    now = int(time.time() * 1000)
    return TokenObtained(
        f"app.{i:08d}tokenbody", "ably_token", "issuer", "token_details", "server_auth",
        now, now + 60_000, conn.lower(), '{"*":["*"]}', None, None, ("ttl unchanged",),
    )  # fmt: skip


NACK = ErrorInfo(40160, 401, "Operation not permitted")


def make_inputs() -> list[tuple[str, int, str]]:
    """(connection, kind selector, raw frame text): plain strings, like bytes off a socket."""
    out = []
    for i in range(TOTAL):
        conn = CONNECTIONS[i % len(CONNECTIONS)]
        k = i % 100
        if k < 80:
            raw = _raw_frame(i, conn)
        elif 90 <= k < 93:
            raw = json.dumps({"action": 1, "msgSerial": i, "count": 1})
        elif k >= 98:
            raw = json.dumps({"action": 2, "msgSerial": i, "error": NACK.to_dict()})
        else:
            raw = ""
        out.append((conn, k, raw))
    return out


def make_body(i: int, conn: str, k: int, raw: str) -> EventBody:
    """What the realtime client builds for one event (frames decoded from their raw text)."""
    if k < 80:
        return FrameReceived(15, "MESSAGE", "chat", decode_frame(raw), raw, None)
    if k < 90:
        return MessageReceived("chat", "greeting", f"hello {i}", conn.lower(), "c", None, i)
    if k < 93:
        return FrameSent(1, "ACK", None, decode_frame(raw), raw, None)
    if k == 93:
        return StateChanged("connected", "disconnected", "disconnected", NACK, 500)
    if k == 94:
        return StateChanged("disconnected", "connected", "connected", None, None)
    if k == 95:
        return RenewalStarted("server_auth", None)
    if k == 96:
        return _token(i, conn)
    if k == 97:
        return RenewalSucceeded("server_auth", None, 12.0, "c")
    return FrameReceived(2, "NACK", None, decode_frame(raw), raw, NACK)


class StallMeter:
    def __init__(self) -> None:
        self.longest_ms = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now


async def run(freeze: bool) -> dict[str, Any]:
    process = psutil.Process()
    reporter = ErrorReporter(show_dialogs=False)
    async with TaskRunner(reporter) as runner:
        ctx = AppContext(
            reporter=reporter, runner=runner, settings=Settings(), secrets=SecretStore(),
            save=lambda _s: None,
        )  # fmt: skip
        tab = LiveTab(ctx)
        tab.resize(1280, 800)
        tab.show()
        view_s = [0.0]
        flush = tab.feed.flush

        def timed_flush() -> int:
            start = time.perf_counter()
            try:
                return flush()
            finally:
                view_s[0] += time.perf_counter() - start

        tab.feed.flush = timed_flush  # type: ignore[method-assign]
        inputs = make_inputs()
        await asyncio.sleep(0.2)
        gc.collect()
        if freeze:  # what the app does once its window is up (see the module docstring)
            gc.freeze()
        rss_before = process.memory_info().rss
        meter = StallMeter()
        meter.start()
        stream = tab.manager.events
        producer_s = 0.0
        cpu_start = time.process_time()
        start = time.perf_counter()
        for first in range(0, TOTAL, BURST):
            burst_start = time.perf_counter()
            for i in range(first, first + BURST):
                conn, k, raw = inputs[i]
                stream.emit(conn, make_body(i, conn, k, raw))
            producer_s += time.perf_counter() - burst_start
            await asyncio.sleep(0.001)
        while tab.log_model.rowCount() < TOTAL:
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        await asyncio.sleep(0.3)  # a few more repaints with everything in
        meter.timer.stop()
        del inputs
        gc.collect()
        rss_after = process.memory_info().rss
        tab.log.search.setText("40160")
        filter_start = time.perf_counter()
        tab.log._on_debounce_timeout()
        filter_ms = (time.perf_counter() - filter_start) * 1000
        result = {
            "events": tab.log_model.rowCount(),
            "us_per_event": elapsed / TOTAL * 1e6,
            "cpu_us_per_event": cpu / TOTAL * 1e6,
            "view_us_per_event": view_s[0] / TOTAL * 1e6,
            "producer_us_per_event": producer_s / TOTAL * 1e6,
            "longest_stall_ms": meter.longest_ms,
            "memory_mb": (rss_after - rss_before) / 2**20,
            "rss_total_mb": rss_after / 2**20,
            "filter_100k_ms": filter_ms,
            "filtered_rows": tab.log.proxy.rowCount(),
        }
        tab.shutdown()
        await tab.aclose()
        tab.hide()
        gc.unfreeze()
    assert not reporter.reports, [r.summary for r in reporter.reports]
    return result


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    freeze = "--no-gc-freeze" not in sys.argv
    result: dict[str, Any] = qasync.run(run(freeze))
    print(f"gc.freeze() after start-up  {'yes' if freeze else 'no (--no-gc-freeze)'}")
    print(f"events ingested            {result['events']:,}")
    print(f"amortised per event        {result['us_per_event']:.1f} us  (target <= {TARGET_US})")
    print(
        f"  CPU time per event       {result['cpu_us_per_event']:.1f} us (the process, all of it)"
    )
    print(f"  in the view's flushes    {result['view_us_per_event']:.1f} us")
    print(f"  simulated client (decode a frame + emit) {result['producer_us_per_event']:.1f} us")
    print(f"longest 10 ms timer stall  {result['longest_stall_ms']:.1f} ms (target <= "
          f"{TARGET_STALL_MS})")  # fmt: skip
    print(f"memory added               {result['memory_mb']:.1f} MB (target <= {TARGET_MB}); "
          f"process RSS {result['rss_total_mb']:.0f} MB")  # fmt: skip
    print(f"text filter over 100k rows {result['filter_100k_ms']:.0f} ms "
          f"({result['filtered_rows']:,} rows match)")  # fmt: skip
    ok = (
        result["us_per_event"] <= TARGET_US
        and result["longest_stall_ms"] <= TARGET_STALL_MS
        and result["memory_mb"] <= TARGET_MB
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
