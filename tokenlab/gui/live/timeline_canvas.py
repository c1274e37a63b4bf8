"""The painted part of the Live timeline and its view state (right-edge time, scale, follow).

Zoom with the wheel (or +/-), scroll with Shift+wheel, dragging or the arrow keys; End returns
to following the now-cursor. Tooltips name the marker or state under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QFontMetrics,
    QHelpEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from tokenlab.core.clock import NowMs
from tokenlab.gui.live.timeline_lanes import Marker, TimelineLanes
from tokenlab.gui.live.timeline_paint import (
    TimelineGeometry,
    legend_rows,
    marker_near,
    paint_timeline,
)

MIN_MS_PER_PX = 1.0
MAX_MS_PER_PX = 120_000.0
DEFAULT_MS_PER_PX = 100.0
FOLLOW_MARGIN = 0.15  # of the plot width, right of the now-cursor
EMPTY_TEXT = "Connect a connection to see its states, token lifetimes and renewals here."


def describe_span(ms: float) -> str:
    """A window length the way people say it: ``90 s``, ``4 min``, ``2.5 h``."""
    if ms < 120_000:
        return f"{ms / 1000:.3g} s"
    if ms < 7_200_000:
        return f"{ms / 60_000:.3g} min"
    return f"{ms / 3_600_000:.3g} h"


def _clamp_scale(ms_per_px: float) -> float:
    return min(max(ms_per_px, MIN_MS_PER_PX), MAX_MS_PER_PX)


class TimelineCanvas(QWidget):
    """The painted part; owns the view (right-edge time, scale, follow mode)."""

    view_changed = Signal()
    follow_toggled = Signal(bool)
    marker_clicked = Signal(int)  # the seq of the event the clicked marker stands for

    def __init__(self, lanes: TimelineLanes, now_ms: NowMs, parent: QWidget | None = None):
        super().__init__(parent)
        self._lanes = lanes
        self._now_ms = now_ms
        self._ms_per_px = DEFAULT_MS_PER_PX
        self._follow = True
        self._end_ms = now_ms()
        self._drag_from: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Connection timeline")
        self.setAccessibleDescription(
            "One lane per connection: state bands, token validity bars, renewal and error markers"
        )

    # -- geometry
    def _gutter(self) -> int:
        metrics = QFontMetrics(self.font())
        return metrics.horizontalAdvance("M") * 11

    def geometry_for(self, width: int, height: int) -> TimelineGeometry:
        metrics = QFontMetrics(self.font())
        return TimelineGeometry.for_font(
            metrics, width, height, self._end_ms, self._ms_per_px, self._gutter()
        )

    def current_geometry(self) -> TimelineGeometry:
        return self.geometry_for(self.width(), self.height())

    def content_height(self, width: int, lanes: int) -> int:
        g = self.geometry_for(width, 0)
        return g.content_height(lanes, legend_rows(g, QFontMetrics(self.font())))

    def sizeHint(self) -> QSize:
        return QSize(800, self.content_height(800, max(len(self._lanes.lanes), 3)))

    def minimumSizeHint(self) -> QSize:
        g = self.geometry_for(400, 0)
        return QSize(g.gutter * 2, self.content_height(max(self.width(), 400), 1))

    # -- view state
    @property
    def ms_per_px(self) -> float:
        return self._ms_per_px

    @property
    def end_ms(self) -> int:
        return self._end_ms

    @property
    def following(self) -> bool:
        return self._follow

    def set_follow(self, follow: bool) -> None:
        if follow == self._follow:
            return
        self._follow = follow
        if follow:
            self._snap_to_now()
        self.follow_toggled.emit(follow)

    def set_end_ms(self, end_ms: int) -> None:
        self._end_ms = end_ms
        self.view_changed.emit()
        self.update()

    def set_ms_per_px(self, value: float, anchor_x: float | None = None) -> None:
        g = self.current_geometry()
        anchor = anchor_x if anchor_x is not None else float(g.width)
        anchor_t = g.t_for(anchor)
        self._ms_per_px = _clamp_scale(value)
        if not self._follow:  # keep the time under the anchor where it was
            self._end_ms = int(anchor_t + (g.width - anchor) * self._ms_per_px)
        else:
            self._snap_to_now()
        self.view_changed.emit()
        self.update()

    def zoom(self, factor: float, anchor_x: float | None = None) -> None:
        """factor > 1 zooms in (fewer ms per pixel)."""
        self.set_ms_per_px(self._ms_per_px / factor, anchor_x)

    def scroll_by_px(self, dx: float) -> None:
        self.set_follow(False)
        self.set_end_ms(int(self._end_ms + dx * self._ms_per_px))

    def fit_all(self) -> None:
        first = self._lanes.first_ms
        if first is None:
            return
        now = self._now_ms()
        g = self.current_geometry()
        self._ms_per_px = _clamp_scale((now - first) * 1.05 / g.plot_width)
        self.set_follow(True)
        self._snap_to_now()

    def _snap_to_now(self) -> None:
        # room on the right for what is coming: the current tokens' expiry, the next renewal
        margin = self.current_geometry().plot_width * FOLLOW_MARGIN * self._ms_per_px
        self.set_end_ms(int(self._now_ms() + margin))

    def tick(self) -> None:
        """Called periodically: keep following the clock and repaint the now-cursor."""
        if self._follow:
            self._snap_to_now()
        else:
            self.update()

    # -- painting
    def paint_into(self, painter: QPainter, width: int, height: int) -> None:
        g = self.geometry_for(width, height)
        painter.setFont(self.font())
        paint_timeline(painter, g, self._lanes, self._now_ms(), self.palette(), EMPTY_TEXT)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self.paint_into(painter, self.width(), self.height())
        finally:
            painter.end()

    def render_image(self, width: int, height: int) -> QImage:
        """The timeline painted into an image (used by tests and screenshots)."""
        image = QImage(width, height, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            self.paint_into(painter, width, height)
        finally:
            painter.end()
        return image

    # -- interaction
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._follow:
            self._snap_to_now()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier or event.angleDelta().x():
            self.scroll_by_px(-steps * self.width() / 10)
        else:
            self.zoom(1.25**steps, event.position().x())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            pos = event.position().toPoint()
            self.scroll_by_px(self._drag_from.x() - pos.x())
            self._drag_from = pos
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        start, self._drag_from = self._drag_from, None
        pos = event.position().toPoint()
        if start is not None and (start - pos).manhattanLength() <= 3:
            self.click_at(pos)
        super().mouseReleaseEvent(event)

    def click_at(self, pos: QPoint) -> None:
        """A click on a marker selects its event (``marker_clicked``)."""
        marker = self.marker_at(pos)
        if marker is not None and marker.seq >= 0:
            self.marker_clicked.emit(marker.seq)

    def marker_at(self, pos: QPoint) -> Marker | None:
        g = self.current_geometry()
        lanes = self._lanes.lanes
        index = g.lane_at(pos.y(), len(lanes))
        if index is None or pos.x() < g.gutter:
            return None
        return marker_near(lanes[index], g, pos.x(), 5)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom(1 / 1.5)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.scroll_by_px((-1 if key == Qt.Key.Key_Left else 1) * self.width() / 8)
        elif key == Qt.Key.Key_End:
            self.set_follow(True)
        else:
            super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPoint) -> str | None:
        g = self.current_geometry()
        lanes = self._lanes.lanes
        index = g.lane_at(pos.y(), len(lanes))
        if index is None:
            return None
        lane = lanes[index]
        if pos.x() < g.gutter:  # the lane's name and detail, which may be elided there
            return (
                lane.name if lane.client_id is None else f"{lane.name}: clientId {lane.client_id}"
            )
        marker = marker_near(lane, g, pos.x(), 5)
        if marker is not None:
            return f"{lane.name}: {marker.label} (click to select the event)"
        state = lane.state_at(g.t_for(pos.x()))
        return f"{lane.name}: {state}" if state else None
