"""What the Live tab tells a new user: refusals on screen, presets that do what they say,
Revoke that explains itself, readable numbers, and a log and timeline that work together."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import QPoint

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import entries, live_tab
from tests.gui.test_live_tab import add, connected
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.live.event_log import LEVELS
from tokenlab.gui.live.log_model import COL_SUMMARY, COL_TIME
from tokenlab.gui.live.tab import LiveTab

RAW_EPOCH = re.compile(r"\b1\d{12}\b")  # an epoch in ms, as a person should never see it


def _error_colour(tab: LiveTab) -> str:
    return theme.severity_colour("error").name()


async def _refused(live: LiveTab, code: int) -> None:
    await wait_until(lambda: any(e.code == code for e in entries(live, "client_refusal")))


async def test_refusals_reach_the_log_filters_timeline_and_export(
    ctx: AppContext, tmp_path: Path
) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice, anon = add(live, "Alice"), add(live, "Anonymous")
        await connected(live, alice)
        await connected(live, anon)
        live.panel.select_row(live.connections.row_of(alice))
        live.channel.as_client_id.setText("mallory")
        live.channel.publish.click()
        await _refused(live, 40012)
        live.panel.select_row(live.connections.row_of(anon))
        live.channel.enter.click()
        await _refused(live, 91000)
        # "Errors only" and a code filter both find them
        live.log.level.setCurrentText(next(k for k in LEVELS if k == "Errors only"))
        shown = {live.log.proxy.index(r, 0).data(0x0101).code for r in
                 range(live.log.proxy.rowCount())}  # fmt: skip
        assert {40012, 91000} <= shown
        live.log.level.setCurrentIndex(0)
        live.log.search.setText("91000")
        live.log._on_debounce_timeout()
        assert live.log.proxy.rowCount() >= 1
        live.log.clear_filters()
        # the timeline has a refusal marker on each lane
        await wait_until(lambda: "refusal" in {m.kind for m in live.timeline.lanes.lane(anon)
                                               .markers})  # fmt: skip
        assert "refusal" in {m.kind for m in live.timeline.lanes.lane(alice).markers}
        # and the NDJSON export carries the codes
        path = tmp_path / "s.ndjson"
        live.export_to("ndjson", str(path))
        await wait_until(lambda: "written" in live.panel.status.text())
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert {r["code"] for r in rows if r["kind"] == "client_refusal"} == {40012, 91000}


async def test_clicking_a_timeline_marker_selects_its_event(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        live.channel.as_client_id.setText("mallory")
        live.channel.publish.click()
        await _refused(live, 40012)
        live.log.level.setCurrentText("Warnings and errors")  # filtered: the row may be hidden
        lane_index = [lane.name for lane in live.timeline.lanes.lanes].index(alice)
        await wait_until(lambda: any(m.kind == "refusal" for m in live.timeline.lanes.lanes[
            lane_index].markers))  # fmt: skip
        marker = next(m for m in live.timeline.lanes.lanes[lane_index].markers
                      if m.kind == "refusal")  # fmt: skip
        canvas = live.timeline.canvas
        canvas.set_follow(False)
        canvas.set_end_ms(marker.t_ms + 1_000)
        g = canvas.current_geometry()
        canvas.click_at(QPoint(round(g.x_for(marker.t_ms)), g.band_rect(lane_index).center().y()))
        selected = live.log.selected_entry()
        assert selected is not None and selected.seq == marker.seq and selected.code == 40012
        assert "40012" in live.details.toPlainText()


async def test_reader_publish_is_40160_and_errors_use_the_error_colour(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        reader = add(live, "Reader")
        await connected(live, reader)
        live.channel.publish.click()
        await wait_until(lambda: "40160" in live.channel.result.text())
        assert _error_colour(live) in live.channel.result.styleSheet()
        # a connection that fails reports it in the error colour too
        live._on_panel_preset_chosen("Alice")
        live.panel.editor.mode.setCurrentIndex(live.panel.editor.mode.findData("token"))
        live.panel.editor.token.setText("not-a-token")
        live.panel.connect_button.click()
        await wait_until(lambda: "failed" in live.panel.status.text())
        assert _error_colour(live) in live.panel.status.styleSheet()


async def test_revoke_explains_itself_and_counts_what_it_hit(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        bob, alice = add(live, "Bob"), add(live, "Alice")
        await connected(live, bob)
        await connected(live, alice)
        live.panel.select_row(live.connections.row_of(bob))
        await wait_until(lambda: "wildcard" in live.panel.revoke.toolTip())
        assert not live.panel.revoke.isEnabled()  # '*' matches nothing, no revocation key
        assert "revocation key" in live.panel.revoke.toolTip()
        live.panel.select_row(live.connections.row_of(alice))
        await wait_until(lambda: live.panel.revoke.isEnabled())
        assert "clientId 'alice'" in live.panel.revoke.toolTip()
        live.panel.revoke.click()
        await wait_until(lambda: "hit" in live.panel.status.text())
        status = live.panel.status.text()
        assert "clientId:alice revoked (applies now)" in status
        assert "1 connection hit" in status and "token" in status
        assert not RAW_EPOCH.search(status)
        await wait_until(lambda: any(e.code == 40141 for e in live.log_model.entries()))
        lane = live.timeline.lanes.lane(alice)
        await wait_until(lambda: "revocation" in {m.kind for m in lane.markers})


async def test_details_and_summaries_never_show_raw_numbers(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        live.panel.authorize.click()
        live.authorize_dialog._on_buttons_accepted()
        await wait_until(lambda: entries(live, "renewal_succeeded", alice))
        renewal = entries(live, "renewal_succeeded", alice)[0]
        live.details.show_entry(renewal)
        text = live.details.toPlainText()
        assert "expires_ms" in text and "in " in text and not RAW_EPOCH.search(text)
        assert not re.search(r"\d+\.\d{4,}", text)  # no float with many decimals
        for entry in live.log_model.entries():
            assert not RAW_EPOCH.search(entry.summary), entry.summary


async def test_log_widths_survive_filtering_and_summary_takes_the_rest(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        header = live.log.table.horizontalHeader()
        header.resizeSection(COL_TIME, 150)
        live.log.show_connection(alice)
        assert live.log.table.model() is live.log.proxy
        assert header.sectionSize(COL_TIME) == 150
        widest = max(header.sectionSize(c) for c in range(COL_SUMMARY))
        assert header.sectionSize(COL_SUMMARY) > widest
        live.log.show_connection(None)
        assert header.sectionSize(COL_TIME) == 150


async def test_two_exports_in_a_row_both_finish(ctx: AppContext, tmp_path: Path) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        alice = add(live, "Alice")
        await connected(live, alice)
        first, second = tmp_path / "a.ndjson", tmp_path / "b.md"
        live.export_to("ndjson", str(first))
        live.export_to("markdown", str(second))
        await ctx.runner.wait_idle()
        assert first.read_text().count("\n") == live.log_model.rowCount()
        assert "Alice" in second.read_text()


async def test_a_sandbox_key_against_production_is_warned_about(ctx: AppContext) -> None:
    async with live_tab(ctx) as (live, _sandbox):
        live._on_panel_preset_chosen("Alice")
        editor = live.panel.editor
        editor.endpoint.setCurrentIndex(editor.endpoint.findData("ably"))
        live.panel.connect_button.click()
        assert "embedded sandbox" in live.panel.status.text()
        assert theme.severity_colour("warning").name() in live.panel.status.styleSheet()
        assert len(live.manager) == 0  # nothing was sent to production
