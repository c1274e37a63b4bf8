"""Find text a user cannot read in full: labels, buttons, line edits, tab titles and table
header sections whose text is wider (or taller) than the widget shows, unless the text is
elided with the full text in a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QTabBar,
    QToolButton,
    QWidget,
)

SLACK = 2  # px of rounding


def _has_tip(widget: QWidget, text: str) -> bool:
    tip = widget.toolTip()
    return bool(tip) and (text.replace("…", "").strip()[:20] in tip or text.endswith("…"))


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    rect = label.contentsRect()
    if label.wordWrap():
        needed = label.heightForWidth(rect.width())
        if needed > rect.height() + SLACK:
            return f"wrapped label needs {needed}px height, has {rect.height()}"
        return None
    hint = label.minimumSizeHint()
    if hint.width() > label.width() + SLACK and not _has_tip(label, text):
        return f"label needs {hint.width()}px, has {label.width()}"
    if hint.height() > label.height() + SLACK:
        return f"label needs {hint.height()}px height, has {label.height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    """Push buttons (a menu's arrow included in their size hint) and tool buttons (text beside
    an icon, a popup arrow): squeezed below their size hint, the text or the arrow is cut."""
    if not button.text():
        return None
    if (
        isinstance(button, QToolButton)
        and not button.icon().isNull()
        and (button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly)
    ):  # the text is only its tooltip
        return None
    hint = button.sizeHint()
    if (
        isinstance(button, QToolButton)
        and button.menu() is not None
        and (button.popupMode() == QToolButton.ToolButtonPopupMode.InstantPopup)
    ):  # the style paints the menu arrow over the text: its size hint leaves no room for it
        arrow = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
        hint.setWidth(hint.width() + arrow)
    if hint.width() > button.width() + SLACK and not _has_tip(button, button.text()):
        return f"button needs {hint.width()}px, has {button.width()}"
    if isinstance(button, QToolButton) or (isinstance(button, QPushButton) and button.menu()):
        if hint.height() > button.height() + SLACK:
            return f"button needs {hint.height()}px height, has {button.height()}"
        if hint.width() > button.width() + SLACK:
            return f"button needs {hint.width()}px (its menu arrow is cut), has {button.width()}"
    return None


def line_edit_problem(edit: QLineEdit) -> str | None:
    text = edit.text()
    if not text or edit.echoMode() != QLineEdit.EchoMode.Normal:
        return None
    needed = edit.fontMetrics().horizontalAdvance(text)
    room = edit.contentsRect().width() - 8  # the frame's text margins
    if needed > room and edit.isReadOnly() and text not in edit.toolTip():
        return f"read-only field needs {needed}px, has {room} and no tooltip"
    if edit.minimumSizeHint().height() > edit.height() + SLACK:
        return f"field needs {edit.minimumSizeHint().height()}px height, has {edit.height()}"
    return None


def tab_bar_problems(bar: QTabBar) -> list[str]:
    found = []
    metrics = bar.fontMetrics()
    for i in range(bar.count()):
        text = bar.tabText(i).replace("&", "")
        needed = metrics.horizontalAdvance(text) + bar.style().pixelMetric(
            QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar
        )
        if not bar.tabIcon(i).isNull():
            needed += bar.iconSize().width() + 4
        if needed > bar.tabRect(i).width() + SLACK and not bar.tabToolTip(i):
            found.append(f"tab {text!r} needs {needed}px, has {bar.tabRect(i).width()}")
    return found


def header_problems(header: QHeaderView) -> list[str]:
    model = header.model()
    if model is None or header.isHidden():
        return []
    found = []
    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    metrics = header.fontMetrics()
    for section in range(header.count()):
        if header.isSectionHidden(section) or header.sectionSize(section) == 0:
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if not text:
            continue
        needed = metrics.horizontalAdvance(str(text)) + 2 * margin
        tip = model.headerData(section, header.orientation(), Qt.ItemDataRole.ToolTipRole)
        if needed > header.sectionSize(section) + SLACK and not tip:
            found.append(f"header {text!r} needs {needed}px, has {header.sectionSize(section)}")
    return found


def combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text:
        return None
    needed = combo.fontMetrics().horizontalAdvance(text)
    room = combo.width() - combo.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) - 12
    if needed > room and text not in combo.toolTip():
        return f"combo text needs {needed}px, has {room} and no tooltip"
    return None


def cut_by_parent(widget: QWidget) -> str | None:
    """Part of the widget lies outside what its ancestors show (and none of them scrolls)."""
    shown = widget.visibleRegion().boundingRect()
    if shown == widget.rect() or shown.isEmpty():
        return None
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            # scrolling down a form is fine; scrolling sideways to find a button is not
            sideways = shown.width() < widget.width() and isinstance(parent, QScrollArea)
            if not sideways:
                return None
            break
        parent = parent.parentWidget()
    return f"only {shown.width()}x{shown.height()} of {widget.width()}x{widget.height()} shown"


MIN_EDITOR_LINES = 3


def editor_problem(editor: QPlainTextEdit) -> str | None:
    """An editor squeezed below a few lines cannot be used on a projector."""
    lines = editor.viewport().height() / max(editor.fontMetrics().lineSpacing(), 1)
    if lines < MIN_EDITOR_LINES - 0.2:
        return f"editor shows {lines:.1f} lines (fewer than {MIN_EDITOR_LINES})"
    return None


def clipped(root: QWidget) -> list[str]:
    """One line per clipped text among ``root``'s visible descendants."""
    found: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        name = widget.accessibleName() or widget.objectName() or type(widget).__name__
        problems: list[str | None] = []
        if isinstance(widget, QLabel):
            problems.append(label_problem(widget))
        elif isinstance(widget, QAbstractButton):
            problems.append(button_problem(widget))
        elif isinstance(widget, QLineEdit) and widget.objectName() != "qt_spinbox_lineedit":
            problems.append(line_edit_problem(widget))
        elif isinstance(widget, QComboBox):
            problems.append(combo_problem(widget))
        elif isinstance(widget, QPlainTextEdit):
            problems.append(editor_problem(widget))
        elif isinstance(widget, QTabBar):
            problems += tab_bar_problems(widget)
        elif isinstance(widget, QHeaderView) and widget.orientation() == Qt.Orientation.Horizontal:
            problems += header_problems(widget)
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit | QComboBox):
            problems.append(cut_by_parent(widget))
        found += [f"{name}: {p} [{_text(widget)}]" for p in problems if p]
    return found


def _text(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    return str(text())[:40] if callable(text) else type(widget).__name__
