"""ErrorReporter: every unexpected exception ends up here, logged and shown without blocking.

Expected failures (``UserError``) are shown inline by the widget that caused them; anything else
is a bug. The reporter hooks ``sys.excepthook`` (exceptions raised in Qt slots land there), the
asyncio loop's exception handler (exceptions in callbacks and never-awaited tasks), and Qt's own
message handler (Qt warnings go to ``logging`` under the ``qt`` logger). It keeps every report so
``--selftest`` and tests can fail on them, and opens one non-modal details dialog
(``widgets.error_dialog``).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMessageLogContext, QObject, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    import asyncio

    from tokenlab.gui.widgets.error_dialog import ErrorDialog

log = logging.getLogger("tokenlab")
qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


@dataclass(frozen=True)
class ErrorReport:
    summary: str
    details: str


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Send a Qt log message to Python logging (qutebrowser's qtlog idea)."""
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s%s", message, where)


class ErrorReporter(QObject):
    """Collects unexpected errors; logs them and (when ``show_dialogs``) shows a dialog."""

    error_reported = Signal(object)  # ErrorReport

    def __init__(self, *, show_dialogs: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.show_dialogs = show_dialogs
        self.reports: list[ErrorReport] = []
        self.dialog_parent: Callable[[], QWidget | None] = lambda: None
        self._dialog: ErrorDialog | None = None
        self._old_excepthook: Callable[..., Any] | None = None

    def report(self, exc: BaseException, where: str = "") -> ErrorReport:
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        summary = f"{type(exc).__name__}: {exc}" + (f" (in {where})" if where else "")
        return self.report_text(summary, details)

    def report_text(self, summary: str, details: str) -> ErrorReport:
        report = ErrorReport(summary, details)
        self.reports.append(report)
        log.error("Unexpected error: %s\n%s", summary, details)
        self.error_reported.emit(report)
        if self.show_dialogs:
            if self._dialog is None:
                # imported with the first error: the dialog's widgets cost start-up time
                from tokenlab.gui.widgets.error_dialog import ErrorDialog

                self._dialog = ErrorDialog(self.dialog_parent())
            self._dialog.show_report(summary, details, len(self.reports))
        return report

    # hooks -----------------------------------------------------------------------------------

    def install(self) -> None:
        """Hook ``sys.excepthook`` and route Qt messages into logging."""
        self._old_excepthook = sys.excepthook
        sys.excepthook = self._excepthook
        qInstallMessageHandler(qt_message_handler)

    def uninstall(self) -> None:
        if self._old_excepthook is not None:
            sys.excepthook = self._old_excepthook
            self._old_excepthook = None
        qInstallMessageHandler(None)

    def install_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.set_exception_handler(self._loop_exception_handler)

    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            if self._old_excepthook is not None:
                self._old_excepthook(kind, exc, tb)
            return
        self.report(exc.with_traceback(tb))

    def _loop_exception_handler(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        exc = context.get("exception")
        message = str(context.get("message") or "Unhandled exception in the event loop")
        if isinstance(exc, BaseException):
            self.report(exc, message)
        else:
            extra = {k: v for k, v in context.items() if k != "message"}
            self.report_text(message, repr(extra))
