"""Messages and presence seen by one connection, for the Live tab's channel panel.

A bounded list model (the newest ``limit`` items) built from flushed ``LogEntry`` batches; each
row shows the channel, who sent it (the clientId the server stamped) and the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from tokenlab.gui.live.log_model import format_clock
from tokenlab.gui.live.log_store import LogEntry
from tokenlab.realtime.events import MessageReceived, PresenceReceived

ModelIndex = QModelIndex | QPersistentModelIndex


def _text(entry: LogEntry) -> str | None:
    body = entry.payload
    when = format_clock(entry.wall_ms)
    if isinstance(body, MessageReceived):
        who = body.client_id if body.client_id is not None else "(no clientId)"
        data = body.data if isinstance(body.data, str) else repr(body.data)
        return f"{when}  {body.channel}  {who}: {body.name or ''} {data}"
    if isinstance(body, PresenceReceived):
        who = body.client_id if body.client_id is not None else "(no clientId)"
        return f"{when}  {body.channel}  presence {body.action}: {who}"
    return None


class ChannelMessagesModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None, *, limit: int = 1000) -> None:
        super().__init__(parent)
        self._rows: list[str] = []
        self._limit = limit
        self.connection: str | None = None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()]
        return None

    def show_connection(self, name: str | None, history: Sequence[LogEntry]) -> None:
        """Switch to another connection, rebuilding from its past entries."""
        self.beginResetModel()
        self.connection = name
        self._rows = []
        self._extend(history)
        self.endResetModel()

    def apply_entries(self, entries: Sequence[LogEntry]) -> None:
        new = [t for e in entries if e.connection == self.connection and (t := _text(e))]
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self.endInsertRows()
        overflow = len(self._rows) - self._limit
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()

    def _extend(self, entries: Sequence[LogEntry]) -> None:
        for entry in entries:
            if entry.connection == self.connection and (text := _text(entry)):
                self._rows.append(text)
        del self._rows[: max(0, len(self._rows) - self._limit)]
