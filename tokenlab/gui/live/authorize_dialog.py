"""A small non-modal dialog asking for the TokenParams of an ``authorize()`` call.

Opened with ``open()`` (never ``exec()``); ``authorize_requested`` carries the capability JSON
(validated here, so a typo is shown inline) and the TTL in seconds (0: the issuer's default).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from tokenlab.core.capability import Capability
from tokenlab.core.errors import UserError
from tokenlab.gui import theme


class AuthorizeDialog(QDialog):
    authorize_requested = Signal(str, str, int)  # connection, capability JSON ("" = keep), ttl s

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Authorize with new TokenParams")
        self._connection = ""
        self.capability = QPlainTextEdit(self)
        self.capability.setFont(theme.mono_font())
        self.capability.setAccessibleName("New capability")
        self.capability.setPlaceholderText('{"chat":["publish","subscribe"]} (empty: unchanged)')
        self.ttl = QSpinBox(self)
        self.ttl.setRange(0, 86_400)
        self.ttl.setSuffix(" s")
        self.ttl.setSpecialValueText("unchanged")
        self.ttl.setAccessibleName("New TTL")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.severity_colour('error').name()}")
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Authorize")
        form = QFormLayout(self)
        form.addRow(self.explain)
        form.addRow("Capability", self.capability)
        form.addRow("TTL", self.ttl)
        form.addRow(self.error)
        form.addRow(buttons)
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)

    def start(self, connection: str, capability: str, ttl_s: int) -> None:
        self._connection = connection
        self.explain.setText(
            f"{connection} asks its auth provider for a new token with these params, then "
            "sends it in-band (AUTH) while connected: the server answers with CONNECTED "
            "(an 'update'), or fails attached channels the new capability no longer covers."
        )
        self.capability.setPlainText(capability)
        self.ttl.setValue(ttl_s)
        self.error.clear()
        self.open()

    def _on_buttons_accepted(self) -> None:
        text = self.capability.toPlainText().strip()
        try:
            canonical = Capability.parse(text).canonical() if text else ""
        except UserError as exc:
            self.error.setText(f"{exc.ably_code or ''} {exc.message}".strip())
            return
        self.authorize_requested.emit(self._connection, canonical, self.ttl.value())
        self.accept()
