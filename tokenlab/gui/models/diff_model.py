"""The differences between two tokens (``core.tokendiff.FieldChange`` rows) as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from tokenlab.core.claims import display_value
from tokenlab.gui import theme
from tokenlab.gui.models.base import RowTableModel

if TYPE_CHECKING:
    from tokenlab.core.tokendiff import FieldChange

COLUMNS = ("Change", "Field", "This token", "Other token", "Note")
CHANGE_TEXT = {"added": "added", "removed": "removed", "changed": "changed"}
CHANGE_SEVERITY = {"added": "ok", "removed": "error", "changed": "warning"}


class DiffModel(RowTableModel["FieldChange"]):
    columns = COLUMNS

    @property
    def changes(self) -> tuple[FieldChange, ...]:
        return self._rows

    def set_changes(self, changes: Sequence[FieldChange]) -> None:
        self.reset_rows(changes)

    def row_data(self, change: FieldChange, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(change)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return change.describe()
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return theme.severity_colour(CHANGE_SEVERITY.get(change.change, "info"))
        return None


def _cells(change: FieldChange) -> tuple[str, str, str, str, str]:
    where = change.name if change.section == "kind" else f"{change.section}.{change.name}"
    before = "" if change.change == "added" else display_value(change.before, 120)
    after = "" if change.change == "removed" else display_value(change.after, 120)
    return (CHANGE_TEXT.get(change.change, change.change), where, before, after, change.note or "")
