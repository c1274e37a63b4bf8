"""Icons recoloured for the palette: the icon set's neutral grey becomes a light grey on dark
palettes (View > Theme), decided when the icon is painted, so a theme change reaches every icon
already on screen. Imported on first use of ``theme.icon`` (not needed for the first frame)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap

from tokenlab.gui import theme

NEUTRAL, NEUTRAL_ON_DARK = "#6b7280", "#c3c8d0"  # the icon set's grey, and its dark variant
_ENGINES: list[QIconEngine] = []  # C++ holds the engines; Python must keep its halves alive


class PaletteIconEngine(QIconEngine):
    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._cache: dict[tuple[bool, int, int, int], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        dark = theme.is_dark()
        key = (dark, size.width(), size.height(), int(mode.value))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        from PySide6.QtSvg import QSvgRenderer

        data = self._svg.replace(NEUTRAL.encode(), NEUTRAL_ON_DARK.encode()) if dark else self._svg
        pixmap = QPixmap(size)
        pixmap.fill(QColor(0, 0, 0, 0))  # transparent; Qt.GlobalColor would load ~90 enums
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
        return palette_engine(self._svg)


def palette_engine(svg: bytes) -> PaletteIconEngine:
    engine = PaletteIconEngine(svg)
    _ENGINES.append(engine)
    return engine


def palette_icon(svg: bytes) -> QIcon:
    return QIcon(palette_engine(svg))
