"""EmptyState: what an empty screen says: what to do, plus one-click examples."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tokenlab.gui import theme


def _escape(text: str) -> str:
    """``html.escape`` (quote=True) without importing ``html`` (and its large entity table) on
    the start-up path: every empty tab builds a heading."""
    for char, entity in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&quot;"),
        ("'", "&#x27;"),
    ):
        text = text.replace(char, entity)
    return text


@dataclass(frozen=True)
class SampleAction:
    label: str  # "an Ably JWT"
    hint: str  # one line shown under the button
    trigger: Callable[[], None]


class EmptyState(QWidget):
    def __init__(
        self,
        title: str,
        text: str,
        samples: Sequence[SampleAction] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(title)
        outer = QGridLayout(self)
        # The style's spacing as theme.spacing() gives it, read from a layout on this widget so
        # the first frame does not pay for wrapping QStyle.
        gap = max(outer.horizontalSpacing(), 6)
        heading = QLabel(f"<h2>{_escape(title)}</h2>")  # scales with the app font
        body = QLabel(text, wordWrap=True)
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setMaximumWidth(body.fontMetrics().averageCharWidth() * 90)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(gap * 2)
        for i, sample in enumerate(samples):
            button = QPushButton(theme.icon("sample"), f"Try {sample.label}")
            button.setAccessibleName(f"Try {sample.label}")
            button.setToolTip(sample.hint)
            button.clicked.connect(sample.trigger)
            hint = QLabel(sample.hint, wordWrap=True)
            theme.set_text_colour(hint, theme.muted_colour())
            grid.addWidget(button, (i // 2) * 2, i % 2)
            grid.addWidget(hint, (i // 2) * 2 + 1, i % 2)
            self.buttons[sample.label] = button
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(heading)
        column.addWidget(body)
        column.addSpacing(gap)
        column.addLayout(grid)
        column.addStretch(2)
        outer.addLayout(column, 0, 1)
        outer.setColumnStretch(0, 1)
        outer.setColumnStretch(2, 1)
