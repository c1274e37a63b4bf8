"""The Live tab's event log: a batching feed, a flat table model and its filter proxy.

``EventFeed`` takes realtime events one by one (cheap: a list append) and flushes them every
~50 ms in time-budgeted batches, so 100k events never stall the window. ``EventLogModel`` holds
compact ``LogEntry`` rows and grows with one ``beginInsertRows`` per batch.
``EventFilterProxy`` filters by connection, kind and text by reading the rows directly.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon

from tokenlab.core.errors import describe_ably_code
from tokenlab.gui import theme
from tokenlab.gui.live.log_store import (
    KIND_LABELS,
    EntryAdapter,
    LogEntry,
    Packed,
    Severity,
    pack,
    unpack,
)
from tokenlab.realtime.events import Event, TokenObtained

ModelIndex = QModelIndex | QPersistentModelIndex
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("#", "Time", "Connection", "Kind", "Code", "Summary")
# Positions in a packed row (see LogEntry).
_SEQ, _WALL, _CONN, _KIND, _SUMMARY, _SEVERITY, _CODE = 0, 2, 4, 5, 6, 7, 8
COL_SEQ, COL_TIME, COL_CONN, COL_KIND, COL_CODE, COL_SUMMARY = range(len(COLUMNS))

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
# The roles ``data`` answers: a view asks for ~10 roles per cell on every repaint, so the rest
# are turned away before the index is even looked at.
_ROLES = frozenset(
    int(r)
    for r in (_DISPLAY, _TOOLTIP, _FOREGROUND, _DECORATION, _ALIGN, ENTRY_ROLE, SEVERITY_ROLE)
)


def format_clock(wall_ms: int) -> str:
    """Local wall-clock time with milliseconds, e.g. ``14:03:07.125``."""
    seconds, millis = divmod(wall_ms, 1000)
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{millis:03d}"


def format_exact(wall_ms: int) -> str:
    """Exact UTC and local times for a tooltip."""
    moment = datetime.fromtimestamp(wall_ms / 1000, tz=UTC)
    local = moment.astimezone()
    return f"{moment:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" UTC\n{local:%Y-%m-%d %H:%M:%S %Z} local"


def _exact_expiry(payload: object) -> str:
    """The exact time behind a summary's "expires in 4 min" (shown on hover)."""
    expires = getattr(payload, "expires_ms", None)
    return f"\n\nexpires at {format_exact(expires)}" if isinstance(expires, int) else ""


