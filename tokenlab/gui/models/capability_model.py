"""The capability as a resource × operation matrix (``core.capability.Capability``).

Rows are resource patterns, columns the 17 operations (short headers, full names on hover).
A cell is granted, or, when a ``requested`` capability is given (the TokenRequest preview),
"dropped": asked for but removed by the intersection with the key.
"""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from tokenlab.core.capability import OPERATIONS, Capability
from tokenlab.gui import theme

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
Cell = Literal["granted", "dropped", ""]

SHORT_NAMES = {
    "publish": "pub",
    "subscribe": "sub",
    "presence": "pres",
    "history": "hist",
    "channel-metadata": "meta",
    "push-subscribe": "push-s",
    "push-admin": "push-a",
    "privileged-headers": "priv-h",
    "stats": "stats",
    "object-subscribe": "obj-s",
    "object-publish": "obj-p",
    "annotation-subscribe": "ann-s",
    "annotation-publish": "ann-p",
    "message-update-own": "upd-o",
    "message-update-any": "upd-a",
    "message-delete-own": "del-o",
    "message-delete-any": "del-a",
}
_TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
GRANTED_MARK = "✓"
DROPPED_MARK = "✗"


def _grants(ops: tuple[str, ...], operation: str) -> bool:
    return "*" in ops or operation in ops


class CapabilityMatrixModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._capability: Capability | None = None
        self._requested: Capability | None = None
        self._resources: tuple[str, ...] = ()

    @property
    def capability(self) -> Capability | None:
        return self._capability

    def set_capability(
        self, capability: Capability | None, requested: Capability | None = None
    ) -> None:
        self.beginResetModel()
        self._capability = capability
        self._requested = requested
        names = set(capability.resources if capability else ())
        names |= set(requested.resources if requested else ())
        self._resources = tuple(sorted(names))
        self.endResetModel()

    def cell(self, row: int, column: int) -> Cell:
        resource, operation = self._resources[row], OPERATIONS[column]
        if self._capability and _grants(self._capability.ops_for(resource), operation):
            return "granted"
        if self._requested and _grants(self._requested.ops_for(resource), operation):
            return "dropped"
        return ""

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._resources)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(OPERATIONS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._resources):
            return None
        state = self.cell(index.row(), index.column())
        resource, operation = self._resources[index.row()], OPERATIONS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"granted": GRANTED_MARK, "dropped": DROPPED_MARK, "": ""}[state]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and state:
            return theme.severity_colour("ok" if state == "granted" else "error")
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return _describe(state, resource, operation)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(OPERATIONS):
            operation = OPERATIONS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return SHORT_NAMES.get(operation, operation)
            if role == Qt.ItemDataRole.ToolTipRole:
                return operation
        vertical = orientation == Qt.Orientation.Vertical
        if vertical and 0 <= section < len(self._resources) and role in _TEXT_ROLES:
            return self._resources[section]
        return None


def _describe(state: Cell, resource: str, operation: str) -> str:
    if state == "granted":
        return f"{operation} is allowed on {resource}"
    if state == "dropped":
        return f"{operation} on {resource} was requested but the key does not allow it"
    return f"{operation} is not allowed on {resource}"
