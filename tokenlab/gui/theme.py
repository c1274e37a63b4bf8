"""Look and feel: palette-aware colours, SVG icons, fonts and the presenter font scale.

The three parts of a token keep the same colours everywhere (editor, tables, sign texts):
``PART_COLOURS`` holds a light-palette and a dark-palette variant of each, both readable on the
window background. Severity (error / warning / info / ok) has one icon and one colour. Icons are
SVG files in ``resources/icons`` loaded by path and recoloured for the palette at paint time.
``apply_theme`` switches between the desktop's scheme, light and dark (View > Theme).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QWidget

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
NEUTRAL, NEUTRAL_ON_DARK = "#6b7280", "#c3c8d0"  # the icon set's grey, and its dark variant
_ENGINES: list[QIconEngine] = []
_dark_applied = False

_base_point_size: float | None = None


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def _pick(pair: tuple[str, str], palette: QPalette | None) -> QColor:
    return QColor(pair[1] if is_dark(palette) else pair[0])


def part_colour(part: str, palette: QPalette | None = None) -> QColor:
    return _pick(PART_COLOURS.get(part, PART_COLOURS["other"]), palette)


def severity_colour(severity: str, palette: QPalette | None = None) -> QColor:
    return _pick(SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["info"]), palette)


def muted_colour(palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.PlaceholderText)


@functools.cache
def _icon_dir() -> Path:
    return paths.resource("icons")


class _PaletteIconEngine(QIconEngine):
    """Renders an SVG icon for the current palette: the neutral grey of the icon set becomes a
    light grey on dark palettes, so icons stay visible whatever the theme (read at paint time,
    so a theme change reaches every icon already shown)."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._cache: dict[tuple[bool, int, int, int], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        dark = is_dark()
        key = (dark, size.width(), size.height(), int(mode.value))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        from PySide6.QtSvg import QSvgRenderer

        data = self._svg.replace(NEUTRAL.encode(), NEUTRAL_ON_DARK.encode()) if dark else self._svg
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        QSvgRenderer(QByteArray(data)).render(painter)
        painter.end()
        self._cache[key] = pixmap
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        twin = _PaletteIconEngine(self._svg)
        _ENGINES.append(twin)  # C++ owns the clone's use; Python must keep its half alive
        return twin


@functools.cache
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as a palette-aware QIcon (empty if the file is missing)."""
    path = _icon_dir() / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    engine = _PaletteIconEngine(path.read_bytes())
    _ENGINES.append(engine)  # keep the Python side alive as long as the cached icon
    return QIcon(engine)


def severity_icon(severity: str) -> QIcon:
    return icon(severity if severity in SEVERITY_COLOURS else "info")


# QStyle is imported where used: wrapping it (its many enums) costs ~5 ms, and the first frame
# does not need it.


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
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(QApplication.font().pointSizeF())
    return font


def set_text_colour(widget: QWidget, colour: QColor | None, *, bold: bool = False) -> None:
    """Colour a label's text through its palette (None: back to the default).

    Not a stylesheet: a stylesheet fixes the widget's font, so the presenter font toggle
    would no longer reach it.
    """
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


def system_prefers_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, mode: str) -> bool:
    """View > Theme: ``system`` (follow the desktop), ``light`` or ``dark``. Returns dark?"""
    global _dark_applied
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
