"""TaskRunner: latest-wins keys, error routing, owner deletion, busy signal."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QWidget

from tests.gui.helpers import wait_until
from tokenlab.core.errors import UserError
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.runner import TaskRunner


async def _value(value: int, delay: float = 0.0) -> int:
    await asyncio.sleep(delay)
    return value


async def test_result_reaches_on_ok(runner: TaskRunner) -> None:
    got: list[int] = []
    runner.submit(lambda: _value(7), on_ok=got.append)
    await runner.wait_idle()
    assert got == [7]


async def test_latest_request_with_same_key_wins(runner: TaskRunner) -> None:
    got: list[int] = []
    first = runner.submit(lambda: _value(1, 0.2), on_ok=got.append, key="decode")
    runner.submit(lambda: _value(2, 0.01), on_ok=got.append, key="decode")
    await runner.wait_idle()
    assert got == [2]
    assert first.cancelled()


async def test_keys_are_scoped_by_owner(runner: TaskRunner, qtbot) -> None:
    a, b = QWidget(), QWidget()
    qtbot.addWidget(a)
    qtbot.addWidget(b)
    got: list[int] = []
    runner.submit(lambda: _value(1, 0.02), on_ok=got.append, key="k", owner=a)
    runner.submit(lambda: _value(2, 0.01), on_ok=got.append, key="k", owner=b)
    await runner.wait_idle()
    assert sorted(got) == [1, 2]


async def test_user_error_goes_inline_not_to_reporter(runner: TaskRunner) -> None:
    async def fail() -> int:
        raise UserError("bad token", code="token.bad")

    errors: list[UserError] = []
    runner.submit(fail, on_error=errors.append)
    await runner.wait_idle()
    assert [e.code for e in errors] == ["token.bad"]


async def test_unhandled_user_error_is_announced(runner: TaskRunner) -> None:
    async def fail() -> int:
        raise UserError("no handler")

    seen: list[object] = []
    runner.user_error.connect(seen.append)
    runner.submit(fail)
    await runner.wait_idle()
    assert len(seen) == 1 and str(seen[0]) == "no handler"


async def test_bug_goes_to_reporter(runner: TaskRunner, reporter: ErrorReporter) -> None:
    async def crash() -> int:
        raise ZeroDivisionError("boom")

    runner.submit(crash, on_error=lambda e: None)
    await runner.wait_idle()
    assert len(reporter.reports) == 1
    assert "ZeroDivisionError: boom" in reporter.reports[0].summary
    assert "Traceback" in reporter.reports[0].details
    reporter.reports.clear()


async def test_callback_bug_is_reported(runner: TaskRunner, reporter: ErrorReporter) -> None:
    def bad_callback(_: int) -> None:
        raise KeyError("oops")

    runner.submit(lambda: _value(1), on_ok=bad_callback)
    await runner.wait_idle()
    assert "KeyError" in reporter.reports[0].summary
    reporter.reports.clear()


async def test_deleted_owner_skips_callbacks_and_cancels(runner: TaskRunner) -> None:
    owner = QWidget()
    got: list[int] = []
    task = runner.submit(lambda: _value(1, 0.5), on_ok=got.append, owner=owner)
    owner.deleteLater()
    await wait_until(task.done)
    assert task.cancelled()
    assert got == []


async def test_busy_signal_tracks_running_tasks(runner: TaskRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    runner.submit(lambda: _value(1, 0.01), label="Working")
    assert runner.busy
    runner.submit(lambda: _value(2, 0.01), track_busy=False)
    await runner.wait_idle()
    assert states[0] is True and states[-1] is False
    assert not runner.busy


async def test_aclose_cancels_everything(reporter: ErrorReporter) -> None:
    task_runner = TaskRunner(reporter)
    task = task_runner.submit(lambda: _value(1, 10))
    await task_runner.aclose()
    assert task.cancelled()
    assert task_runner.task_count == 0


async def test_tests_run_on_the_qasync_loop() -> None:
    import qasync

    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
