"""Walk a widget tree for what a projector would show: every visible widget's text and tooltip,
every row of every item model (all roles that render text, including tooltips) and headers."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


def widget_texts(widget: QWidget) -> Iterator[str]:
    if isinstance(widget, QLabel | QAbstractButton):
        yield widget.text()
    if isinstance(widget, QLineEdit) and widget.echoMode() == QLineEdit.EchoMode.Normal:
        yield widget.text()
    displayed = getattr(widget, "displayed_text", None)  # editors that paint masks as bars
    if callable(displayed):
        yield str(displayed())
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        yield widget.toPlainText()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            yield widget.tabText(i)
            yield widget.tabToolTip(i)
    yield widget.toolTip()


def columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    if isinstance(model, QAbstractListModel):  # its columnCount is private in Qt
        return 1
    return model.columnCount(parent)


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> Iterator[str]:
    parent = parent or QModelIndex()
    if not parent.isValid():
        for section in range(columns(model, parent)):
            for role in ROLES:
                value = model.headerData(section, Qt.Orientation.Horizontal, role)
                if value is not None:
                    yield str(value)
    for row in range(model.rowCount(parent)):
        for column in range(columns(model, parent)):
            index = model.index(row, column, parent)
            for role in ROLES:
                value = index.data(role)
                if value is not None:
                    yield str(value)
        first = model.index(row, 0, parent)
        if not isinstance(model, QAbstractListModel) and model.rowCount(first) > 0:
            yield from model_texts(model, first)


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(widget name, text) for ``root`` and every visible descendant."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        name = widget.accessibleName() or widget.objectName() or type(widget).__name__
        found += [(name, t) for t in widget_texts(widget) if t]
        model = widget.model() if isinstance(widget, QAbstractItemView) else None
        if model is not None and not isinstance(widget, QHeaderView):  # headers: via the model
            found += [(name, t) for t in model_texts(model) if t]
    return found
