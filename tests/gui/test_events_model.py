"""The Live event log: compact rows, batched inserts, filtering, and the timed feed."""

from __future__ import annotations

import gc
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import wait_until
from tests.gui.live_events import (
    T0,
    TOKEN_EXPIRED,
    EventMaker,
    frame_in,
    frame_out,
    session,
    state,
    token,
)
from tokenlab.gui.live.log_model import (
    CHUNK,
    COL_CODE,
    COL_CONN,
    COL_KIND,
    COL_SEQ,
    COL_SUMMARY,
    ENTRY_ROLE,
    EventFeed,
    EventFilterProxy,
    EventLogModel,
)
from tokenlab.gui.live.log_store import EntryAdapter, FrameRecord, LogEntry, Severity
from tokenlab.realtime.events import Note


def entries(count: int, connection: str = "alice") -> list[LogEntry]:
    make = EventMaker()
    adapter = EntryAdapter()
    out = []
    for i in range(count):
        body = frame_in(15, "MESSAGE", {"channel": "chat", "messages": [{"data": i}]})
        out.append(adapter.adapt(make(connection, body, T0 + i)))
    return out


def test_model_passes_qtmodeltester_while_growing(qtmodeltester: ModelTester) -> None:
    model = EventLogModel()
    qtmodeltester.check(model, force_py=True)
    model.append(entries(5))
    model.append(entries(3, "bob"))
    assert model.rowCount() == 8
    model.clear()
    assert model.rowCount() == 0


def test_proxy_passes_qtmodeltester_with_filters(qtmodeltester: ModelTester) -> None:
    model = EventLogModel()
    proxy = EventFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    model.append(entries(4) + entries(2, "bob"))
    proxy.set_connections(["bob"])
    assert proxy.rowCount() == 2
    model.append(entries(3, "bob"))
    assert proxy.rowCount() == 5
    proxy.set_connections(None)
    assert proxy.rowCount() == 9


def test_stored_rows_are_untracked_by_the_garbage_collector() -> None:
    """100k rows must not lengthen full GC pauses: stored rows are plain tuples."""
    model = EventLogModel()
    adapter = EntryAdapter()
    rows = entries(50) + [adapter.adapt(e) for e in session(EventMaker())]
    model.append(rows)
    for _ in range(3):  # a tuple is untracked once the tuples nested in it are
        gc.collect()
    assert not any(gc.is_tracked(row) for row in model.packed_rows())
    assert list(model.entries()) == rows  # and they read back as the same entries
    assert model.entries()[10:12] == rows[10:12]


def test_one_batch_is_one_insert() -> None:
    model = EventLogModel()
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    model.append(entries(100))
    model.append(entries(50))
    assert inserts == [(0, 99), (100, 149)]


def test_display_tooltip_and_colour_name_the_error() -> None:
    make = EventMaker()
    adapter = EntryAdapter()
    row = adapter.adapt(make("alice", state("connected", "failed", TOKEN_EXPIRED)))
    model = EventLogModel()
    model.append([row])

    def data(column: int, role: Any = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(0, column), role)

    assert data(COL_SEQ) == "1"
    assert data(COL_CONN) == "alice"
    assert data(COL_KIND) == "state"
    assert data(COL_CODE) == "40142"
    assert "connected → failed" in data(COL_SUMMARY)
    assert data(COL_CODE, Qt.ItemDataRole.ToolTipRole) == "40142 Token expired (401)"
    assert data(COL_SUMMARY, Qt.ItemDataRole.ForegroundRole) is not None
    assert data(COL_SUMMARY, ENTRY_ROLE) == row
    assert model.data(QModelIndex()) is None


def test_frames_keep_raw_text_but_not_the_parsed_dict() -> None:
    make = EventMaker()
    row = EntryAdapter().adapt(make("alice", frame_out(10, "ATTACH", {"channel": "chat"})))
    assert isinstance(row.payload, FrameRecord)
    assert row.payload.sent and row.payload.channel == "chat"
    assert '"action": 10' in str(row.payload.raw)
    assert row.summary == "→ ATTACH chat"


def test_renewal_row_remembers_the_previous_token() -> None:
    make = EventMaker()
    adapter = EntryAdapter()
    first = adapter.adapt(make("alice", token(T0, T0 + 60_000)))
    second = adapter.adapt(make("alice", token(T0 + 30_000, T0 + 90_000, "bob")))
    other = adapter.adapt(make("carol", token(T0, T0 + 60_000)))
    assert first.previous_token is None
    assert second.previous_token is not None and second.previous_token.client_id == "alice"
    assert other.previous_token is None


def test_severity_rules() -> None:
    make = EventMaker()
    adapt = EntryAdapter().adapt
    assert adapt(make("a", state("connecting", "connected"))).severity == Severity.INFO
    assert adapt(make("a", state("connected", "disconnected"))).severity == Severity.WARNING
    assert adapt(make("a", state("connected", "failed"))).severity == Severity.ERROR
    assert adapt(make("a", Note("careful", "warning"))).severity == Severity.WARNING
    nack = frame_in(2, "NACK", {"error": {"code": 40160, "statusCode": 401, "message": "no"}})
    assert adapt(make("a", nack)).severity == Severity.ERROR


def test_proxy_filters_by_kind_text_and_severity() -> None:
    make = EventMaker()
    model = EventLogModel()
    proxy = EventFilterProxy()
    proxy.setSourceModel(model)
    adapter = EntryAdapter()
    model.append([adapter.adapt(e) for e in session(make)])
    total = model.rowCount()
    proxy.set_kinds(["state_changed"])
    assert proxy.rowCount() == 3
    proxy.set_kinds(None)
    proxy.set_text("40142")
    assert proxy.rowCount() == 1
    proxy.set_text("AUTH")
    assert proxy.rowCount() >= 1
    proxy.set_text("")
    proxy.set_min_severity(Severity.WARNING)
    assert proxy.rowCount() == 1
    proxy.set_min_severity(Severity.INFO)
    assert proxy.rowCount() == total


def test_feed_flush_respects_its_time_budget(qapp: QApplication) -> None:
    model = EventLogModel()
    feed = EventFeed(model, budget_ms=0.0)
    make = EventMaker()
    feed.push_many(make("a", frame_in(0, "HEARTBEAT", {})) for _ in range(1000))
    flushed: list[int] = []
    feed.entries_flushed.connect(lambda batch: flushed.append(len(batch)))
    assert feed.flush() == CHUNK  # one chunk, then the budget is spent
    assert model.rowCount() == CHUNK
    feed.flush_all()
    assert model.rowCount() == 1000
    assert sum(flushed) == 1000
    assert [model.entry(i).seq for i in (0, 999)] == [1, 1000]


async def test_feed_flushes_on_its_timer() -> None:
    model = EventLogModel()
    feed = EventFeed(model, interval_ms=10)
    make = EventMaker()
    for _ in range(5000):
        feed.push(make("a", frame_in(0, "HEARTBEAT", {})))
    assert model.rowCount() == 0  # nothing is inserted synchronously
    await wait_until(lambda: model.rowCount() == 5000)
    assert feed.pending == 0
