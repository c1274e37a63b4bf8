"""QPainter drawing for the Live timeline: geometry, colours, axis ticks, bands and markers.

``TimelineGeometry`` maps time to x and lanes to rectangles; ``paint_timeline`` draws lanes
from ``TimelineLanes`` into any QPainter (a widget or a QImage in tests). No chart library.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import cast

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QPolygonF

from tokenlab.gui.live.timeline_lanes import MARKERS, Lane, Marker, MarkerKind, TimelineLanes

STATE_COLOURS: dict[str, QColor] = {
    "initialized": QColor("#9e9e9e"),
    "connecting": QColor("#f9a825"),
    "connected": QColor("#2e7d32"),
    "disconnected": QColor("#ef6c00"),
    "suspended": QColor("#8e24aa"),
    "closing": QColor("#78909c"),
    "closed": QColor("#546e7a"),
    "failed": QColor("#c62828"),
}
TOKEN_COLOURS: dict[str, QColor] = {
    "ably_token": QColor("#1565c0"),
    "jwt": QColor("#00838f"),
    "unknown": QColor("#5c6bc0"),
}
MARKER_COLOURS: dict[MarkerKind, QColor] = {
    "renewal": QColor("#1565c0"),
    "renewed": QColor("#1565c0"),
    "authorize": QColor("#00838f"),
    "server_auth": QColor("#6a1b9a"),
    "update": QColor("#2e7d32"),
    "disconnect": QColor("#ef6c00"),
    "revocation": QColor("#4e342e"),
    "refusal": QColor("#c62828"),
    "warning": QColor("#ef6c00"),
    "error": QColor("#c62828"),
}
MIN_SPAN_PX = 4.0  # a short disconnect/reconnect still shows
BRIEF_STATES = frozenset({"disconnected", "suspended", "failed", "connecting"})
LEGEND_STATES = ("connecting", "connected", "disconnected", "suspended", "failed", "closed")
NICE_STEPS_MS = (
    100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
    600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 86_400_000,
)  # fmt: skip


@dataclass(frozen=True)
class TimelineGeometry:
    """Where things go for one paint: all sizes derive from the font metrics."""

    width: int
    height: int
    end_ms: int
    ms_per_px: float
    gutter: int
    axis_h: int
    lane_h: int
    band_h: int
    token_h: int
    pad: int
    plot_width: int = field(init=False)
    start_ms: int = field(init=False)

    def __post_init__(self) -> None:  # computed once: x_for runs for every drawn item
        plot_width = max(1, self.width - self.gutter)
        object.__setattr__(self, "plot_width", plot_width)
        object.__setattr__(self, "start_ms", int(self.end_ms - plot_width * self.ms_per_px))

    @classmethod
    def for_font(
        cls, metrics: QFontMetrics, width: int, height: int, end_ms: int, ms_per_px: float,
        gutter: int,
    ) -> TimelineGeometry:  # fmt: skip
        line = metrics.height()
        pad = max(2, line // 4)
        band_h = line
        token_h = max(6, line // 2)
        lane_h = band_h + 2 * token_h + 3 * pad
        return cls(width, height, end_ms, ms_per_px, gutter, line + 2 * pad, lane_h, band_h,
                   token_h, pad)  # fmt: skip

    def x_for(self, t_ms: float) -> float:
        return self.gutter + (t_ms - self.start_ms) / self.ms_per_px

    def t_for(self, x: float) -> int:
        return int(self.start_ms + (x - self.gutter) * self.ms_per_px)

    def lane_top(self, index: int) -> int:
        return self.axis_h + index * self.lane_h

    def band_rect(self, index: int) -> QRect:
        return QRect(self.gutter, self.lane_top(index) + self.pad, self.plot_width, self.band_h)

    def token_rect(self, index: int, row: int) -> QRect:
        top = self.lane_top(index) + 2 * self.pad + self.band_h + row * self.token_h
        return QRect(self.gutter, top, self.plot_width, self.token_h - 1)

    def lane_at(self, y: int, lane_count: int) -> int | None:
        index = (y - self.axis_h) // self.lane_h
        return index if y >= self.axis_h and 0 <= index < lane_count else None

    def content_height(self, lane_count: int, legend_rows: int = 1) -> int:
        return self.axis_h * (1 + legend_rows) + max(lane_count, 1) * self.lane_h


def tick_step(ms_per_px: float, min_px: int) -> int:
    for step in NICE_STEPS_MS:
        if step / ms_per_px >= min_px:
            return step
    return NICE_STEPS_MS[-1]


def tick_label(t_ms: int, step_ms: int) -> str:
    seconds, millis = divmod(t_ms, 1000)
    text = time.strftime("%H:%M:%S", time.localtime(seconds))
    return text + f".{millis // 100}" if step_ms < 1000 else text


def paint_axis(p: QPainter, g: TimelineGeometry, palette: QPalette) -> None:
    metrics = p.fontMetrics()
    step = tick_step(g.ms_per_px, metrics.horizontalAdvance("00:00:00.0") + 4 * g.pad)
    first = (g.start_ms // step + 1) * step
    grid = QColor(palette.color(QPalette.ColorRole.Mid))
    grid.setAlpha(90)
    text_pen = QPen(palette.color(QPalette.ColorRole.Text))
    for t in range(first, g.end_ms + 1, step):
        x = round(g.x_for(t))
        p.setPen(QPen(grid))
        p.drawLine(x, g.axis_h - g.pad, x, g.height)
        label = tick_label(t, step)
        if x + g.pad + metrics.horizontalAdvance(label) <= g.width:  # no clipped labels
            p.setPen(text_pen)
            p.drawText(x + g.pad, g.axis_h - 2 * g.pad, label)


def _paint_label(p: QPainter, g: TimelineGeometry, lane: Lane, index: int, pal: QPalette) -> None:
    top = g.lane_top(index)
    bold = QFont(p.font())
    bold.setBold(True)
    width = g.gutter - 2 * g.pad
    p.setPen(pal.color(QPalette.ColorRole.Text))
    p.save()
    p.setFont(bold)
    name = QFontMetrics(bold).elidedText(lane.name, Qt.TextElideMode.ElideRight, width)
    p.drawText(QRect(g.pad, top + g.pad, width, g.band_h), Qt.AlignmentFlag.AlignVCenter, name)
    p.restore()
    detail = lane.state if lane.client_id is None else f"{lane.state} · {lane.client_id}"
    detail = p.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight, width)
    p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
    rect = QRect(g.pad, top + g.pad + g.band_h, width, g.lane_h - g.band_h - g.pad)
    p.drawText(rect, Qt.AlignmentFlag.AlignTop, detail)


def _paint_band(p: QPainter, g: TimelineGeometry, lane: Lane, index: int, now_ms: int) -> None:
    band = g.band_rect(index)
    brief: list[QRectF] = []
    for begin, finish, state in lane.spans(g.start_ms, g.end_ms, now_ms):
        x0 = max(g.x_for(begin), g.gutter)
        x1 = min(g.x_for(finish), g.width)
        rect = QRectF(x0, band.top(), max(x1 - x0, 1.0), band.height())
        colour = STATE_COLOURS.get(state, STATE_COLOURS["initialized"])
        p.fillRect(rect, colour)
        if state in BRIEF_STATES and rect.width() < MIN_SPAN_PX:
            rect.setWidth(MIN_SPAN_PX)
            brief.append(rect)
            p.fillRect(rect, colour)
    for rect in brief:  # drawn last so the next state's colour cannot hide them
        p.fillRect(rect, STATE_COLOURS["disconnected"])


def _paint_tokens(p: QPainter, g: TimelineGeometry, lane: Lane, index: int, now_ms: int) -> None:
    last = [(-1, -1), (-1, -1)]  # per row: the pixel span drawn last
    for k, bar in lane.tokens_between(g.start_ms, g.end_ms):
        end = bar.expires_ms if bar.expires_ms is not None else now_ms
        if end < g.start_ms:
            continue
        row = g.token_rect(index, k % 2)
        x0 = max(g.x_for(bar.start_ms), g.gutter)
        x1 = min(g.x_for(end), g.width)
        span = (int(x0), int(x1))
        if span == last[k % 2]:
            continue  # a dense run of renewals: this bar adds no pixel
        last[k % 2] = span
        colour = QColor(TOKEN_COLOURS.get(bar.token_kind, TOKEN_COLOURS["unknown"]))
        if bar.expires_ms is not None and bar.expires_ms < now_ms:
            colour.setAlpha(110)  # expired: faded
        p.fillRect(QRectF(x0, row.top(), max(x1 - x0, 1.0), row.height()), colour)
        if bar.expires_ms is not None and g.start_ms <= bar.expires_ms <= g.end_ms:
            p.fillRect(QRectF(x1 - 2, row.top() - 1, 2, row.height() + 2), colour.darker(160))


def _marker_shape(kind: MarkerKind, x: float, y: float, r: float) -> QPolygonF:
    if kind in ("renewal", "server_auth", "authorize"):  # pointing down onto the band
        points = [QPointF(x - r, y - r), QPointF(x + r, y - r), QPointF(x, y + r)]
    elif kind in ("renewed", "update"):
        points = [QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)]
    elif kind == "disconnect":  # a bar across the band: the socket went away
        points = [QPointF(x - r / 2, y - r), QPointF(x + r / 2, y - r),
                  QPointF(x + r / 2, y + r), QPointF(x - r / 2, y + r)]  # fmt: skip
    elif kind in ("revocation", "refusal"):  # a square: stopped by someone's decision
        points = [QPointF(x - r, y - r), QPointF(x + r, y - r), QPointF(x + r, y + r),
                  QPointF(x - r, y + r)]  # fmt: skip
    else:  # error / warning: an octagon-ish dot
        points = [QPointF(x + r * dx, y + r * dy) for dx, dy in _OCTAGON]
    return QPolygonF(points)


_OCTAGON = ((1, 0.4), (0.4, 1), (-0.4, 1), (-1, 0.4), (-1, -0.4), (-0.4, -1), (0.4, -1), (1, -0.4))


def _paint_markers(p: QPainter, g: TimelineGeometry, lane: Lane, index: int, pal: QPalette) -> None:
    band = g.band_rect(index)
    r = max(3.0, g.band_h / 3)
    y = band.center().y()
    outline = QPen(pal.color(QPalette.ColorRole.Base), 1)
    p.setPen(outline)
    for marker in lane.visible_markers(g.start_ms, g.end_ms, 2 * g.ms_per_px):
        x = g.x_for(marker.t_ms)
        p.setBrush(MARKER_COLOURS[marker.kind])
        p.drawPolygon(_marker_shape(marker.kind, x, y, r))
    p.setBrush(Qt.BrushStyle.NoBrush)


def paint_now(p: QPainter, g: TimelineGeometry, now_ms: int, pal: QPalette) -> None:
    x = g.x_for(now_ms)
    if g.gutter <= x <= g.width:
        p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
        p.drawLine(round(x), g.pad, round(x), g.height)


def legend_items() -> list[tuple[str, str]]:
    """(kind, text) of every legend entry: states, token bars, then every marker."""
    items = [("state:" + state, state) for state in LEGEND_STATES]
    items += [("token:ably_token", "token valid"), ("token:jwt", "JWT valid")]
    return items + [("marker:" + kind, text) for kind, text in MARKERS.items()]


def legend_height(g: TimelineGeometry, metrics: QFontMetrics) -> int:
    """The legend wraps onto as many rows as the width needs."""
    return g.axis_h * legend_rows(g, metrics)


def legend_rows(g: TimelineGeometry, metrics: QFontMetrics) -> int:
    rows, x = 1, g.pad
    swatch = metrics.height() // 2 + 2
    for _kind, text in legend_items():
        w = swatch + g.pad + metrics.horizontalAdvance(text) + 3 * g.pad
        if x + w > g.width and x > g.pad:
            rows, x = rows + 1, g.pad
        x += w
    return rows


def _paint_swatch(p: QPainter, kind: str, rect: QRect) -> None:
    group, _, name = kind.partition(":")
    if group == "state":
        p.fillRect(rect, STATE_COLOURS[name])
    elif group == "token":
        p.fillRect(rect, TOKEN_COLOURS[name])
    else:
        marker = cast(MarkerKind, name)
        c = rect.center()
        p.save()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(MARKER_COLOURS[marker])
        p.drawPolygon(_marker_shape(marker, c.x(), c.y(), rect.width() / 2))
        p.restore()


def paint_legend(p: QPainter, g: TimelineGeometry, pal: QPalette, top: int) -> None:
    metrics = p.fontMetrics()
    x = g.pad
    swatch = metrics.height() // 2 + 2
    p.setPen(pal.color(QPalette.ColorRole.Text))
    for kind, text in legend_items():
        w = swatch + g.pad + metrics.horizontalAdvance(text) + 3 * g.pad
        if x + w > g.width and x > g.pad:
            x, top = g.pad, top + g.axis_h
        _paint_swatch(p, kind, QRect(x, top + (g.axis_h - swatch) // 2, swatch, swatch))
        p.setPen(pal.color(QPalette.ColorRole.Text))
        p.drawText(
            QRect(x + swatch + g.pad, top, g.width, g.axis_h), Qt.AlignmentFlag.AlignVCenter, text
        )
        x += w


def empty_hint_rect(g: TimelineGeometry) -> QRect:
    """Where the empty-state hint goes: the first lane, never the legend below it."""
    return QRect(g.gutter, g.axis_h, g.plot_width, g.lane_h)


def legend_top(g: TimelineGeometry, lane_count: int) -> int:
    return g.lane_top(max(lane_count, 1))


def paint_timeline(
    p: QPainter, g: TimelineGeometry, lanes: TimelineLanes, now_ms: int, pal: QPalette,
    empty_text: str,
) -> None:  # fmt: skip
    p.fillRect(QRect(0, 0, g.width, g.height), pal.color(QPalette.ColorRole.Base))
    all_lanes = lanes.lanes
    shade = pal.color(QPalette.ColorRole.AlternateBase)
    for index in range(1, len(all_lanes), 2):
        p.fillRect(QRect(0, g.lane_top(index), g.width, g.lane_h), shade)
    paint_axis(p, g, pal)
    if not all_lanes:  # the hint fills the first lane only: the legend sits below it
        p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        p.drawText(empty_hint_rect(g), flags, empty_text)
    for index, lane in enumerate(all_lanes):
        _paint_label(p, g, lane, index, pal)
        _paint_band(p, g, lane, index, now_ms)
        _paint_tokens(p, g, lane, index, now_ms)
        _paint_markers(p, g, lane, index, pal)
    paint_now(p, g, now_ms, pal)
    paint_legend(p, g, pal, legend_top(g, len(all_lanes)))


def marker_near(lane: Lane, g: TimelineGeometry, x: float, slop_px: float) -> Marker | None:
    lo, hi = g.t_for(x - slop_px), g.t_for(x + slop_px)
    found = lane.markers_between(lo, hi)
    return min(found, key=lambda m: abs(g.x_for(m.t_ms) - x)) if found else None
