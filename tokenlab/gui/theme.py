"""Look and feel: palette-aware colours, SVG icons, fonts and the presenter font scale.

The three parts of a token keep the same colours everywhere (editor, tables, sign texts):
``PART_COLOURS`` holds a light-palette and a dark-palette variant of each, both readable on the
window background. Severity (error / warning / info / ok) has one icon and one colour. Icons are
SVG files in ``resources/icons`` loaded by path and recoloured for the palette at paint time
(``widgets.palette_icons``). ``apply_theme`` follows the desktop's scheme or forces light or dark
(View > Theme). ``mask`` is the stable last-4 mask of ``core.masking``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QColor, QFont, QPalette

from tokenlab.core import paths
from tokenlab.core.masking import MASK, mask_secret

__all__ = ["MASK"]

Part = Literal["header", "claims", "signature", "other"]
Severity = Literal["error", "warning", "info", "ok"]

# (light palette, dark palette)
PART_COLOURS: dict[str, tuple[str, str]] = {
    "header": ("#c2185b", "#ff79a8"),
    "claims": ("#7b1fa2", "#d59cf0"),
    "signature": ("#00769e", "#4fc9f7"),
    "other": ("#5d6b00", "#c5d86d"),
}
SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    "error": ("#c62828", "#ff6b6b"),
    "warning": ("#9a5b00", "#ffb74d"),
    "info": ("#1565c0", "#7ab8ff"),
    "ok": ("#2e7d32", "#81c784"),
}
LARGE_FONT_FACTOR = 1.4

_base_point_size: float | None = None


# QColor, QPalette, QFontDatabase and QStyle are imported where used: wrapping a Qt class (and
# its enums) costs start-up time when first touched, and the first frame needs none of them.


def is_dark(palette: QPalette | None = None) -> bool:
    from PySide6.QtGui import QPalette

    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def _pick(pair: tuple[str, str], palette: QPalette | None) -> QColor:
    from PySide6.QtGui import QColor

    return QColor(pair[1] if is_dark(palette) else pair[0])


def part_colour(part: str, palette: QPalette | None = None) -> QColor:
    return _pick(PART_COLOURS.get(part, PART_COLOURS["other"]), palette)


def severity_colour(severity: str, palette: QPalette | None = None) -> QColor:
    return _pick(SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["info"]), palette)


def muted_colour(palette: QPalette | None = None) -> QColor:
    from PySide6.QtGui import QPalette

    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)


@functools.cache
def _icon_dir() -> Path:
    return paths.resource("icons")


@functools.cache
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as a palette-aware QIcon (empty if the file is missing)."""
    path = _icon_dir() / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    from tokenlab.gui.widgets.palette_icons import palette_icon

    return palette_icon(path.read_bytes())


def severity_icon(severity: str) -> QIcon:
    return icon(severity if severity in SEVERITY_COLOURS else "info")


def small_icon_size(widget: QWidget | None = None) -> QSize:
    from PySide6.QtWidgets import QStyle

    style = widget.style() if widget is not None else QApplication.style()
    extent = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, widget)
    return QSize(extent, extent)


def spacing(widget: QWidget | None = None) -> int:
    """The style's default layout spacing (use instead of magic numbers)."""
    from PySide6.QtWidgets import QStyle

    style = widget.style() if widget is not None else QApplication.style()
    return max(style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing), 6)


def mono_font() -> QFont:
    """The monospace font for tokens, sign texts and JSON, at the current font scale."""
    from PySide6.QtGui import QFontDatabase

    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(QApplication.font().pointSizeF())
    return font


def set_text_colour(widget: QWidget, colour: QColor | None, *, bold: bool = False) -> None:
    """Colour a label's text through its palette (None: back to the default).

    Not a stylesheet: a stylesheet fixes the widget's font, so the presenter font toggle
    would no longer reach it.
    """
    from PySide6.QtGui import QPalette

    palette = widget.palette()
    default = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    palette.setColor(QPalette.ColorRole.WindowText, colour or default)
    widget.setPalette(palette)
    font = widget.font()
    if font.bold() != bold:
        font.setBold(bold)
        widget.setFont(font)


def mask(text: str, masked: bool) -> str:
    """One secret as a stable mask keeping its last 4 characters (``core.masking``)."""
    return mask_secret(text, masked)


def apply_font_scale(app: QApplication, large: bool) -> None:
    """Presenter mode: scale the application font and every monospace widget's font."""
    global _base_point_size
    if _base_point_size is None:
        _base_point_size = app.font().pointSizeF()
    size = _base_point_size * (LARGE_FONT_FACTOR if large else 1.0)
    font = app.font()
    font.setPointSizeF(size)
    app.setFont(font)
    # widgets with their own (monospace) font do not follow the app font: refresh them
    for widget in app.allWidgets():
        refresh = getattr(widget, "refresh_font", None)
        if callable(refresh):
            refresh()


_dark_applied = False


def system_prefers_dark() -> bool:
    from PySide6.QtCore import Qt

    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, mode: str, *, before_first_paint: bool = False) -> bool:
    """View > Theme: ``system`` (follow the desktop), ``light`` or ``dark``. Returns dark?

    ``before_first_paint``: for ``system``, keep the palette the platform gave for now. Asking
    the desktop's colour scheme loads the Qt namespace's enums (~30 ms), so start-up asks once
    the first frame is up (``app.main`` calls this again then)."""
    global _dark_applied
    if mode == "system" and before_first_paint:
        return is_dark(app.palette())
    dark = mode == "dark" or (mode == "system" and system_prefers_dark())
    if dark:
        from tokenlab.gui.widgets.palette import apply_dark_palette

        apply_dark_palette(app)
    elif _dark_applied or mode == "light":
        app.setPalette(app.style().standardPalette())
    _dark_applied = dark
    for widget in app.allWidgets():  # repaint icons and palette-coloured text
        widget.update()
    return dark


def load_stylesheet(name: str = "base") -> str:
    path = paths.resource("themes", f"{name}.qss")
    return path.read_text(encoding="utf-8") if path.is_file() else ""
