"""JsonTree: a tree view over ``JsonTreeModel`` that expands what fits."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHeaderView, QTreeView, QWidget

from tokenlab.gui.models.json_model import JsonTreeModel

AUTO_EXPAND_ROWS = 60


class JsonTree(QTreeView):
    def __init__(self, parent: QWidget | None = None, *, name: str = "JSON tree") -> None:
        super().__init__(parent)
        self.json_model = JsonTreeModel(self)
        self.setModel(self.json_model)
        self.setAccessibleName(name)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.header().setStretchLastSection(False)

    def set_document(self, value: Any) -> None:
        self.json_model.set_document(value)
        if _count(value) <= AUTO_EXPAND_ROWS:
            self.expandAll()
        else:
            self.expandToDepth(0)

    def set_masked(self, masked: bool) -> None:
        self.json_model.set_masked(masked)


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return len(value) + sum(_count(v) for v in value)
    return 1
