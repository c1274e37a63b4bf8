"""Text that never clips silently (presenter mode, 200 % scaling): a combo box that elides its
current text and keeps the full text in its tooltip, and a read-only field whose tooltip holds
the text it may not have room to show, and a form scroll area that never scrolls sideways.
Used wherever a long value meets a narrow layout."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)


class ElidingComboBox(QComboBox):
    """A combo box that draws its current text elided ("…") when narrow; the tooltip shows the
    full text (after the tooltip given with ``set_base_tip``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base_tip = ""
        self.currentTextChanged.connect(self._on_current_text_changed)
        # callers fill the list with signals blocked: follow the model too
        self.model().rowsInserted.connect(self._refresh_tip)
        self.model().modelReset.connect(self._refresh_tip)

    def set_base_tip(self, tip: str) -> None:
        self._base_tip = tip
        self._on_current_text_changed(self.currentText())

    def _refresh_tip(self, *_: object) -> None:
        self._on_current_text_changed(self.currentText())

    def setCurrentIndex(self, index: int) -> None:
        super().setCurrentIndex(index)
        self._refresh_tip()

    def _on_current_text_changed(self, text: str) -> None:
        self.setToolTip("\n".join(t for t in (text, self._base_tip) if t))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        room = field.width() - (
            option.iconSize.width() + 4 if not option.currentIcon.isNull() else 0
        )
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, max(room, 0)
        )
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class FormScrollArea(QScrollArea):
    """A vertically scrolling form that never needs scrolling sideways: it asks its layout
    for at least the form's minimum width plus the vertical scroll bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        width = inner.minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())


def show_in_field(edit: QLineEdit, text: str, tip: str = "") -> None:
    """Set a read-only field's text and a tooltip holding it in full (plus ``tip``)."""
    edit.setText(text)
    edit.setToolTip("\n\n".join(t for t in (text, tip) if t))
