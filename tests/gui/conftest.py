"""GUI test fixtures: a qasync loop for every async test, plus the app's shared objects.

Async tests run on ``qasync.QEventLoop`` through pytest-asyncio's ``pytest_asyncio_loop_factories``
hook, so coroutines, Qt signals and timers share one loop exactly as in the app. Tests wait with
the awaitable helpers in ``tests.gui.helpers``, never with blocking qtbot waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import pytest
import qasync
import shiboken6
from PySide6.QtWidgets import QApplication

from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import Settings, save_settings
from tokenlab.gui.context import AppContext
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.runner import TaskRunner

NOW_MS = 1_700_000_000_000

# The offscreen platform plugin says this whenever a window is shown; it is not our bug.
OFFSCREEN_NOISE = r".*This plugin does not support (propagateSizeHints|raise)\(\).*"


def _qasync_loop() -> Any:
    app = QApplication.instance() or QApplication([])
    return qasync.QEventLoop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Any]:
    return {"qasync": _qasync_loop}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _app_keeps_running(qapp: QApplication) -> None:
    # as in the app: closing the last window must not stop the (qasync) event loop
    qapp.setQuitOnLastWindowClosed(False)


@pytest.fixture
def reporter(qapp: QApplication) -> Iterator[ErrorReporter]:
    rep = ErrorReporter(show_dialogs=False)
    yield rep
    assert not rep.reports, f"unexpected errors reported: {[r.summary for r in rep.reports]}"


@pytest.fixture
async def runner(reporter: ErrorReporter) -> AsyncIterator[TaskRunner]:
    async with TaskRunner(reporter) as task_runner:
        yield task_runner


@pytest.fixture
async def ctx(reporter: ErrorReporter, runner: TaskRunner) -> AsyncIterator[AppContext]:
    context = AppContext(
        reporter=reporter,
        runner=runner,
        settings=Settings(),
        secrets=SecretStore(),
        now_ms=lambda: NOW_MS,
        save=save_settings,
    )
    yield context
    await context.aclose()


@pytest.fixture
async def window(ctx: AppContext, qtbot: Any) -> AsyncIterator[Any]:
    """The main window with this engineer's three tabs (Live/Sandbox are tested elsewhere)."""
    from tokenlab.gui.main_window import MainWindow
    from tokenlab.gui.tabs.inspect_tab import TAB as INSPECT
    from tokenlab.gui.tabs.jwt_tab import TAB as JWT
    from tokenlab.gui.tabs.token_request_tab import TAB as TOKEN_REQUEST

    win = MainWindow(ctx, [INSPECT, TOKEN_REQUEST, JWT])
    qtbot.addWidget(win)
    win.show()
    yield win
    for page in win.pages.values():
        if shiboken6.isValid(page):
            page.shutdown()


@pytest.fixture
async def sandbox(ctx: AppContext) -> AsyncIterator[Any]:
    """A real embedded sandbox on 127.0.0.1 (random port), plugged into the context."""
    from tokenlab.sandbox import Sandbox, SandboxConfig

    async with Sandbox(SandboxConfig(now_ms=ctx.now_ms)) as sb:
        ctx.set_sandbox(sb)
        yield sb
        ctx.set_sandbox(None)
