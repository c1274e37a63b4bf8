"""A read-only tree model over a JSON value (after the PySide6 ``jsonmodel`` example).

Columns: key, value, type. A string that itself holds a JSON object or array (Ably's
``x-ably-capability`` and ``capability`` fields) gets its parsed content as children, so the
capability can be read in the tree. Keys listed in ``secret_keys`` show a mask while masking is on.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from tokenlab.core.masking import mask_text
from tokenlab.gui import theme
from tokenlab.gui.models.base import header_label

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
COLUMNS = ("Key", "Value", "Type")
MAX_PREVIEW = 200


class _Node:
    __slots__ = ("children", "key", "kind", "parent", "row", "value")

    def __init__(self, key: str, value: Any, parent: _Node | None, row: int) -> None:
        self.key = key
        self.parent = parent
        self.row = row
        self.children: list[_Node] = []
        self.value = value
        self.kind = _kind(value)
        nested = _nested_json(value)
        if isinstance(value, dict):
            self._add_children(value.items())
        elif isinstance(value, list):
            self._add_children((f"[{i}]", v) for i, v in enumerate(value))
        elif nested is not None:
            self.kind = "JSON string"
            self._add_children(
                nested.items()
                if isinstance(nested, dict)
                else ((f"[{i}]", v) for i, v in enumerate(nested))
            )

    def _add_children(self, items: Any) -> None:
        for key, value in items:
            self.children.append(_Node(str(key), value, self, len(self.children)))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def _nested_json(value: Any) -> dict[str, Any] | list[Any] | None:
    if not isinstance(value, str) or not value.lstrip().startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


def _preview(node: _Node) -> str:
    if node.kind == "object":
        return f"{{{len(node.children)} keys}}"
    if node.kind == "array":
        return f"[{len(node.children)} items]"
    text = node.value if isinstance(node.value, str) else json.dumps(node.value)
    return text if len(text) <= MAX_PREVIEW else text[:MAX_PREVIEW] + "…"


class JsonTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Node("", {}, None, 0)
        self.secret_keys: frozenset[str] = frozenset({"mac", "secret", "keySecret"})
        self._masked = False

    def set_document(self, value: Any) -> None:
        """Show a new JSON value (dict, list or scalar)."""
        self.beginResetModel()
        self._root = _Node(
            "", value if isinstance(value, dict | list) else {"value": value}, None, 0
        )
        self.endResetModel()

    def set_masked(self, masked: bool) -> None:
        if masked != self._masked:
            self._masked = masked
            self._emit_all_changed(QModelIndex())

    def _emit_all_changed(self, parent: QModelIndex) -> None:
        rows = self.rowCount(parent)
        if rows:
            self.dataChanged.emit(self.index(0, 1, parent), self.index(rows - 1, 1, parent))
            for row in range(rows):
                self._emit_all_changed(self.index(row, 0, parent))

    def _node(self, index: Index) -> _Node:
        node = index.internalPointer() if index.isValid() else self._root
        assert isinstance(node, _Node)
        return node

    # QAbstractItemModel ------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._node(parent).children[row])

    def parent(self, index: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 0:
                return node.key
            if index.column() == 2:
                return node.kind
            if self._masked and node.key in self.secret_keys:
                return theme.mask(_preview(node), True)
            return mask_text(_preview(node), self._masked)  # embedded tokens, keys in values
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_label(COLUMNS, section, orientation, role)
