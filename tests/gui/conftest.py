"""GUI test fixtures: a qasync loop for every async test, plus the app's shared objects.

Async tests run on ``qasync.QEventLoop`` through pytest-asyncio's ``pytest_asyncio_loop_factories``
hook, so coroutines, Qt signals and timers share one loop exactly as in the app. Tests wait with
the awaitable helpers in ``tests.gui.helpers``, never with blocking qtbot waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import pytest
import pytestqt.plugin
import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import Settings, save_settings
from tokenlab.gui.context import AppContext
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.runner import TaskRunner

NOW_MS = 1_700_000_000_000

# The offscreen platform plugin says this whenever a window is shown; it is not our bug.
OFFSCREEN_NOISE = r".*This plugin does not support (propagateSizeHints|raise)\(\).*"


class _QEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, but Qt events are never processed with no asyncio loop running.

    qasync 0.28's ``run_until_complete`` processes Qt events once more after ``run_forever``
    has returned and unset the running loop. On qasync, asyncio timers and task wake-ups are Qt
    events, so a timer due then (the sandbox's sweeper, a heartbeat) ran a coroutine step whose
    ``asyncio.sleep`` raised "RuntimeError: no running event loop", surfacing at fixture
    teardown in whichever test it hit."""

    _completing = False

    def run_until_complete(self, future: Any) -> Any:
        self._completing = True
        try:
            return super().run_until_complete(future)
        finally:
            self._completing = False
            asyncio.events._set_running_loop(None)

    def run_forever(self) -> Any:
        try:
            return super().run_forever()
        finally:
            if self._completing:  # WORKAROUND(qasync 0.28 run_until_complete, see above)
                asyncio.events._set_running_loop(self)


_loops: list[_QEventLoop] = []  # the current test's loop (pytest-asyncio makes one each)


def _qasync_loop() -> Any:
    app = QApplication.instance() or QApplication([])
    loop = _QEventLoop(app)
    _loops[:] = [loop]
    return loop


def _process_events_on_the_loop() -> None:
    """Process pending Qt events with the test's qasync loop running.

    pytest-qt processes Qt events after each test phase, between a test's call and its fixtures'
    teardown, where no asyncio loop runs (the same trap as in ``_QEventLoop``). Running the loop
    for one iteration instead gives every due asyncio callback the loop it expects."""
    app = QApplication.instance()
    if app is None:
        return
    loop = _loops[0] if _loops else None
    if loop is None or loop.is_closed() or loop.is_running():
        app.processEvents()
        return
    loop.run_until_complete(asyncio.sleep(0))


# WORKAROUND(https://github.com/pytest-dev/pytest-qt/blob/master/src/pytestqt/plugin.py):
# pytest-qt has no option to process events through an asyncio loop.
pytestqt.plugin._process_events = _process_events_on_the_loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Mapping[str, Any]:
    return {"qasync": _qasync_loop}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _app_keeps_running(qapp: QApplication) -> Iterator[None]:
    # as in the app: closing the last window must not stop the (qasync) event loop
    qapp.setQuitOnLastWindowClosed(False)
    yield
    _delete_top_level_widgets(qapp)


def _delete_top_level_widgets(qapp: QApplication) -> None:
    """Delete every window a test left, in Qt's own order, before the garbage collector runs.

    A test's widgets often sit in reference cycles with its context (signal connections to
    lambdas and bound methods). Left to the cyclic garbage collector, PySide destroys such a
    graph in arbitrary order, and a C++ destructor can then reach a half-cleared Python object:
    a segmentation fault inside ``gc.collect()`` in some later test. Deleted here, the cycle
    holds only wrappers of objects that are already gone, which is safe to collect."""
    for widget in qapp.topLevelWidgets():
        if shiboken6.isValid(widget) and widget.parentWidget() is None:  # not popups of a combo
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


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
