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

from PySide6.QtCore import QModelIndex, Qt

from tokenlab.gui.models.base import Index, RowTableModel

COLUMNS = ("Resource", "Operations")  # tooltips explain the patterns
_SPLIT = re.compile(r"[,\s]+")


def split_ops(text: str) -> list[str]:
    return [op for op in _SPLIT.split(text.strip()) if op]


class CapabilityEditModel(RowTableModel[tuple[str, str]]):
    columns = COLUMNS

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        return self._rows

    def from_mapping(self, value: Mapping[str, Any]) -> None:
        """Load ``{"resource": ["op", ...]}`` (ops that are not lists are shown as text)."""
        rows = []
        for resource, ops in value.items():
            text = ", ".join(str(op) for op in ops) if isinstance(ops, list) else str(ops)
            rows.append((str(resource), text))
        self.reset_rows(rows)

    def to_json(self) -> str:
        """The draft as compact JSON, in row order (rows without a resource are skipped)."""
        data = {res.strip(): split_ops(ops) for res, ops in self._rows if res.strip()}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def add_row(self, resource: str = "", ops: str = "subscribe") -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows = (*self._rows, (resource, ops))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            self._rows = (*self._rows[:row], *self._rows[row + 1 :])
            self.endRemoveRows()

    # QAbstractTableModel -----------------------------------------------------------------------

    def row_data(self, row: tuple[str, str], column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                "A channel name or pattern: chat:*, [queue]q, [*]*"
                if column == 0
                else "Operations separated by commas, or * for all"
            )
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row = index.row()
        resource, ops = self._rows[row]
        text = str(value)
        new = (text, ops) if index.column() == 0 else (resource, text)
        self._rows = (*self._rows[:row], new, *self._rows[row + 1 :])
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable
