"""The Live timeline: lanes built from events, and what the painter actually puts on pixels."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from tests.gui.live_events import T0, EventMaker, session, state, token
from tokenlab.gui.live.log_store import EntryAdapter, LogEntry
from tokenlab.gui.live.timeline import TimelineWidget
from tokenlab.gui.live.timeline_lanes import TimelineLanes
from tokenlab.gui.live.timeline_paint import STATE_COLOURS, TOKEN_COLOURS, TimelineGeometry

WIDTH, HEIGHT = 900, 260


def _entries(*connections: str) -> list[LogEntry]:
    make = EventMaker()
    adapter = EntryAdapter()
    return [adapter.adapt(e) for name in connections for e in session(make, name)]


def _widget(now_ms: int, *connections: str) -> TimelineWidget:
    widget = TimelineWidget(now_ms=lambda: now_ms)
    widget.resize(WIDTH, HEIGHT)
    widget.canvas.resize(WIDTH, HEIGHT)
    widget.ingest(_entries(*connections))
    widget.canvas.set_ms_per_px(100.0)
    return widget


def _pixel(image: QImage, x: float, y: float) -> QColor:
    return image.pixelColor(round(x), round(y))


def _colour_count(image: QImage, colour: QColor) -> int:
    rgb = colour.rgb()
    return sum(
        1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
        if image.pixel(x, y) == rgb
    )  # fmt: skip


def test_lanes_fold_states_tokens_and_markers() -> None:
    lanes = TimelineLanes()
    lanes.ingest(_entries("alice", "bob"))
    alice, bob = lanes.lanes
    assert (alice.name, bob.name) == ("alice", "bob")
    assert alice.states == ["connecting", "connected", "disconnected"]
    assert alice.state_at(T0 + 10_000) == "connected"
    assert alice.state_at(T0 - 1) is None
    assert [(t.start_ms, t.expires_ms) for t in alice.tokens] == [
        (T0, T0 + 60_000),
        (T0 + 30_050, T0 + 90_050),
    ]
    kinds = [m.kind for m in alice.markers]
    assert kinds == ["server_auth", "renewal", "renewed", "disconnect"]
    spans = alice.spans(T0 + 5_000, T0 + 50_000, now_ms=T0 + 60_000)
    assert [s[2] for s in spans] == ["connected", "disconnected"]
    assert spans[-1][1] == T0 + 60_000  # the current state runs to now


def test_paint_draws_state_bands_per_lane(qapp: QApplication) -> None:
    now = T0 + 60_000
    widget = _widget(now, "alice")
    make = EventMaker(T0)
    widget.ingest([EntryAdapter().adapt(make("bob", state("connecting", "failed"), T0 + 500))])
    image = widget.canvas.render_image(WIDTH, HEIGHT)
    g = widget.canvas.geometry_for(WIDTH, HEIGHT)
    alice_band, bob_band = g.band_rect(0), g.band_rect(1)
    assert (
        _pixel(image, g.x_for(T0 + 10_000), alice_band.center().y()) == STATE_COLOURS["connected"]
    )
    assert (
        _pixel(image, g.x_for(T0 + 45_000), alice_band.center().y() + 2)
        == STATE_COLOURS["disconnected"]
    )
    assert _pixel(image, g.x_for(T0 + 20_000), bob_band.center().y()) == STATE_COLOURS["failed"]
    # before alice's first event the band is empty (the lane background)
    assert (
        _pixel(image, g.x_for(T0 - 1_000), alice_band.center().y()) != STATE_COLOURS["connecting"]
    )


def test_paint_draws_token_validity_bars(qapp: QApplication) -> None:
    now = T0 + 60_000
    widget = _widget(now, "alice")
    image = widget.canvas.render_image(WIDTH, HEIGHT)
    g = widget.canvas.geometry_for(WIDTH, HEIGHT)
    first, second = g.token_rect(0, 0), g.token_rect(0, 1)
    blue = TOKEN_COLOURS["ably_token"]
    assert _pixel(image, g.x_for(T0 + 10_000), first.center().y()) == blue
    assert _pixel(image, g.x_for(T0 + 45_000), second.center().y()) == blue
    assert _pixel(image, g.x_for(T0 + 10_000), second.center().y()) != blue  # not issued yet


def test_now_cursor_and_empty_timeline(qapp: QApplication) -> None:
    widget = TimelineWidget(now_ms=lambda: T0)
    widget.canvas.resize(WIDTH, HEIGHT)
    widget.canvas.tick()
    image = widget.canvas.render_image(WIDTH, HEIGHT)
    g = widget.canvas.geometry_for(WIDTH, HEIGHT)
    y = g.band_rect(0).center().y()
    assert _pixel(image, g.x_for(T0 - 5_000), y) == widget.canvas.palette().base().color()
    cursor = widget.canvas.palette().highlight().color()
    assert _pixel(image, g.x_for(T0), y) == cursor
    # the legend is drawn even when empty: it shows the state colours
    assert _colour_count(image, STATE_COLOURS["connected"]) > 0


def test_more_lanes_more_bands(qapp: QApplication) -> None:
    now = T0 + 60_000
    one_lane, three_lanes = _widget(now, "alice"), _widget(now, "alice", "bob", "carol")
    one = one_lane.canvas.render_image(WIDTH, HEIGHT)
    three = three_lanes.canvas.render_image(WIDTH, HEIGHT)
    green = STATE_COLOURS["connected"]
    assert _colour_count(three, green) > 2.5 * _colour_count(one, green) > 0


def test_zoom_keeps_the_anchor_time_when_not_following(qapp: QApplication) -> None:
    widget = _widget(T0 + 60_000, "alice")
    canvas = widget.canvas
    canvas.set_follow(False)
    g = canvas.current_geometry()
    anchor_x = g.gutter + 300
    anchor_t = g.t_for(anchor_x)
    canvas.zoom(2.0, anchor_x)
    assert canvas.ms_per_px == 50.0
    assert abs(canvas.current_geometry().t_for(anchor_x) - anchor_t) <= 100
    canvas.zoom(1e9)
    assert canvas.ms_per_px == 1.0  # clamped


def test_follow_tracks_now_and_scrolling_stops_it(qapp: QApplication) -> None:
    now = [T0 + 60_000]
    widget = TimelineWidget(now_ms=lambda: now[0])
    widget.resize(WIDTH, HEIGHT)
    widget.canvas.resize(WIDTH, HEIGHT)
    widget.ingest(_entries("alice"))
    now[0] += 10_000
    widget.canvas.tick()
    g = widget.canvas.current_geometry()
    assert g.start_ms < now[0] < g.end_ms
    widget.canvas.scroll_by_px(-200)
    assert not widget.canvas.following
    end = widget.canvas.end_ms
    now[0] += 10_000
    widget.canvas.tick()
    assert widget.canvas.end_ms == end
    widget.canvas.set_follow(True)
    assert widget.canvas.end_ms > now[0]


def test_tooltips_name_markers_and_states(qapp: QApplication) -> None:
    widget = _widget(T0 + 60_000, "alice")
    g = widget.canvas.current_geometry()
    y = g.band_rect(0).center().y()
    assert "AUTH" in (widget.canvas.tooltip_at(QPoint(round(g.x_for(T0 + 30_000)), y)) or "")
    assert widget.canvas.tooltip_at(QPoint(round(g.x_for(T0 + 10_000)), y)) == "alice: connected"
    assert widget.canvas.tooltip_at(QPoint(2, 2)) is None


def test_geometry_is_consistent() -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    metrics = QFontMetrics(QFont())
    g = TimelineGeometry.for_font(metrics, 1000, 300, T0, 10.0, 100)
    assert g.x_for(g.t_for(500)) == 500
    assert g.x_for(T0) == 1000
    assert g.lane_at(g.lane_top(1) + 1, 2) == 1
    assert g.lane_at(g.lane_top(2) + 1, 2) is None
    assert g.band_rect(0).bottom() < g.token_rect(0, 0).top()
    assert g.token_rect(0, 1).bottom() < g.lane_top(1) + g.lane_h
    assert token(T0, T0 + 1).expires_ms == T0 + 1


def test_legend_lists_every_marker_and_the_hint_stays_clear_of_it(qapp: QApplication) -> None:
    from tokenlab.gui.live.timeline_paint import (
        MARKER_COLOURS,
        empty_hint_rect,
        legend_items,
        legend_top,
    )
    from tokenlab.realtime.kinds import MARKERS

    assert set(MARKER_COLOURS) == set(MARKERS)
    listed = {kind.removeprefix("marker:") for kind, _ in legend_items()}
    assert set(MARKERS) <= listed
    widget = TimelineWidget(now_ms=lambda: T0)
    widget.resize(WIDTH, HEIGHT)
    widget.canvas.resize(WIDTH, HEIGHT)
    image = widget.canvas.render_image(WIDTH, HEIGHT)
    g = widget.canvas.geometry_for(WIDTH, HEIGHT)
    # every marker colour is painted somewhere in the (empty) timeline's legend
    legend = image.copy(0, g.lane_top(1), WIDTH, HEIGHT - g.lane_top(1))
    for kind in ("disconnect", "revocation", "authorize", "refusal"):
        assert _colour_count(legend, MARKER_COLOURS[kind]) > 0, kind  # type: ignore[index]
    # the empty-state hint is drawn in the first lane only, above the legend
    assert empty_hint_rect(g).bottom() < legend_top(g, 0)


def test_a_short_disconnect_is_still_visible(qapp: QApplication) -> None:
    make = EventMaker()
    adapter = EntryAdapter()
    t = T0
    events = [
        make("alice", state("initialized", "connecting"), t),
        make("alice", state("connecting", "connected"), t + 100),
        make("alice", state("connected", "disconnected"), t + 20_000),
        make("alice", state("disconnected", "connecting"), t + 20_010),
        make("alice", state("connecting", "connected"), t + 20_030),
    ]
    widget = TimelineWidget(now_ms=lambda: t + 40_000)
    widget.resize(WIDTH, HEIGHT)
    widget.canvas.resize(WIDTH, HEIGHT)
    widget.ingest([adapter.adapt(e) for e in events])
    widget.canvas.set_ms_per_px(200.0)  # the 30 ms outage is a tenth of a pixel
    image = widget.canvas.render_image(WIDTH, HEIGHT)
    g = widget.canvas.current_geometry()
    band = g.band_rect(0)
    strip = image.copy(g.gutter, band.top(), g.plot_width, band.height())
    assert _colour_count(strip, STATE_COLOURS["disconnected"]) > 0
    marker = widget.lanes.lane("alice").markers[0]
    assert marker.kind == "disconnect" and marker.seq == events[2].seq


def test_every_client_side_refusal_reaches_the_log_and_the_timeline_with_its_code() -> None:
    from tokenlab.gui.live.log_model import EventFilterProxy, EventLogModel
    from tokenlab.gui.live.log_store import Severity
    from tokenlab.realtime.events import ClientRefusal
    from tokenlab.realtime.protocol import ErrorInfo

    refusals = [
        ClientRefusal("publish", "chat", "mallory", ErrorInfo(40012, 400, "not yours")),
        ClientRefusal("presence", "chat", None, ErrorInfo(91000, 400, "no clientId")),
        ClientRefusal("publish", "chat", None, ErrorInfo(80017, 400, "Connection closed")),
        ClientRefusal("authorize", None, "bob", ErrorInfo(40102, 401, "mismatch")),
    ]
    make = EventMaker()
    adapter = EntryAdapter()
    rows = [adapter.adapt(make("alice", body, T0 + i)) for i, body in enumerate(refusals)]
    model, proxy = EventLogModel(), EventFilterProxy()
    proxy.setSourceModel(model)
    model.append(rows)
    proxy.set_min_severity(Severity.ERROR)  # "Errors only"
    assert proxy.rowCount() == 4
    assert [model.entry(r).code for r in range(4)] == [40012, 91000, 80017, 40102]
    lanes = TimelineLanes()
    lanes.ingest(rows)
    markers = lanes.lane("alice").markers
    assert [m.kind for m in markers] == ["refusal"] * 4
    assert [m.seq for m in markers] == [r.seq for r in rows]
    assert all(str(code) in m.label for m, code in zip(markers, (40012, 91000, 80017, 40102),
                                                        strict=True))  # fmt: skip
