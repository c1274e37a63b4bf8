"""Start-up and shutdown (amain), command-line options, and the ErrorReporter hooks."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication

from tests.gui.helpers import wait_until
from tokenlab.core import paths
from tokenlab.core.settings import load_settings
from tokenlab.gui.app import Options, _parse_with_argparse, amain, create_window, parse_args
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.main_window import MainWindow


def test_parse_args() -> None:
    assert parse_args([]) == Options()
    # plain flags skip argparse (start-up time): same result as argparse gives
    for flags in (["--dark"], ["--selftest", "--no-sandbox"], ["--startup-probe", "--dark"]):
        assert parse_args(flags) == _parse_with_argparse(flags)
        assert parse_args(flags) != Options()
    options = parse_args(["--sandbox-url", "http://127.0.0.1:8081", "--selftest"])
    assert options.sandbox_url == "http://127.0.0.1:8081" and options.selftest
    assert parse_args(["--no-sandbox"]).no_sandbox
    with pytest.raises(SystemExit):
        parse_args(["--no-sandbox", "--sandbox-url", "x"])


async def _run_until_closed(options: Options, check: Any = None) -> int:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    reporter = ErrorReporter(show_dialogs=False)
    window = create_window(app, reporter, options)
    assert window.isVisible()
    task = asyncio.ensure_future(amain(window, options))
    if check is not None:
        await check(window)
    window.close()
    code = await asyncio.wait_for(task, 10)
    window.deleteLater()
    assert not reporter.reports
    return code


async def test_amain_starts_the_sandbox_and_closes_cleanly() -> None:
    async def check(window: MainWindow) -> None:
        await wait_until(lambda: window.ctx.sandbox is not None)
        assert window.ctx.sandbox is not None
        assert window.ctx.sandbox.rest_url in window.sandbox_label.text()
        assert any(c.source == "sandbox" for c in window.ctx.key_choices())
        window.show_tab("jwt")

    assert await _run_until_closed(Options(), check) == 0
    assert load_settings().last_tab == "jwt"
    assert (paths.data_dir() / "sandbox.sqlite3").exists()


async def test_amain_with_an_external_sandbox() -> None:
    async def check(window: MainWindow) -> None:
        await wait_until(lambda: "9999" in window.sandbox_label.text())
        assert window.ctx.sandbox is None

    assert await _run_until_closed(Options(sandbox_url="http://127.0.0.1:9999/"), check) == 0


async def test_bad_settings_file_does_not_stop_the_app() -> None:
    path = paths.ensure_dir(paths.config_dir()) / "settings.json"
    path.write_text('{"large_font": 3}')

    async def check(window: MainWindow) -> None:
        assert window.ctx.settings_error is not None
        assert "large_font" in window.statusBar().currentMessage()

    assert await _run_until_closed(Options(no_sandbox=True), check) == 0


def test_excepthook_reports_bugs(qapp: QApplication) -> None:
    reporter = ErrorReporter(show_dialogs=False)
    reporter.install()
    try:
        try:
            raise ValueError("a bug in a slot")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        reporter.uninstall()
    assert reporter.reports[0].summary.startswith("ValueError: a bug in a slot")
    assert "Traceback" in reporter.reports[0].details


async def test_loop_exception_handler_reports(qapp: QApplication) -> None:
    reporter = ErrorReporter(show_dialogs=False)
    loop = asyncio.get_running_loop()
    old = loop.get_exception_handler()
    reporter.install_loop(loop)
    try:
        loop.call_soon(lambda: 1 / 0)
        await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(old)
    assert reporter.reports and "ZeroDivisionError" in reporter.reports[0].summary


def test_error_dialog_is_non_modal(qapp: QApplication, qtbot: Any) -> None:
    reporter = ErrorReporter(show_dialogs=True)
    reporter.report(RuntimeError("shown"))
    dialog = reporter._dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and not dialog.isModal()
    assert "RuntimeError: shown" in dialog._details.toPlainText()


@pytest.mark.qt_log_ignore(".*routed to logging.*")
def test_qt_messages_go_to_logging(qapp: QApplication, caplog: pytest.LogCaptureFixture) -> None:
    reporter = ErrorReporter(show_dialogs=False)
    reporter.install()
    try:
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("routed to logging")
    finally:
        reporter.uninstall()
    assert any("routed to logging" in r.getMessage() for r in caplog.records)
