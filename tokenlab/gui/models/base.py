"""The shared skeleton of the app's flat, one-item-per-row table models. No widgets here.

``RowTableModel`` holds its rows as a tuple and owns what every flat table repeats: row and
column counts (none under a valid parent), a bounds-checked ``data`` that hands the row on to
``row_data``, a reset that swaps the rows, and horizontal header labels from ``columns``.
``header_label`` serves models that are not flat tables (the JSON tree).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
RowT = TypeVar("RowT")


def header_label(
    columns: Sequence[str], section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """The horizontal header text of ``section``; None for other roles and orientations."""
    # the tooltip too: a narrow column elides its header, the tooltip still names it
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    if orientation == Qt.Orientation.Horizontal and role in roles:
        return columns[section] if 0 <= section < len(columns) else None
    return None


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """A table over ``_rows``: subclasses name their ``columns`` and answer ``row_data``."""

    columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[RowT, ...] = ()

    def reset_rows(self, rows: Sequence[RowT]) -> None:
        """Replace every row (views drop their selection)."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def row_data(self, row: RowT, column: int, role: int) -> Any:
        """What ``data`` answers for ``role`` in ``column`` of ``row``; None for nothing."""
        return None

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.row_data(self._rows[index.row()], index.column(), role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_label(self.columns, section, orientation, role)
