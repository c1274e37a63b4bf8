"""The Lessons and Live tabs share the app's connection manager (on the qasync loop): a
lesson's connection is listed in Live (list, timeline, event log) and leaves with Reset; a
publish done by hand through Live's channel panel ticks the lesson's step; "Open tab" shows
Live with the step's connection selected; the Lessons timeline shows only the lesson's own."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import FAST, kinds, running_sandbox
from tokenlab.gui.context import AppContext
from tokenlab.gui.lessons.tab import LessonsTab
from tokenlab.gui.lessons.widgets import MET
from tokenlab.gui.live.connections import STATE_ROLE
from tokenlab.gui.live.tab import LiveTab
from tokenlab.lessons.loader import load_all


@contextlib.asynccontextmanager
async def both_tabs(ctx: AppContext) -> AsyncIterator[tuple[LessonsTab, LiveTab]]:
    async with running_sandbox(ctx):
        lessons = LessonsTab(ctx, load_all(include_user=False))
        live = LiveTab(ctx, options_overrides=FAST)
        for tab in (lessons, live):
            tab.resize(1280, 760)
            tab.show()
        try:
            yield lessons, live
        finally:
            for tab in (lessons, live):
                tab.shutdown()
                await tab.aclose()
            await ctx.runner.wait_idle()
            lessons.hide()  # not close(): closing the last window would quit the app and the loop
            live.hide()


def _states(live: LiveTab, name: str) -> list[str]:
    """The connection states the Live tab's event log recorded for ``name``."""
    return [
        str(getattr(e.payload, "current", ""))
        for e in live.log_model.entries()
        if e.connection == name and e.kind == "state_changed"
    ]


def _state(live: LiveTab, name: str) -> object:
    row = live.connections.row_of(name)
    return live.connections.index(row, 0).data(STATE_ROLE) if row >= 0 else None


async def test_a_lesson_connection_is_listed_in_live_and_leaves_with_reset(
    ctx: AppContext,
) -> None:
    async with both_tabs(ctx) as (lessons, live):
        lessons.select("basic-auth-clientid")
        lessons.run_step_button.click()
        await wait_until(lambda: lessons.run is not None and 0 in lessons.run.done)
        await wait_until(lambda: "mallory" in live.connections.names())
        await wait_until(lambda: "mallory" in [lane.name for lane in live.timeline.lanes.lanes])
        await wait_until(lambda: "state_changed" in kinds(live, "mallory"))
        spec = live.connections.spec(live.connections.row_of("mallory"))
        assert spec.auth_mode == "key" and spec.client_id == "ceo"  # read from its options
        await wait_until(lambda: _state(live, "mallory") == "connected")
        live._save_connections()  # the lesson's connection is not saved as Live's own
        saved = ctx.settings.tab_state.get("live", {}).get("connections", [])
        assert all(s.get("name") != "mallory" for s in saved)
        lessons.reset_button.click()
        await wait_until(lambda: "mallory" not in ctx.connections)
        await wait_until(lambda: "mallory" not in live.connections.names())


async def test_a_publish_by_hand_in_live_ticks_the_lesson_step(ctx: AppContext) -> None:
    shown: list[str] = []
    ctx.show_tab_requested.connect(shown.append)
    async with both_tabs(ctx) as (lessons, live):
        lessons.select("basic-auth-clientid")
        lessons._on_step_open_tab_requested(1, "live")  # no connection yet: Live says why
        assert "No connection named 'mallory' yet" in live.panel.status.text()
        lessons.run_step_button.click()
        await wait_until(lambda: lessons.run is not None and lessons.run.watching == 1)
        assert live._selected != "mallory"
        button = lessons.step_views[1].open_tab
        assert button is not None and button.text() == "Open tab"
        button.click()
        assert shown[-1] == "live" and live._selected == "mallory"
        assert "the lesson's connection" in live.panel.status.text()
        await wait_until(lambda: live.channel.attach.isEnabled())
        live.channel.channel.setText("lobby")
        live.channel.attach.click()
        await wait_until(lambda: "Attach lobby: done" in live.channel.result.text())
        live.channel.message_data.setText("The CEO says: by hand")
        live.channel.publish.click()
        await wait_until(lambda: lessons.run is not None and 1 in lessons.run.done)
        assert lessons.step_views[1].ticks == [MET, MET]
        await wait_until(lambda: "done by hand" in lessons.status.text())
        assert "basic-auth-clientid" in ctx.settings.lessons_done


