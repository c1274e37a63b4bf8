"""The Sandbox tab's classroom group: the "Let attendees connect" switch, the join URL with a QR
code, the instructor credential (masked with the secrets) and how attendees join.

It emits ``open_requested(bool)``; the tab opens or closes the attendee listener and calls
``show_open`` / ``show_closed`` / ``show_error``.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui import theme
from tokenlab.gui.widgets.fitting import show_in_field
from tokenlab.gui.widgets.masking import mask_secret
from tokenlab.gui.widgets.sandbox_panels import copy_row, show_result

QR_MODULE_PX = 4
CREDENTIAL_TIP = (
    "Instructor-only routes on the attendee address answer with this in the "
    "X-Tokenlab-Instructor header. Masked with the secrets; Copy copies it."
)


def qr_pixmap(text: str, scale: int = QR_MODULE_PX, ratio: float = 1.0) -> QPixmap:
    """A QR code of ``text`` (dark on white with its quiet zone: scanners need the contrast),
    drawn at the screen's pixel ratio so it stays sharp at 200 %."""
    import segno  # small, pure Python; only needed once the classroom opens

    buffer = io.BytesIO()
    dpr = max(1, round(ratio))
    segno.make(text, error="m").save(buffer, kind="png", scale=scale * dpr, border=4)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


class ClassroomPanel(QGroupBox):
    open_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # no title: it sits on the Sandbox tab's Classroom page
        self.switch = QCheckBox("Let attendees connect", self)
        self.switch.setToolTip(
            "Open a second listener on this machine's network address: attendees join at its "
            "page and get tokens for their own clientId (never a key secret)."
        )
        self.join_url = QLineEdit(self)
        self.credential = QLineEdit(self)
        self.join_hint = QLineEdit(self)
        self.qr = QLabel(self)
        self.qr.setAccessibleName("QR code of the join URL")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self._credential = ""
        self._masked = False
        self.details = QWidget(self)
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # narrow column: stack
        form.addRow("Join page", copy_row(self, self.join_url, "join URL"))
        form.addRow("Join from a shell", copy_row(self, self.join_hint, "join command"))
        form.addRow("Instructor credential", copy_row(self, self.credential, "credential"))
        row = QHBoxLayout()
        row.addWidget(self.details, 1)
        row.addWidget(self.qr)
        layout = QVBoxLayout(self)
        layout.addWidget(self.switch)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.switch.toggled.connect(self._on_switch_toggled)
        self.show_closed()

    def _on_switch_toggled(self, checked: bool) -> None:
        self.open_requested.emit(checked)

    def set_masked(self, masked: bool) -> None:
        self._masked = masked
        show_in_field(self.credential, mask_secret(self._credential, masked), CREDENTIAL_TIP)

    def show_open(self, urls: list[str], credential: str) -> None:
        self.switch.blockSignals(True)
        self.switch.setChecked(True)
        self.switch.blockSignals(False)
        self._credential = credential
        self.credential.setProperty("realText", credential)  # what Copy copies
        show_in_field(self.join_url, urls[0], "\n".join(urls[1:]))
        show_in_field(self.join_hint, f"curl -d name=Ada {urls[0]}join")
        self.set_masked(self._masked)
        self.qr.setPixmap(qr_pixmap(urls[0], ratio=self.devicePixelRatioF()))
        self.qr.setToolTip(f"Scan to open {urls[0]}")
        self.details.setVisible(True)
        self.qr.setVisible(True)
        others = f"Also at {', '.join(urls[1:])}" if len(urls) > 1 else ""
        show_result(self.result, others)  # the join page field says the rest
        self.result.setVisible(bool(others))

    def show_closed(self, message: str = "") -> None:
        self.switch.blockSignals(True)
        self.switch.setChecked(False)
        self.switch.blockSignals(False)
        self._credential = ""
        self.credential.setProperty("realText", "")
        self.details.setVisible(False)
        self.qr.setVisible(False)
        self.qr.clear()
        self.result.setText(message)
        self.result.setVisible(True)

    def show_error(self, error: UserError) -> None:
        self.show_closed()
        show_result(self.result, "Attendees cannot connect", error)
        theme.set_text_colour(self.result, theme.severity_colour("error"))
