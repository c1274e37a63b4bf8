"""Start-up and shutdown of the GUI: one QApplication, one qasync loop, one AsyncExitStack.

``main(argv)`` creates the QApplication, installs the error hooks, builds the context and shows
the window: its first frame (menus, tab titles, status bar) is painted before any tab module,
asyncio or the sandbox is imported, so it appears fast; then the current tab's page is built and
painted, and ``amain`` runs on qasync. ``amain`` owns every async resource in one AsyncExitStack:
it starts the embedded sandbox, waits for the window to ask to quit and closes everything in
order while the loop still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from tokenlab import __version__
from tokenlab.core import paths
from tokenlab.core.secrets import SecretStore
from tokenlab.core.settings import load_settings_or_defaults
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.errors import ErrorReporter
from tokenlab.gui.main_window import MainWindow, aclose_pages
from tokenlab.gui.runner import TaskRunner

if TYPE_CHECKING:
    import asyncio  # imported in amain: the first frame is painted before asyncio loads

log = logging.getLogger(__name__)
STARTUP_PROBE_LINE = "tokenlab: window shown"  # printed by --startup-probe at the first paint
FIRST_PAGE_PROBE_LINE = "tokenlab: first tab ready"  # ... and once the current tab is painted


@dataclass(frozen=True)
class Options:
    sandbox_url: str | None = None
    no_sandbox: bool = False
    selftest: bool = False
    screenshot_dir: Path | None = None
    dark: bool = False
    startup_probe: bool = False


# The plain flags a launch usually carries (often none) are read without building an
# ArgumentParser, whose gettext set-up costs ~6 ms of start-up; anything else goes to argparse.
_PLAIN_FLAGS = frozenset({"--no-sandbox", "--selftest", "--dark", "--startup-probe"})


def parse_args(argv: Sequence[str]) -> Options:
    if _PLAIN_FLAGS.issuperset(argv):
        return Options(
            no_sandbox="--no-sandbox" in argv,
            selftest="--selftest" in argv,
            dark="--dark" in argv,
            startup_probe="--startup-probe" in argv,
        )
    return _parse_with_argparse(argv)


def _parse_with_argparse(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="tokenlab", description="tokenlab desktop app")
    parser.add_argument("--version", action="version", version=f"tokenlab {__version__}")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sandbox-url", metavar="URL", help="use an external sandbox")
    group.add_argument("--no-sandbox", action="store_true", help="do not start a sandbox")
    parser.add_argument("--selftest", action="store_true", help="check the app and exit")
    parser.add_argument("--screenshot", metavar="DIR", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dark", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    ns = parser.parse_args(list(argv))
    return Options(
        sandbox_url=ns.sandbox_url,
        no_sandbox=ns.no_sandbox,
        selftest=ns.selftest,
        screenshot_dir=ns.screenshot,
        dark=ns.dark,
        startup_probe=ns.startup_probe,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the GUI. ``argv`` holds the arguments after the program name."""
    options = parse_args(sys.argv[1:] if argv is None else argv)
    if options.selftest:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("tokenlab")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("tokenlab")
    app.setQuitOnLastWindowClosed(False)
    reporter = ErrorReporter(show_dialogs=not (options.selftest or options.startup_probe))
    reporter.install()
    try:
        window = create_window(app, reporter, options)
        # One pass of Qt's queue before the event loop exists paints the first frame, so the
        # window is on screen while the first tab, asyncio and qasync load (not a loop: nothing
        # can re-enter). A second pass paints the first tab's page.
        app.processEvents()
        _probe(options, STARTUP_PROBE_LINE)
        if _theme_mode(window.ctx, options) == "system":  # the desktop's scheme, now affordable
            theme.apply_theme(app, "system")
        window.show_first_page()
        app.processEvents()
        if options.startup_probe:  # tests/bench/bench_gui.py
            _probe(options, FIRST_PAGE_PROBE_LINE)
            return 0
        import qasync  # after PySide6, so qasync does not probe for other Qt bindings

        code: int = qasync.run(amain(window, options))
    finally:
        reporter.uninstall()
    return code


def _probe(options: Options, line: str) -> None:
    """For tests/bench/bench_gui.py: the moment, and the CPU time spent until then."""
    if options.startup_probe:
        import time

        print(f"{line} (cpu {time.process_time() * 1000:.0f} ms)", flush=True)


