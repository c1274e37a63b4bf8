"""KeyPicker: choose a key to sign with: the sandbox's demo keys or the user's key profiles.

It follows ``AppContext.key_choices_changed`` (sandbox started, profile added) and keeps the
current key when it still exists. It says when a secret is missing or kept in memory only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tokenlab.gui import theme
from tokenlab.gui.context import AppContext, KeyChoice
from tokenlab.gui.widgets.fitting import ElidingComboBox


class KeyPicker(QWidget):
    key_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._choices: list[KeyChoice] = []
        self.combo = ElidingComboBox()  # long key labels elide; the tooltip has them
        self.combo.setAccessibleName("Signing key")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(16)
        manage = QPushButton(theme.icon("key"), "Keys…")
        manage.setAccessibleName("Manage key profiles")
        manage.setToolTip("Add your own API keys (secrets go to the OS keyring)")
        manage.clicked.connect(ctx.manage_keys_requested.emit)
        self.status = QLabel(wordWrap=True)
        self.status.setAccessibleName("Key status")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(manage)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._user_chose = False
        self.combo.activated.connect(self._on_user_choice)
        self.combo.currentIndexChanged.connect(self._on_index_changed)
        ctx.key_choices_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        previous = self.current()
        self._choices = self.ctx.key_choices()
        self.combo.blockSignals(True)
        self.combo.clear()
        for choice in self._choices:
            self.combo.addItem(choice.label, choice.key_name)
        if not self._choices:
            self.combo.addItem("No keys yet: start the sandbox or add a key profile", None)
        # keep a key the user picked; otherwise the first (the sandbox's, once it runs)
        keep = previous is not None and self._user_chose
        index = self.combo.findData(previous.key_name) if keep and previous else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._on_index_changed()

    def current(self) -> KeyChoice | None:
        index = self.combo.currentIndex()
        return self._choices[index] if 0 <= index < len(self._choices) else None

    def select(self, key_name: str) -> bool:
        """Select the key with this name (kept across reloads); False if there is none."""
        index = self.combo.findData(key_name)
        if index >= 0:
            self._user_chose = True
            self.combo.setCurrentIndex(index)
        return index >= 0

    def _on_user_choice(self, _index: int) -> None:
        self._user_chose = True

    def _on_index_changed(self) -> None:
        choice = self.current()
        if choice is None:
            self._status("Add a key profile (Keys…) or run with the embedded sandbox.", "info")
        elif choice.key is None:
            self._status("This profile's secret is not available: add the key again.", "error")
        elif choice.source == "profile" and not self.ctx.secrets.persistent:
            self._status(self.ctx.secrets.status, "warning")
        else:
            self._status("", "info")
        self.key_changed.emit()

    def _status(self, text: str, severity: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        theme.set_text_colour(self.status, theme.severity_colour(severity))
