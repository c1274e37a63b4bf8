"""The parts of the Sandbox tab: SDK snippets, server settings, revocation and key creation
(each a group that emits what the user asked for; the tab does the work) and its record tables.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui import theme
from tokenlab.gui.models.sandbox_models import RecordTableModel
from tokenlab.gui.models.sandbox_snippets import js_snippet, python_snippet
from tokenlab.gui.widgets.fitting import ElidingComboBox


def _button(parent: QWidget, text: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    return button


class _RecordTableView(QTableView):
    """A table whose columns fit their contents again when the font changes (presenter mode),
    so a header such as "Token expires" is never cut."""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.resizeColumnsToContents()


def record_table(parent: QWidget, model: RecordTableModel[Any], name: str) -> QTableView:
    view = _RecordTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    vertical = view.verticalHeader()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + theme.spacing(view) // 2)
    # few rows: fit the columns to their contents whenever the rows are replaced
    model.modelReset.connect(view.resizeColumnsToContents)
    return view


def show_result(label: QLabel, text: str, error: UserError | None = None) -> None:
    if error is not None:
        code = f"{error.ably_code} " if error.ably_code is not None else ""
        text = f"{text}: {code}{error.message}"
    # a palette colour, not a stylesheet: the presenter font must still reach the label
    theme.set_text_colour(label, theme.severity_colour("error" if error else "ok"))
    label.setText(text)


class CopyButton(QPushButton):
    """Copies a field's text, or its ``realText`` property when the field shows a mask."""

    def __init__(self, edit: QLineEdit, name: str, parent: QWidget) -> None:
        super().__init__("Copy", parent)
        self.setToolTip(f"Copy the {name}")
        self.setAccessibleName("Copy")
        self._edit = edit
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self) -> None:
        text = self._edit.property("realText") or self._edit.text()
        QGuiApplication.clipboard().setText(str(text))


def copy_row(parent: QWidget, edit: QLineEdit, name: str) -> QWidget:
    """A read-only line edit with a Copy button, in a row widget of their own."""
    edit.setReadOnly(True)
    edit.setAccessibleName(name)
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(CopyButton(edit, name, row))
    return row