def create_window(app: QApplication, reporter: ErrorReporter, options: Options) -> MainWindow:
    """The context (runner, settings, keys) and the main window, shown. No I/O happens here."""
    ctx = _build_context(reporter, TaskRunner(reporter))
    return _show_window(app, ctx, options)


async def amain(window: MainWindow, options: Options) -> int:
    """Own every async resource: start the sandbox, wait for quit, close it all in order."""
    import asyncio

    ctx = window.ctx
    ctx.reporter.install_loop(asyncio.get_running_loop())
    quit_requested = asyncio.Event()
    window.close_requested.connect(quit_requested.set)
    if window.close_was_requested:  # closed before the loop started
        quit_requested.set()
    _install_sigint(window)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(ctx.runner.aclose)
        stack.push_async_callback(ctx.aclose)
        await _start_sandbox(stack, ctx, options)
        stack.push_async_callback(ctx.runner.aclose)  # stop tasks before the sandbox goes
        window.finish_startup()
        _freeze_startup_objects()
        code = await _run(window, ctx, options, quit_requested)
        window.hide()
        await aclose_pages(window.pages.values())
    return code + (1 if options.selftest and ctx.reporter.reports else 0)


def _freeze_startup_objects() -> None:
    """Move everything built at start-up (Qt wrappers, modules, the sandbox) out of the garbage
    collector's reach: otherwise each full collection rescans them and stalls the UI 30-60 ms."""
    import gc

    gc.collect()
    gc.freeze()


def _build_context(reporter: ErrorReporter, runner: TaskRunner) -> AppContext:
    settings, error = load_settings_or_defaults()
    ctx = AppContext(reporter=reporter, runner=runner, settings=settings, secrets=SecretStore())
    if error is not None:
        log.warning("%s", error.message)
        ctx.settings_error = error
    return ctx


def _theme_mode(ctx: AppContext, options: Options) -> str:
    return "dark" if options.dark else ctx.settings.theme


def _show_window(app: QApplication, ctx: AppContext, options: Options) -> MainWindow:
    theme.apply_theme(app, _theme_mode(ctx, options), before_first_paint=True)
    stylesheet = theme.load_stylesheet()  # optional resources/themes/base.qss
    if stylesheet:
        app.setStyleSheet(stylesheet)
    theme.apply_font_scale(app, ctx.settings.large_font)
    window = MainWindow(ctx)
    window.show()
    if ctx.settings_error is not None:
        window.statusBar().showMessage(ctx.settings_error.message, 15000)
    return window


def _install_sigint(window: MainWindow) -> None:
    import asyncio
    import signal  # here, not at the top: its enums cost ~1 ms before the first frame

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, window.close)


async def _start_sandbox(stack: AsyncExitStack, ctx: AppContext, options: Options) -> None:
    if options.no_sandbox:
        return
    if options.sandbox_url:
        ctx.external_sandbox_url = options.sandbox_url.rstrip("/")
        ctx.set_sandbox(None)
        return
    try:
        from tokenlab.gui.embedded_sandbox import EmbeddedSandbox
        from tokenlab.sandbox import SandboxConfig

        db = paths.ensure_dir(paths.data_dir()) / "sandbox.sqlite3"
        config = SandboxConfig(db_path=":memory:" if options.selftest else str(db))
        embedded = EmbeddedSandbox(config, paths.data_dir(), ctx.set_sandbox)
        stack.push_async_callback(embedded.aclose)
        ctx.embedded_sandbox = embedded
        await embedded.start(use_tls=ctx.settings.sandbox_tls and not options.selftest)
    except Exception as exc:  # the app stays useful without the sandbox
        if options.selftest:
            raise
        log.exception("the embedded sandbox could not start")
        ctx.status_message.emit(f"The embedded sandbox could not start: {exc}")


async def _run(
    window: MainWindow, ctx: AppContext, options: Options, quit_requested: asyncio.Event
) -> int:
    if options.selftest:
        from tokenlab.gui.selftest import run_selftest

        return await run_selftest(window, ctx)
    if options.screenshot_dir is not None:
        from tokenlab.gui.selftest import take_screenshots

        await take_screenshots(window, ctx, options.screenshot_dir)
        return 0
    await quit_requested.wait()
    return 0
