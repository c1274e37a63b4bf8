"""Presenter mode on a projector: on every tab, in every screenshot state, at 1280x800 and at a
2x device pixel ratio (the second run is a child process with QT_SCALE_FACTOR=2), no label,
button, field, tab title or table header is cut off: its text fits or is elided with a tooltip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gui.clipping import clipped
from tests.gui.helpers import settle, wait_until
from tests.gui.live_helpers import running_sandbox
from tokenlab.core import samples
from tokenlab.gui.context import AppContext
from tokenlab.gui.main_window import MainWindow, aclose_pages

CHILD = "TOKENLAB_CLIPPING_CHILD"


async def test_nothing_clips_in_presenter_mode(ctx: AppContext, qtbot: Any) -> None:
    async with running_sandbox(ctx) as sandbox:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.presenter_action.setChecked(True)
        window.resize(1280, 800)
        window.show()
        for tab_id in window.tab_ids:  # pages are built lazily: build them all
            window.page(tab_id)
        ctx.send_to_inspect(samples.sample_text("embedded-jwt", now_ms=ctx.now_ms()))
        sandbox_tab: Any = window.page("sandbox")
        sandbox_tab.classroom_hosts = ["127.0.0.2"]
        sandbox_tab.classroom.switch.setChecked(True)
        await wait_until(lambda: sandbox.classroom.open and sandbox_tab.classroom.join_url.text())
        problems: list[str] = []
        for tab_id in window.tab_ids:
            window.show_tab(tab_id)
            page = window.page(tab_id)
            assert page is not None
            for state, prepare in page.screenshot_states():
                prepare()
                await settle(0.1)
                problems += [f"{tab_id}/{state or '-'} {p}" for p in clipped(window)]
        window.presenter_action.setChecked(False)
        for page in window.pages.values():
            page.shutdown()
        await aclose_pages(window.pages.values())
        await ctx.runner.wait_idle()
        await ctx.aclose()
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    assert not problems, f"at scale {scale}:\n" + "\n".join(dict.fromkeys(problems))


@pytest.mark.skipif(bool(os.environ.get(CHILD)), reason="this is the child run")
def test_nothing_clips_at_twice_the_pixel_ratio(tmp_path: Path) -> None:
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen", **{CHILD: "1"})
    test = f"{Path(__file__).resolve()}::test_nothing_clips_in_presenter_mode"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