class EventLogModel(QAbstractTableModel):
    """Append-only table of ``LogEntry`` rows; ``append`` inserts a whole batch at once."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        severity_colours: dict[int, QColor] | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[Packed] = []
        # One QColor / QIcon per severity, made once: rows share them (the app's theme).
        self._colours: dict[int, QColor] = severity_colours or {
            Severity.WARNING: theme.severity_colour("warning"),
            Severity.ERROR: theme.severity_colour("error"),
        }
        self._icons: dict[int, QIcon] = {
            Severity.WARNING: theme.severity_icon("warning"),
            Severity.ERROR: theme.severity_icon("error"),
        }

    # -- Qt model interface
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        if role not in _ROLES:
            return None
        number = index.row()
        if not index.isValid() or number >= len(self._rows):
            return None
        row = self._rows[number]
        column = index.column()
        if role == _DISPLAY:
            return self._display(row, column)
        if role == _FOREGROUND:
            return self._colours.get(row[_SEVERITY]) if column >= COL_KIND else None
        if role == _DECORATION:
            return self._icons.get(row[_SEVERITY]) if column == COL_KIND else None
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == _ALIGN and column in (COL_SEQ, COL_CODE):
            return _RIGHT
        if role == ENTRY_ROLE:
            return unpack(row)
        if role == SEVERITY_ROLE:
            return row[_SEVERITY]
        return None

    @staticmethod
    def _display(row: Packed, column: int) -> str | None:
        if column == COL_SUMMARY:
            return str(row[_SUMMARY])
        if column == COL_TIME:
            return format_clock(row[_WALL])
        if column == COL_CONN:
            return str(row[_CONN])
        if column == COL_KIND:
            return KIND_LABELS.get(row[_KIND], row[_KIND])
        if column == COL_SEQ:
            return str(row[_SEQ]) if row[_SEQ] >= 0 else "-"
        if column == COL_CODE:
            return str(row[_CODE]) if row[_CODE] is not None else ""
        return None

    @staticmethod
    def _tooltip(row: Packed, column: int) -> str | None:
        if column == COL_TIME:
            return format_exact(row[_WALL])
        if column == COL_CODE and row[_CODE] is not None:
            return describe_ably_code(row[_CODE])
        if column == COL_SUMMARY:
            return str(row[_SUMMARY]) + _exact_expiry(unpack(row).payload)
        return None

    # -- our API
    def append(self, entries: Sequence[LogEntry]) -> None:
        if not entries:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self._rows.extend(map(pack, entries))
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()  # in place: the proxy reads this very list
        self.endResetModel()

    def entry(self, row: int) -> LogEntry:
        return unpack(self._rows[row])

    def entries(self) -> Sequence[LogEntry]:
        """Every row as a LogEntry (unpacked on access; no copy is made)."""
        return _Entries(self._rows)

    def packed_rows(self) -> list[Packed]:
        """The storage list itself, for fast read-only scans (the filter proxy)."""
        return self._rows

    def connections(self) -> list[str]:
        return sorted({row[_CONN] for row in self._rows})

    def row_of_seq(self, seq: int) -> int:
        """The row of the event numbered ``seq`` (rows are in seq order); -1 if absent."""
        rows = self._rows
        i = bisect_left(rows, seq, key=lambda row: row[_SEQ])
        return i if i < len(rows) and rows[i][_SEQ] == seq else -1


class _Entries(Sequence[LogEntry]):
    def __init__(self, rows: list[Packed]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> LogEntry: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LogEntry]: ...
    def __getitem__(self, index: int | slice) -> LogEntry | Sequence[LogEntry]:
        if isinstance(index, slice):
            return [unpack(row) for row in self._rows[index]]
        return unpack(self._rows[index])


class EventFilterProxy(QSortFilterProxyModel):
    """Filters rows by connection, kind and a case-insensitive text (summary, code, kind)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: Sequence[Packed] = ()
        self._connections: frozenset[str] | None = None
        self._kinds: frozenset[str] | None = None
        self._text = ""
        self._min_severity = Severity.INFO
        self._accept_all = True  # no filter set: every row passes (checked once per new row)

    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        self._rows = model.packed_rows() if isinstance(model, EventLogModel) else ()

    def _change(self, apply: Callable[[], None]) -> None:
        self.beginFilterChange()
        apply()
        self._accept_all = (
            self._connections is None
            and self._kinds is None
            and not self._text
            and self._min_severity <= Severity.INFO
        )
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def accepts_all(self) -> bool:
        """No filter is set: every row passes."""
        return self._accept_all

    def set_connections(self, names: Iterable[str] | None) -> None:
        value = frozenset(names) if names is not None else None
        self._change(lambda: setattr(self, "_connections", value))

    def set_kinds(self, kinds: Iterable[str] | None) -> None:
        value = frozenset(kinds) if kinds is not None else None
        self._change(lambda: setattr(self, "_kinds", value))

    def set_text(self, text: str) -> None:
        self._change(lambda: setattr(self, "_text", text.strip().lower()))

    def set_min_severity(self, severity: Severity) -> None:
        self._change(lambda: setattr(self, "_min_severity", severity))

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        if self._accept_all:
            return True
        row = self._rows[source_row]
        if self._connections is not None and row[_CONN] not in self._connections:
            return False
        if self._kinds is not None and row[_KIND] not in self._kinds:
            return False
        if row[_SEVERITY] < self._min_severity:
            return False
        text = self._text
        if not text:
            return True
        haystack = f"{row[_SUMMARY]} {row[_KIND]} {row[_CODE] or ''} {row[_CONN]}"
        return text in haystack.lower()


CHUNK = 128  # events adapted between two looks at the clock


class EventFeed(QObject):
    """Coalesces incoming events and flushes them to the model in time-budgeted batches.

    ``push`` may be called from any callback on the GUI thread; the flush runs on a QTimer.
    """

    entries_flushed = Signal(list)  # list[LogEntry], in arrival order

    def __init__(
        self,
        model: EventLogModel,
        parent: QObject | None = None,
        *,
        interval_ms: int = 50,
        budget_ms: float = 8.0,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._adapter = EntryAdapter()
        self._pending: list[Event] = []
        self._budget_s = budget_ms / 1000.0
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def push(self, event: Event) -> None:
        pending = self._pending
        pending.append(event)
        # A non-empty queue always has its timer running: only its first event needs to look.
        if len(pending) == 1 and not self._timer.isActive():
            self._timer.start(self._interval_ms)

    def push_many(self, events: Iterable[Event]) -> None:
        self._pending.extend(events)
        if self._pending and not self._timer.isActive():
            self._timer.start(self._interval_ms)

    def flush(self) -> int:
        """Adapt and insert pending events until the time budget is used; returns how many."""
        if not self._pending:
            return 0
        deadline = time.perf_counter() + self._budget_s
        adapt = self._adapter.adapt
        batch: list[LogEntry] = []
        pending = self._pending
        done = 0
        while done < len(pending):
            end = min(done + CHUNK, len(pending))
            batch.extend(map(adapt, pending[done:end]))
            done = end
            if time.perf_counter() >= deadline:
                break
        del pending[:done]
        self._model.append(batch)
        self.entries_flushed.emit(batch)
        return done

    def flush_all(self) -> None:
        while self._pending:
            self.flush()

    def _on_timer_timeout(self) -> None:
        self.flush()
        if self._pending:
            self._timer.start(0)  # more to do: yield to the loop, then continue

    def forget(self, connection: str) -> None:
        self._adapter.forget(connection)

    def last_token(self, connection: str) -> TokenObtained | None:
        return self._adapter.last_token(connection)
