"""Table models for the Sandbox tab: keys, issued tokens, live connections, the event journal
and the classroom roster.

One ``RecordTableModel`` over frozen sandbox admin records (``tokenlab.sandbox.admin``), with
columns given as (header, value, tooltip) functions. ``replace`` keeps the selection when the
rows are the same records in the same order (only values changed: a countdown ticking), and
resets otherwise. Times are shown relative to an injected clock ("in 42 s", "3 min ago").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from tokenlab.core.clock import NowMs
from tokenlab.sandbox import SandboxEvent
from tokenlab.sandbox.admin import ConnectionInfo, KeyInfo, TokenInfo
from tokenlab.sandbox.classroom import RosterRow

R = TypeVar("R")
ModelIndex = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


def relative(ms: int | None, now_ms: int) -> str:
    """``in 42 s`` / ``3 min ago`` / ``expired 5 s ago``-style wording for a moment."""
    if ms is None:
        return "never"
    delta = ms - now_ms
    span = abs(delta) / 1000
    if span < 90:
        text = f"{span:.0f} s"
    elif span < 5400:
        text = f"{span / 60:.0f} min"
    else:
        text = f"{span / 3600:.1f} h"
    return f"in {text}" if delta >= 0 else f"{text} ago"


def exact(ms: int | None) -> str | None:
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC\n{moment.astimezone():%Y-%m-%d %H:%M:%S %Z} local"


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    value: Callable[[R, int], str]
    tooltip: Callable[[R, int], str | None] = lambda _r, _now: None


class RecordTableModel(QAbstractTableModel, Generic[R]):
    def __init__(
        self,
        columns: Sequence[Column[R]],
        now_ms: NowMs,
        key: Callable[[R], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._now_ms = now_ms
        self._key = key
        self._rows: list[R] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)  # elided: the tip
        return self._columns[section].header if role in roles else None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.value(record, self._now_ms())
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record, self._now_ms())
        if role == RECORD_ROLE:
            return record
        return None

    def record(self, row: int) -> R:
        return self._rows[row]

    def records(self) -> list[R]:
        return list(self._rows)

    def replace(self, rows: Sequence[R]) -> None:
        rows = list(rows)
        if [self._key(r) for r in rows] == [self._key(r) for r in self._rows]:
            self._rows = rows
            self.refresh()
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def refresh(self) -> None:
        """Values changed (e.g. a countdown): repaint every cell, keep the selection."""
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def keys_model(now_ms: NowMs, masked: Callable[[], bool], parent: QObject) -> RecordTableModel[Any]:
    columns: list[Column[KeyInfo]] = [
        Column("App", lambda k, _n: k.app_id),
        Column("Key", lambda k, _n: k.masked if masked() else k.key_name),
        Column("Label", lambda k, _n: k.label),
        Column("Capability", lambda k, _n: k.capability, lambda k, _n: k.capability),
        Column("Revocable tokens", lambda k, _n: "yes" if k.revocable else "no"),
        Column("Status", lambda k, _n: "revoked" if k.revoked else "active"),
        Column(
            "Created", lambda k, n: relative(k.created_ms, n), lambda k, _n: exact(k.created_ms)
        ),
    ]
    return RecordTableModel(columns, now_ms, lambda k: k.key_name, parent)


def tokens_model(now_ms: NowMs, parent: QObject) -> RecordTableModel[Any]:
    def expiry(t: TokenInfo, now: int) -> str:
        return ("expires " if t.expires >= now else "expired ") + relative(t.expires, now)

    columns: list[Column[TokenInfo]] = [
        Column("Token", lambda t, _n: t.hint),
        Column("Kind", lambda t, _n: "Ably JWT" if t.kind == "jwt" else "Ably token"),
        Column("clientId", lambda t, _n: _text(t.client_id) or "(none)"),
        Column("Capability", lambda t, _n: t.capability, lambda t, _n: t.capability),
        Column("Issued", lambda t, n: relative(t.issued, n), lambda t, _n: exact(t.issued)),
        Column("Expiry", expiry, lambda t, _n: exact(t.expires)),
        Column("Key", lambda t, _n: t.key_name),
        Column("Revocable", lambda t, _n: "yes" if t.revocable else "no"),
        Column("Revocation key", lambda t, _n: _text(t.revocation_key)),
    ]
    return RecordTableModel(columns, now_ms, lambda t: (t.hint, t.issued), parent)


def connections_model(now_ms: NowMs, parent: QObject) -> RecordTableModel[Any]:
    def expiry(c: ConnectionInfo, now: int) -> str:
        if c.token_expires is None:
            return "no token (API key)"
        return ("token expires " if c.token_expires >= now else "token expired ") + relative(
            c.token_expires, now
        )

    columns: list[Column[ConnectionInfo]] = [
        Column("Connection", lambda c, _n: c.connection_id),
        Column("clientId", lambda c, _n: _text(c.client_id) or "(none)"),
        Column("Identity", lambda c, _n: c.identity),
        Column("Credential", lambda c, _n: c.credential),
        Column("Expiry", expiry, lambda c, _n: exact(c.token_expires)),
        Column("State", lambda c, _n: "connected" if c.connected else "detached (resumable)"),
        Column("Channels", lambda c, _n: ", ".join(c.channels)),
        Column("Key", lambda c, _n: c.key_name),
        Column("Opened", lambda c, n: relative(c.opened_ms, n), lambda c, _n: exact(c.opened_ms)),
    ]
    return RecordTableModel(columns, now_ms, lambda c: c.connection_id, parent)


def events_model(now_ms: NowMs, parent: QObject) -> RecordTableModel[Any]:
    columns: list[Column[SandboxEvent]] = [
        Column("When", lambda e, n: relative(e.at_ms, n), lambda e, _n: exact(e.at_ms)),
        Column("Kind", lambda e, _n: e.kind),
        Column("Code", lambda e, _n: _text(e.code)),
        Column("clientId", lambda e, _n: _text(e.client_id)),
        Column("What happened", lambda e, _n: e.message, lambda e, _n: e.message),
    ]
    return RecordTableModel(columns, now_ms, lambda e: (e.at_ms, e.kind, e.message), parent)


def roster_model(now_ms: NowMs, parent: QObject) -> RecordTableModel[Any]:
    def expiry(r: RosterRow, now: int) -> str:
        return "" if r.token_expires is None else relative(r.token_expires, now)

    def error(r: RosterRow, _now: int) -> str:
        return f"{r.last_code} {r.last_error}" if r.last_code is not None else ""

    columns: list[Column[RosterRow]] = [
        Column("Attendee", lambda r, _n: r.name, lambda r, _n: r.name),
        Column("clientId", lambda r, _n: r.client_id, lambda r, _n: r.client_id),
        Column("State", lambda r, _n: r.state),
        Column("Token expires", expiry, lambda r, _n: exact(r.token_expires)),
        Column("Renewals", lambda r, _n: str(r.renewals)),
        Column("Last error", error, lambda r, n: error(r, n) or None),
        Column("Connection", lambda r, _n: _text(r.connection_id), lambda r, _n: r.connection_id),
    ]
    return RecordTableModel(columns, now_ms, lambda r: (r.client_id, r.connection_id), parent)
