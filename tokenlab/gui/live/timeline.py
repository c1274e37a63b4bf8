"""The Live timeline: one lane per connection with state bands, token validity bars, renewal
and error markers and a now-cursor, painted with QPainter (``timeline_canvas``). This module
adds the toolbar (zoom, fit, follow now), the scroll bar and the periodic repaint.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QScrollBar,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.clock import NowMs, system_now_ms
from tokenlab.gui.live.log_store import LogEntry
from tokenlab.gui.live.timeline_canvas import FOLLOW_MARGIN, TimelineCanvas, describe_span
from tokenlab.gui.live.timeline_lanes import TimelineLanes

__all__ = ["TimelineCanvas", "TimelineWidget"]


class TimelineWidget(QWidget):
    """Toolbar + canvas + scroll bar. Feed it ``LogEntry`` batches with ``ingest``."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        now_ms: NowMs = system_now_ms,
        lanes: TimelineLanes | None = None,
        refresh_ms: int = 250,
    ) -> None:
        super().__init__(parent)
        self.lanes = lanes if lanes is not None else TimelineLanes()
        self._now_ms = now_ms
        self.canvas = TimelineCanvas(self.lanes, now_ms, self)
        self._scroll = QScrollBar(Qt.Orientation.Horizontal, self)
        self._scroll.setAccessibleName("Scroll the timeline")
        self._scale = QLabel(self)
        self._follow = self._tool("Follow now", "Keep the now-cursor in view (End)", checkable=True)
        self._build()
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self._fit_height()
        self._on_canvas_view_changed()

    def _tool(self, text: str, tip: str, *, checkable: bool = False) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.setCheckable(checkable)
        button.setAutoRaise(True)
        return button

    def _build(self) -> None:
        zoom_out = self._tool("−", "Zoom out (-)")
        zoom_in = self._tool("+", "Zoom in (+)")
        fit = self._tool("Fit", "Show the whole session")
        zoom_out.setAccessibleName("Zoom out")
        zoom_in.setAccessibleName("Zoom in")
        zoom_out.clicked.connect(self._on_zoom_out_clicked)
        zoom_in.clicked.connect(self._on_zoom_in_clicked)
        fit.clicked.connect(self._on_fit_clicked)
        self._follow.setChecked(True)
        self._follow.toggled.connect(self._on_follow_toggled)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Timeline</b>", self)
        for widget in (title, zoom_out, zoom_in, fit, self._follow):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self._scale)
        self._bar = bar
        layout = QVBoxLayout(self)
        spacing = self.style().pixelMetric(QStyle.PixelMetric.PM_LayoutVerticalSpacing)
        layout.setSpacing(max(spacing, 0))
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        area = QScrollArea(self)  # vertical only: many lanes or a large font never clip
        area.setWidget(self.canvas)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._area = area
        layout.addWidget(area, 1)
        layout.addWidget(self._scroll)
        self.canvas.view_changed.connect(self._on_canvas_view_changed)
        self.canvas.follow_toggled.connect(self._on_canvas_follow_toggled)
        self._scroll.valueChanged.connect(self._on_scroll_value_changed)

    def ingest(self, entries: Iterable[LogEntry]) -> None:
        """Fold in a batch. The repaint waits for the next tick (at most ``refresh_ms``), so
        a stream of batches costs a few paints a second, not one per batch."""
        lanes = len(self.lanes.lanes)
        if self.lanes.ingest(entries):
            self.lanes_changed(len(self.lanes.lanes) != lanes)

    def lanes_changed(self, added_or_removed: bool) -> None:
        """Something folded into ``lanes`` from elsewhere (attendee lanes): repaint soon, and
        now with a new height when lanes came or went."""
        self._dirty = True
        if added_or_removed:
            self._fit_height()
            self.canvas.update()

    def add_tool(self, widget: QWidget) -> None:
        """A widget on the toolbar, after the zoom and follow buttons."""
        self._bar.insertWidget(self._bar.count() - 2, widget)

    def clear(self) -> None:
        self.lanes.clear()
        self.canvas.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()  # the legend wraps onto more rows when narrower

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the presenter's larger font
            self._fit_height()

    def _fit_height(self) -> None:
        width = max(self.canvas.width(), self._area.viewport().width())
        content = self.canvas.content_height(width, len(self.lanes.lanes))
        self.canvas.setMinimumHeight(content)
        # ask the splitter for room for a few lanes and the legend; more lanes scroll
        self._area.setMinimumHeight(min(content, self.fontMetrics().height() * 14))

    def stop(self) -> None:
        self._timer.stop()

    def set_presenter_font(self, font: QFont) -> None:
        self.canvas.setFont(font)
        self._fit_height()

    # -- slots
    def _on_timer_timeout(self) -> None:
        if self.isVisible():
            self.canvas.tick()
            if self._dirty:
                self.canvas.update()
            self._dirty = False

    def _on_zoom_in_clicked(self) -> None:
        self.canvas.zoom(1.5)

    def _on_zoom_out_clicked(self) -> None:
        self.canvas.zoom(1 / 1.5)

    def _on_fit_clicked(self) -> None:
        self.canvas.fit_all()

    def _on_follow_toggled(self, checked: bool) -> None:
        self.canvas.set_follow(checked)

    def _on_canvas_follow_toggled(self, following: bool) -> None:
        self._follow.setChecked(following)

    def _scroll_units(self) -> tuple[int, int]:
        """(origin ms, ms per scroll-bar unit): values stay small enough for an int."""
        g = self.canvas.current_geometry()
        first = self.lanes.first_ms if self.lanes.first_ms is not None else self._now_ms()
        return first - int(g.plot_width * g.ms_per_px), max(int(g.ms_per_px), 1)

    def _on_canvas_view_changed(self) -> None:
        g = self.canvas.current_geometry()
        span = int(g.plot_width * g.ms_per_px)
        self._scale.setText(f"window {describe_span(span)}")
        origin, unit = self._scroll_units()
        latest = self._now_ms() + int(span * FOLLOW_MARGIN)
        self._scroll.blockSignals(True)
        self._scroll.setRange(min(span, latest - origin) // unit, (latest - origin) // unit)
        self._scroll.setPageStep(max(span // unit, 1))
        self._scroll.setSingleStep(max(span // unit // 10, 1))
        self._scroll.setValue((self.canvas.end_ms - origin) // unit)
        self._scroll.blockSignals(False)

    def _on_scroll_value_changed(self, value: int) -> None:
        origin, unit = self._scroll_units()
        at_end = value >= self._scroll.maximum()
        self.canvas.set_follow(at_end)
        if not at_end:
            self.canvas.set_end_ms(origin + value * unit)
