"""The Lessons tab on the qasync loop: lessons grouped by theme, steps run through the shared
runner on a real embedded sandbox with ticks as expectations are observed, a failed
expectation shown with what was seen, progress in the settings, reset, and bad files listed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import wait_until
from tests.gui.live_helpers import running_sandbox
from tests.lessons.test_loader import GOOD
from tokenlab.gui.context import AppContext
from tokenlab.gui.lessons.models import LessonTreeModel
from tokenlab.gui.lessons.tab import LessonsTab
from tokenlab.gui.lessons.widgets import FAILED, MET
from tokenlab.lessons.loader import load_all


@contextlib.asynccontextmanager
async def lessons_tab(
    ctx: AppContext, extra: list[Path] | None = None
) -> AsyncIterator[LessonsTab]:
    async with running_sandbox(ctx):
        tab = LessonsTab(ctx, load_all(extra or [], include_user=False))
        tab.resize(1280, 760)
        tab.show()
        try:
            yield tab
        finally:
            tab.shutdown()
            await tab.aclose()
            await ctx.runner.wait_idle()
            tab.hide()  # not close(): closing the last window would quit the app and the loop


def test_tree_model_groups_lessons_by_theme(qtmodeltester: ModelTester) -> None:
    model = LessonTreeModel()
    lessons = load_all(include_user=False).lessons
    model.set_lessons(lessons, done=["token-request"])
    qtmodeltester.check(model)
    themes = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert themes[0] == "Identity" and "Permissions" in themes
    index = model.index_of("token-request")
    assert model.index(index.row(), 1, index.parent()).data() == "done"
    assert sum(model.rowCount(model.index(r, 0)) for r in range(model.rowCount())) == len(lessons)


async def test_run_step_then_run_all_ticks_and_marks_done(ctx: AppContext) -> None:
    async with lessons_tab(ctx) as tab:
        tab.select("token-clientid")
        assert tab.lesson is not None and tab.lesson.id == "token-clientid"
        assert "never sees the API key" in tab.explanation.text()
        tab.run_step_button.click()
        await wait_until(lambda: tab.run is not None and 0 in tab.run.done)
        assert tab.step_views[0].ticks == [MET, MET, MET]
        assert tab.step_views[1].ticks[0] != MET  # only one step ran
        tab.run_all_button.click()
        await wait_until(lambda: "token-clientid" in ctx.settings.lessons_done)
        assert all(t == MET for v in tab.step_views for t in v.ticks)
        assert not tab.run_step_button.isEnabled()
        status = tab.model.index_of("token-clientid")
        assert tab.model.index(status.row(), 1, status.parent()).data() == "done"
        tab.reset_button.click()
        await wait_until(lambda: tab._manager is not None and "alice" not in tab._manager)
        assert "token-clientid" not in ctx.settings.lessons_done
        assert tab.step_views[0].ticks == ["○", "○", "○"]
        assert tab.run_step_button.isEnabled()


async def test_failed_expectation_shows_what_was_observed(ctx: AppContext, tmp_path: Path) -> None:
    wrong = GOOD.replace('token_kind = "ably_token"', 'token_kind = "ably_jwt"')
    (tmp_path / "wrong.toml").write_text(wrong, encoding="utf-8")
    async with lessons_tab(ctx, [tmp_path]) as tab:
        tab.select("mine")
        tab.run_all_button.click()
        await wait_until(lambda: tab.run is not None and 0 in tab.run.done)
        await ctx.runner.wait_idle()
        assert tab.step_views[0].ticks == [FAILED]
        assert "observed: Ably token (opaque)" in tab.step_views[0]._rows[0][1].text()
        assert "did not go as expected" in tab.status.text()
        assert "mine" not in ctx.settings.lessons_done


async def test_bad_lesson_file_is_listed_not_fatal(ctx: AppContext, tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text("id = 'x'\ntitle = 3", encoding="utf-8")
    async with lessons_tab(ctx, [tmp_path]) as tab:
        assert tab.file_errors.isVisibleTo(tab)
        assert "broken.toml: title: must be a string" in tab.file_errors.text()
        assert tab.tree.model().rowCount() > 0


async def test_without_a_sandbox_the_buttons_say_why(ctx: AppContext) -> None:
    tab = LessonsTab(ctx, load_all(include_user=False))
    assert not tab.run_all_button.isEnabled()
    assert "embedded sandbox" in tab.status.text()
    tab.model.index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    await tab.aclose()


async def test_step_done_by_hand_elsewhere_ticks(ctx: AppContext) -> None:
    async with lessons_tab(ctx) as tab:
        tab.select("revocation")
        tab.run_step_button.click()
        await wait_until(lambda: tab.run is not None and 0 in tab.run.done)
        await wait_until(lambda: tab.run is not None and tab.run.watching == 1)
        sandbox = ctx.sandbox
        assert sandbox is not None
        key = sandbox.demo_keys["revocable"]
        sandbox.revoke_client_id(key.name, "oscar")  # type: ignore[attr-defined]
        await wait_until(lambda: tab.run is not None and 1 in tab.run.done)
        assert tab.step_views[1].ticks == [MET, MET]
        await wait_until(lambda: "done by hand" in tab.status.text())


async def test_open_tab_sends_a_minted_token_to_inspect(ctx: AppContext) -> None:
    sent: list[str] = []
    ctx.token_sent_to_inspect.connect(sent.append)
    async with lessons_tab(ctx) as tab:
        tab.select("ably-token-and-jwt")
        tab.run_step_button.click()
        await wait_until(lambda: tab.run is not None and 0 in tab.run.done)
        tab._on_step_open_tab_requested(0, "jwt")
        assert tab.run is not None
        assert sent == [tab.run.done[0].result.token]  # the opaque Ably token the step minted
