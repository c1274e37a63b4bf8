"""The differences between two tokens (``core.tokendiff.FieldChange`` rows) as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from tokenlab.core.claims import display_value
from tokenlab.gui import theme

if TYPE_CHECKING:
    from tokenlab.core.tokendiff import FieldChange

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
COLUMNS = ("Change", "Field", "This token", "Other token", "Note")
CHANGE_TEXT = {"added": "added", "removed": "removed", "changed": "changed"}
CHANGE_SEVERITY = {"added": "ok", "removed": "error", "changed": "warning"}


class DiffModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._changes: tuple[FieldChange, ...] = ()

    @property
    def changes(self) -> tuple[FieldChange, ...]:
        return self._changes

    def set_changes(self, changes: Sequence[FieldChange]) -> None:
        self.beginResetModel()
        self._changes = tuple(changes)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._changes)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._changes):
            return None
        change = self._changes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(change)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return change.describe()
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return theme.severity_colour(CHANGE_SEVERITY.get(change.change, "info"))
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None


def _cells(change: FieldChange) -> tuple[str, str, str, str, str]:
    where = change.name if change.section == "kind" else f"{change.section}.{change.name}"
    before = "" if change.change == "added" else display_value(change.before, 120)
    after = "" if change.change == "removed" else display_value(change.after, 120)
    return (CHANGE_TEXT.get(change.change, change.change), where, before, after, change.note or "")
