"""Small shared widgets: copy buttons, menu buttons, headings, hints, inline feedback labels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QStyle,
    QToolButton,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui import theme


class MonoText(QPlainTextEdit):
    """Plain text in the monospace font, kept in step with the presenter font size."""

    def __init__(self, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.setFont(theme.mono_font())
        self.setReadOnly(read_only)
        # tokens and base64 have no spaces: break long words instead of scrolling sideways
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)

    def refresh_font(self) -> None:
        """Called by ``theme.apply_font_scale`` (the presenter toggle)."""
        self.setFont(theme.mono_font())


class MonoLine(QLineEdit):
    """A one-line monospace field (nonce, MAC) that follows the presenter font size."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setFont(theme.mono_font())

    def refresh_font(self) -> None:
        self.setFont(theme.mono_font())


def copy_button(
    get_text: Callable[[], str], what: str, parent: QWidget | None = None
) -> QToolButton:
    """A button that copies ``get_text()``; says "Copied" in its tooltip afterwards."""
    button = QToolButton(parent)
    button.setIcon(theme.icon("copy"))
    button.setText(f"Copy {what}")
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setToolTip(f"Copy {what} to the clipboard")
    button.setAccessibleName(f"Copy {what}")

    def copy() -> None:
        text = get_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            button.setToolTip(f"Copied {what}")

    button.clicked.connect(copy)
    return button


def tool_button(text: str, icon: str, parent: QWidget | None = None) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    if icon:
        button.setIcon(theme.icon(icon))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    return button


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class FeedbackLabel(QLabel):
    """An inline message next to an input: the UserError (with Ably code and fix), or an ok."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, exc: UserError) -> None:
        text = exc.message
        if exc.ably_code is not None:
            text += f" (Ably error {exc.ably_code})"
        if exc.fix:
            text += f"\nFix: {exc.fix}"
        self.show_message(text, "error")

    def show_message(self, text: str, severity: str = "info") -> None:
        self.setText(text)
        theme.set_text_colour(self, theme.severity_colour(severity))
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


class MenuToolButton(QToolButton):
    """A tool button that opens a menu when pressed. The style paints the menu arrow inside the
    button but leaves no room for it in the size hint (so at a large font it covers the text):
    the hints here add the arrow's width."""

    def __init__(self, text: str, icon: str, menu: QMenu, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(text)
        if icon:
            self.setIcon(theme.icon(icon))
            self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setAccessibleName(text.replace("&", "").rstrip("…"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu.setParent(self, menu.windowFlags())
        self.setMenu(menu)

    def _with_arrow(self, size: QSize) -> QSize:
        arrow = self.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, self)
        return QSize(size.width() + arrow, size.height())

    def sizeHint(self) -> QSize:
        return self._with_arrow(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._with_arrow(super().minimumSizeHint())
