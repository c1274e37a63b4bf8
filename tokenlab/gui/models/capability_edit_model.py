"""An editable table of capability grants: one row per resource, its operations as text.

The rows are the user's draft (possibly invalid); ``to_json`` turns them into the compact JSON
the TokenRequest will carry and ``from_mapping`` loads a parsed capability back. Validation is
the caller's job (``Capability.parse``), so a half-typed row never blocks editing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
COLUMNS = ("Resource", "Operations")  # tooltips explain the patterns
_SPLIT = re.compile(r"[,\s]+")


def split_ops(text: str) -> list[str]:
    return [op for op in _SPLIT.split(text.strip()) if op]


class CapabilityEditModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str]] = []

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._rows)

    def from_mapping(self, value: Mapping[str, Any]) -> None:
        """Load ``{"resource": ["op", ...]}`` (ops that are not lists are shown as text)."""
        rows = []
        for resource, ops in value.items():
            text = ", ".join(str(op) for op in ops) if isinstance(ops, list) else str(ops)
            rows.append((str(resource), text))
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def to_json(self) -> str:
        """The draft as compact JSON, in row order (rows without a resource are skipped)."""
        data = {res.strip(): split_ops(ops) for res, ops in self._rows if res.strip()}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def add_row(self, resource: str = "", ops: str = "subscribe") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append((resource, ops))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    # QAbstractTableModel -----------------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "A channel name or pattern: chat:*, [queue]q, [*]*"
                if index.column() == 0
                else "Operations separated by commas, or * for all"
            )
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        resource, ops = self._rows[index.row()]
        text = str(value)
        self._rows[index.row()] = (text, ops) if index.column() == 0 else (resource, text)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None