async def test_the_lessons_timeline_shows_only_the_lessons_connections(ctx: AppContext) -> None:
    async with both_tabs(ctx) as (lessons, live):
        live._on_panel_preset_chosen("Alice")
        live._on_connect_clicked()
        lessons.select("basic-auth-clientid")
        lessons.run_step_button.click()
        await wait_until(lambda: lessons.run is not None and 0 in lessons.run.done)
        await wait_until(lambda: len(live.timeline.lanes.lanes) == 2)
        await wait_until(lambda: bool(lessons.timeline.lanes.lanes))
        assert [lane.name for lane in lessons.timeline.lanes.lanes] == ["mallory"]
        assert set(live.connections.names()) == {"Alice", "mallory"}


async def test_a_live_tab_built_later_lists_the_running_lesson_connection(
    ctx: AppContext,
) -> None:
    async with running_sandbox(ctx):
        lessons = LessonsTab(ctx, load_all(include_user=False))
        lessons.select("basic-auth-clientid")
        lessons.run_step_button.click()
        await wait_until(lambda: lessons.run is not None and 0 in lessons.run.done)
        live = LiveTab(ctx, options_overrides=FAST)  # the main window builds tabs lazily
        try:
            assert live.connections.names() == ["mallory"]
            await wait_until(lambda: _state(live, "mallory") == "connected")  # replayed history
        finally:
            for tab in (lessons, live):
                tab.shutdown()
                await tab.aclose()
            await ctx.runner.wait_idle()


async def test_a_lesson_connection_removed_in_live_stays_removed(ctx: AppContext) -> None:
    async with both_tabs(ctx) as (lessons, live):
        lessons.select("basic-auth-clientid")
        lessons.run_step_button.click()
        await wait_until(lambda: _state(live, "mallory") == "connected")
        live.panel.select_row(live.connections.row_of("mallory"))
        live.panel.remove.click()
        live._adopt(["mallory"])  # a batch flushed before the removal job ran
        assert "mallory" not in live.connections.names()
        await wait_until(lambda: "mallory" not in ctx.connections)
        await wait_until(lambda: "closed" in _states(live, "mallory"))
        assert "mallory" not in live.connections.names()  # its closing events did not re-list it


async def test_open_tab_in_the_main_window_builds_live_with_the_connection_selected(
    ctx: AppContext,
) -> None:
    from tokenlab.gui.lessons.tab import TAB as LESSONS
    from tokenlab.gui.live.tab import TAB as LIVE
    from tokenlab.gui.main_window import MainWindow, aclose_pages

    async with running_sandbox(ctx):
        window = MainWindow(ctx, [LESSONS, LIVE])
        window.show_tab("lessons")
        lessons = window.page("lessons")
        assert isinstance(lessons, LessonsTab) and "live" not in window.pages
        try:
            lessons.select("basic-auth-clientid")
            lessons.run_step_button.click()
            await wait_until(lambda: lessons.run is not None and lessons.run.watching == 1)
            button = lessons.step_views[1].open_tab
            assert button is not None
            button.click()
            live = window.pages.get("live")  # built by the click, after the connection was
            assert window.current_tab_id() == "live" and isinstance(live, LiveTab)
            assert live._selected == "mallory" and live.panel.current_row() == 0
        finally:
            for page in window.pages.values():
                page.shutdown()
            await aclose_pages(window.pages.values())
            await ctx.runner.wait_idle()
