"""CapabilityEditor: edit a capability as a table or as JSON, validated as you type.

The JSON text is the source of truth: it is exactly what gets signed (the MAC covers the raw
string, spec RSA9g). Table edits rewrite the JSON in compact form; JSON edits that
parse reload the table. "Use the key's capability" omits the field entirely.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.capability import Capability
from tokenlab.core.errors import CapabilityError
from tokenlab.gui.models.capability_edit_model import CapabilityEditModel
from tokenlab.gui.widgets.common import FeedbackLabel, MonoText

DEFAULT_CAPABILITY = '{"chat:*":["publish","subscribe","presence"]}'


class CapabilityEditor(QWidget):
    capability_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, initial: str = DEFAULT_CAPABILITY):
        super().__init__(parent)
        self.omit = QCheckBox("Use the key's capability (omit the field)")
        self.omit.setAccessibleName("Omit capability")
        self.model = CapabilityEditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Capability table")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.json = MonoText()
        self.json.setAccessibleName("Capability JSON")
        self.json.setTabChangesFocus(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._table_page(), "Table")
        self.tabs.addTab(self.json, "JSON")
        self.feedback = FeedbackLabel("Capability feedback")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.omit)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.feedback)
        self._syncing = False
        self.json.setPlainText(initial)
        self._on_json_edited()
        self.json.textChanged.connect(self._on_json_edited)
        for signal in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._on_table_edited)
        self.omit.toggled.connect(self._on_omit)

    def _table_page(self) -> QWidget:
        add = QPushButton("Add resource")
        add.clicked.connect(self._add_row)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        return page

    # the value ---------------------------------------------------------------------------------

    def raw(self) -> str | None:
        """The capability string to sign, or None when omitted."""
        return None if self.omit.isChecked() else self.json.toPlainText()

    def parsed(self) -> Capability | None:
        """The parsed capability; None when omitted; ``CapabilityError`` when invalid."""
        raw = self.raw()
        return None if raw is None else Capability.parse(raw)

    def set_raw(self, raw: str | None) -> None:
        self.omit.setChecked(raw is None)
        if raw is not None:
            self.json.setPlainText(raw)

    # syncing -----------------------------------------------------------------------------------

    def _on_json_edited(self) -> None:
        if self._syncing:
            return
        try:
            value = json.loads(self.json.toPlainText())
        except ValueError:
            value = None
        if isinstance(value, dict):
            self._syncing = True
            self.model.from_mapping(value)
            self._syncing = False
        self._validate()

    def _on_table_edited(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.json.setPlainText(self.model.to_json())
        self._syncing = False
        self._validate()

    def _on_omit(self, omitted: bool) -> None:
        self.tabs.setEnabled(not omitted)
        self._validate()

    def _add_row(self) -> None:
        row = self.model.add_row("", "subscribe")
        self.table.edit(self.model.index(row, 0))

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}, reverse=True)
        for row in rows:
            self.model.remove_row(row)

    def _validate(self) -> None:
        try:
            self.parsed()
        except CapabilityError as exc:
            self.feedback.show_error(exc)
        else:
            self.feedback.clear_message()
        self.capability_changed.emit()
