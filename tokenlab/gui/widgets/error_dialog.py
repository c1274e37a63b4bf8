"""ErrorDialog: the non-modal window the ErrorReporter opens for an unexpected error.

Imported with the first error, not at start-up (its widgets would cost the first frame time).
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ErrorDialog(QDialog):
    """Non-modal: shows the latest unexpected error with its traceback and a copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("tokenlab: unexpected error")
        self.setModal(False)
        self._summary = QLabel(wordWrap=True)
        self._summary.setAccessibleName("Error summary")
        self._details = QPlainTextEdit(readOnly=True)
        self._details.setAccessibleName("Error details")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._copy)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self._summary)
        layout.addWidget(self._details)
        layout.addWidget(buttons)
        self.resize(640, 400)

    def show_report(self, summary: str, details: str, count: int) -> None:
        extra = f" ({count} errors this session)" if count > 1 else ""
        self._summary.setText(
            f"<b>Something went wrong inside tokenlab{extra}.</b><br>{summary}<br>"
            "This is a bug: the details below help to fix it. You can keep working."
        )
        self._details.setPlainText(details)
        self.show()
        self.raise_()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._details.toPlainText())