class SnippetsPanel(QGroupBox):
    """URLs and copyable ably-js / ably-python snippets for a chosen key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connect your SDK", parent)
        self.rest_url = QLineEdit(self)
        self.ws_url = QLineEdit(self)
        self.key = ElidingComboBox(self)
        self.key.setAccessibleName("Key used in the snippets")
        self.tabs = QTabWidget(self)
        self.js = QPlainTextEdit(self)
        self.python = QPlainTextEdit(self)
        self.copy = _button(self, "Copy snippet", "Copy the snippet with the real key")
        self.note = QLabel(self)
        self._keys: dict[str, str] = {}
        self._chosen = ""  # the label of the key the user picked
        self._masked = False
        form = QFormLayout(self)
        form.addRow("REST", copy_row(self, self.rest_url, "REST URL"))
        form.addRow("WebSocket", copy_row(self, self.ws_url, "WebSocket URL"))
        form.addRow("Key", self.key)
        for edit, title in ((self.js, "ably-js"), (self.python, "ably-python")):
            edit.setReadOnly(True)
            edit.setFont(theme.mono_font())
            edit.setAccessibleName(f"{title} snippet")
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.tabs.addTab(edit, title)
        form.addRow(self.tabs)
        form.addRow(self.note)  # spanning rows: a wrapped note gets the height it needs
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.copy)
        form.addRow(footer)
        self.note.setWordWrap(True)
        self.key.currentIndexChanged.connect(self._on_key_current_index_changed)
        self.copy.clicked.connect(self._on_copy_clicked)

    def set_endpoint(self, rest_url: str | None, ws_url: str | None) -> None:
        self.rest_url.setText(rest_url or "")
        self.ws_url.setText(ws_url or "")
        self._render()

    def set_keys(self, keys: dict[str, str]) -> None:
        """label -> full key text (``appId.keyId:secret``).

        The key the user picked comes back when it is offered again (a sandbox restart
        withdraws the demo keys for a moment); until they pick one, the first is shown."""
        self._keys = dict(keys)
        self.key.blockSignals(True)
        self.key.clear()
        self.key.addItems(list(keys))
        self.key.setCurrentIndex(max(self.key.findText(self._chosen), 0))
        self.key.blockSignals(False)
        self._render()

    def set_masked(self, masked: bool) -> None:
        self._masked = masked
        self._render()

    def _snippet(self, masked: bool) -> str:
        rest = self.rest_url.text()
        key = self._keys.get(self.key.currentText(), "APP_ID.KEY_ID:KEY_SECRET")
        make = js_snippet if self.tabs.currentIndex() == 0 else python_snippet
        return make(rest, key, masked=masked) if rest else ""

    def _render(self) -> None:
        rest = self.rest_url.text()
        key = self._keys.get(self.key.currentText(), "APP_ID.KEY_ID:KEY_SECRET")
        self.js.setPlainText(js_snippet(rest, key, masked=self._masked) if rest else "")
        self.python.setPlainText(python_snippet(rest, key, masked=self._masked) if rest else "")
        self.copy.setEnabled(bool(rest))
        self.note.setText("Secrets are masked on screen; Copy uses the real key." if
                          self._masked else "")  # fmt: skip

    def _on_key_current_index_changed(self, _index: int) -> None:
        self._chosen = self.key.currentText()
        self._render()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._snippet(masked=False))


class SettingsPanel(QGroupBox):
    settings_applied = Signal(int, int)  # reauth lead ms, clock skew ms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Server settings", parent)
        self.lead = QSpinBox(self)
        self.lead.setRange(0, 3600)
        self.lead.setSuffix(" s before expiry")
        self.lead.setAccessibleName("Reauth lead time")
        self.skew = QSpinBox(self)
        self.skew.setRange(-3600, 3600)
        self.skew.setSuffix(" s")
        self.skew.setAccessibleName("Server clock skew")
        self.apply = _button(self, "Apply", "Change the running sandbox's settings")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Send AUTH", self.lead)
        form.addRow("Clock skew", self.skew)
        form.addRow(self.apply)
        form.addRow(self.result)
        self.lead.setToolTip("The server asks clients to reauthenticate this long before expiry")
        self.skew.setToolTip("Run the server clock ahead (+) or behind (-): TokenRequest "
                             "timestamps outside ±2 min fail with 40104")  # fmt: skip
        self.apply.clicked.connect(self._on_apply_clicked)

    def show_settings(self, lead_ms: int, skew_ms: int) -> None:
        self.lead.setValue(lead_ms // 1000)
        self.skew.setValue(skew_ms // 1000)

    def _on_apply_clicked(self) -> None:
        self.settings_applied.emit(self.lead.value() * 1000, self.skew.value() * 1000)


class RevokePanel(QGroupBox):
    revoke_requested = Signal(str, str, bool)  # key name, target "type:value", reauth margin

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Revoke tokens", parent)
        self.key = QComboBox(self)
        self.key.setAccessibleName("Issuing key")
        self.kind = QComboBox(self)
        self.kind.addItems(["clientId", "revocationKey", "channel"])
        self.kind.setAccessibleName("Target type")
        self.value = QLineEdit(self)
        self.value.setPlaceholderText("e.g. alice")
        self.value.setAccessibleName("Target value")
        self.margin = QCheckBox("Allow a reauth margin (~30 s, AUTH first)", self)
        self.revoke = _button(self, "Revoke", "POST /keys/{key}/revokeTokens")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        target = QHBoxLayout()
        target.addWidget(self.kind)
        target.addWidget(self.value, 1)
        form = QFormLayout(self)
        form.addRow("Key", self.key)
        form.addRow("Target", target)
        form.addRow(self.margin)
        form.addRow(self.revoke)
        form.addRow(self.result)
        self.revoke.clicked.connect(self._on_revoke_clicked)

    def set_keys(self, keys: list[tuple[str, str]]) -> None:
        """(key name, label) of the keys that can revoke their tokens."""
        current = self.key.currentData()
        self.key.clear()
        for name, label in keys:
            self.key.addItem(f"{label} ({name})" if label else name, name)
        self.key.setCurrentIndex(max(self.key.findData(current), 0))
        self.revoke.setEnabled(bool(keys))

    def key_name(self) -> str:
        return str(self.key.currentData() or "")

    def _on_revoke_clicked(self) -> None:
        target = f"{self.kind.currentText()}:{self.value.text().strip()}"
        self.revoke_requested.emit(self.key_name(), target, self.margin.isChecked())


class KeyCreatePanel(QWidget):
    key_requested = Signal(str, bool, str)  # capability JSON, revocable, label
    app_requested = Signal(str)  # label

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capability = QLineEdit('{"*":["*"]}', self)
        self.capability.setFont(theme.mono_font())
        self.capability.setAccessibleName("New key capability")
        self.revocable = QCheckBox("Revocable tokens", self)
        self.label = QLineEdit(self)
        self.label.setPlaceholderText("label")
        self.label.setAccessibleName("New key label")
        self.create_key = _button(self, "Create key", "Add a key to the demo app")
        self.create_app = _button(self, "Create app", "Add an app with one key")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("New key:", self))
        row.addWidget(self.capability, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.revocable)
        row.addWidget(self.create_key)
        row.addWidget(self.create_app)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.create_key.clicked.connect(self._on_create_key_clicked)
        self.create_app.clicked.connect(self._on_create_app_clicked)

    def _on_create_key_clicked(self) -> None:
        self.key_requested.emit(
            self.capability.text().strip(), self.revocable.isChecked(), self.label.text().strip()
        )

    def _on_create_app_clicked(self) -> None:
        self.app_requested.emit(self.label.text().strip() or "created in tokenlab")
