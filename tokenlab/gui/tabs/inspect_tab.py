"""The Inspect tab: paste anything, see what it is, what Ably will let it do and what is wrong.

Decoding runs as you type (a 120 ms single-shot debounce) through ``core.inspector.inspect``,
which never raises. Small inputs are inspected on the spot (it takes well under a millisecond);
very large ones go through the TaskRunner on a worker thread so typing never stalls. The
details (``InspectDetails``) are built on the first non-empty input, so the window opens fast.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core import samples
from tokenlab.core.errors import UserError
from tokenlab.core.settings import Settings
from tokenlab.gui.context import AppContext
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.gui.widgets.common import FeedbackLabel, MenuToolButton, copy_button, tool_button
from tokenlab.gui.widgets.empty_state import EmptyState, SampleAction
from tokenlab.gui.widgets.files import read_text_file
from tokenlab.gui.widgets.token_editor import TokenEditor, ranges_from_report

if TYPE_CHECKING:
    from tokenlab.core.report import InspectionReport
    from tokenlab.gui.widgets.inspect_details import InspectDetails

DEBOUNCE_MS = 120
TICK_MS = 1000
REINSPECT_TICKS = 5  # re-run the inspector every 5 s so "expired" findings appear on time
THREAD_THRESHOLD = 64 * 1024
EMPTY_TEXT = (
    "Paste a token anywhere in this window (Ctrl+V), type it above, or drop a file. "
    "tokenlab reads <b>Ably JWTs</b>, <b>Ably tokens</b>, <b>TokenRequests</b>, "
    "<b>TokenDetails</b>, JWTs with an embedded token, whole <code>Authorization:</code> "
    "headers and URLs, and tells you when you pasted an <b>API key</b> instead. "
    "Nothing leaves your machine. Or start with an example:"
)


class InspectTab(TabPage):
    tab_id = "inspect"
    title = "Inspect"
    report_changed = Signal(object)  # InspectionReport

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.report: InspectionReport | None = None
        self._view: InspectDetails | None = None
        self._ticks = 0
        self.editor = TokenEditor(
            placeholder="Paste a token, TokenRequest, TokenDetails, Authorization header, "
            "URL or API key…"
        )
        self.editor.setAccessibleName("Token to inspect")
        self.feedback = FeedbackLabel("File feedback")
        self._build_layout()
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.decode_now)
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._connect()
        self._apply_settings(ctx.settings)

    # construction ------------------------------------------------------------------------------

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        paste = tool_button("Paste", "paste")
        paste.clicked.connect(self.editor.paste)
        open_file = tool_button("Open file…", "open")
        open_file.clicked.connect(self.open_file_dialog)
        menu = QMenu(self)
        for sample in samples.SAMPLES:
            menu.addAction(sample.title, partial(self.load_sample, sample.id))
        sample_button = MenuToolButton("Samples", "sample", menu)
        self.inner_button = tool_button("Open inner token", "send")
        self.inner_button.clicked.connect(self._open_inner)
        self.inner_button.hide()
        clear = tool_button("Clear", "")
        clear.clicked.connect(self.editor.clear)
        for widget in (paste, open_file, sample_button, self.inner_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(copy_button(self.copy_text_or_empty, "token"))
        row.addWidget(clear)
        return row

    def _build_layout(self) -> None:
        self.empty = EmptyState(
            "Paste anything to inspect it",
            EMPTY_TEXT,
            [
                SampleAction(s.title, s.description, partial(self.load_sample, s.id))
                for s in samples.SAMPLES
            ],
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.editor)
        top_layout.addLayout(self._toolbar())
        top_layout.addWidget(self.feedback)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(top)
        outer.addWidget(self.stack)
        outer.setStretchFactor(1, 1)
        outer.setSizes([self.editor.fontMetrics().lineSpacing() * 8, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(outer)

    @property
    def view(self) -> InspectDetails:
        """The report details (built on first use)."""
        if self._view is None:
            from tokenlab.gui.widgets.inspect_details import InspectDetails

            self._view = InspectDetails(self.ctx.now_ms, self._inspect_text)
            self._view.apply_settings(self.ctx.settings)
            self._view.set_key_choices(self.ctx.key_choices())
            self.stack.addWidget(self._view)
        return self._view

    def _connect(self) -> None:
        self.editor.text_edited.connect(self._on_editor_edited)
        self.editor.file_rejected.connect(self._on_file_rejected)
        self.ctx.token_sent_to_inspect.connect(self.set_text)
        self.ctx.settings_changed.connect(self._apply_settings)
        self.ctx.key_choices_changed.connect(self._on_keys_changed)

    # behaviour ---------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Replace the input and decode it at once (pastes, samples, other tabs)."""
        self.editor.set_text(text)
        self._debounce.stop()
        self.decode_now()

    def load_sample(self, sample_id: str) -> None:
        self.set_text(self._sample(sample_id))

    def accept_paste(self, text: str) -> bool:
        self.set_text(text)
        return True

    def copy_text(self) -> str | None:
        report = self.report
        if report is not None and report.token and report.kind.value != "api_key":
            return report.token
        return self.editor.text() or None

    def copy_text_or_empty(self) -> str:
        return self.copy_text() or ""

    def _inspect_text(self, text: str) -> InspectionReport:
        from tokenlab.core.inspector import inspect  # first use: keeps start-up fast

        capabilities = {c.key_name: c.capability for c in self.ctx.key_choices() if c.capability}
        # the embedded sandbox describes the opaque tokens it issued
        lookup = getattr(self.ctx.sandbox, "describe_token", None)
        return inspect(
            text,
            now_ms=self.ctx.now_ms(),
            known_keys=self.ctx.known_keys(),
            key_capabilities=capabilities,
            lookup=lookup,
        )

    def decode_now(self) -> None:
        text = self.editor.text()
        self.ctx.runner.cancel("decode", owner=self)
        if not text.strip() and self.report is None:
            return  # nothing typed yet: the empty state teaches
        if len(text) < THREAD_THRESHOLD:
            self.show_report(self._inspect_text(text))
            return
        import asyncio

        self.ctx.runner.submit(
            lambda: asyncio.to_thread(self._inspect_text, text),
            on_ok=self.show_report,
            owner=self,
            key="decode",
            label="Inspecting…",
        )

    def show_report(self, report: InspectionReport) -> None:
        self.report = report
        self._ticks = 0
        self.feedback.clear_message()
        self.editor.set_ranges(ranges_from_report(report))
        if report.kind.value == "empty":
            self.stack.setCurrentWidget(self.empty)
        else:
            self.view.show_report(report)
            self.stack.setCurrentWidget(self.view)
        self.inner_button.setVisible(report.inner is not None and bool(report.inner.token))
        self.report_changed.emit(report)

    def _open_inner(self) -> None:
        if self.report is not None and self.report.inner is not None and self.report.inner.token:
            self.set_text(self.report.inner.token)

    def open_file_dialog(self) -> None:
        dialog = QFileDialog(self, "Open a token file")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.open_file)
        dialog.open()

    def open_file(self, path: str) -> None:
        try:
            self.set_text(read_text_file(Path(path)))
        except UserError as exc:
            self.feedback.show_error(exc)

    def _on_editor_edited(self, _text: str) -> None:
        self._debounce.start()

    def _on_file_rejected(self, message: str) -> None:
        self.feedback.show_message(message, "error")

    def _apply_settings(self, settings: Settings) -> None:
        self.editor.set_masked(settings.mask_secrets)
        if self._view is not None:
            self._view.apply_settings(settings)

    def _on_keys_changed(self) -> None:
        if self._view is not None:
            self._view.set_key_choices(self.ctx.key_choices())
        if self.report is not None:
            self.decode_now()

    def _on_tick(self) -> None:
        if self.report is None or not self.report.times or not self.isVisible():
            return
        self._ticks += 1
        if self._ticks >= REINSPECT_TICKS:
            self.decode_now()
        elif self._view is not None:
            self._view.refresh_times(self.report)

    # TabPage -----------------------------------------------------------------------------------

    def screenshot_states(self) -> list[tuple[str, Callable[[], None]]]:
        def show(sample_id: str | None, detail: int = 0, other: str = "") -> Callable[[], None]:
            def prepare() -> None:
                if sample_id is None:
                    self.set_text("")
                    return
                if self.editor.text().strip() != self._sample(sample_id):
                    self.load_sample(sample_id)
                self.view.tabs.setCurrentIndex(detail)
                self.view.matrix.channel.setText("chat:lobby")
                self.view.diff.other.set_text(self._sample(other) if other else "")

            return prepare

        return [
            ("empty", show(None)),
            ("claims", show("ably-jwt", 0)),
            ("json", show("ably-jwt", 1)),
            ("capability", show("ably-jwt", 2)),
            ("verify", show("ably-jwt", 3)),
            ("diff", show("ably-jwt", 4, "expired-token")),
            ("expired", show("expired-token", 0)),
            ("api-key", show("api-key", 0)),
            ("ms-exp", lambda: self.set_text(self._mistake("ms-exp"))),
            ("typo-claim", lambda: self.set_text(self._mistake("typo-claim"))),
            ("token-request", show("token-request", 1)),
            ("embedded", show("embedded-jwt", 0)),
        ]

    def _mistake(self, mistake: str) -> str:
        return samples.mistake_text(mistake, now_ms=self.ctx.now_ms())

    def _sample(self, sample_id: str) -> str:
        return samples.sample_text(sample_id, now_ms=self.ctx.now_ms()).strip()

    def shutdown(self) -> None:
        self._tick.stop()
        self._debounce.stop()


TAB = TabSpec("inspect", "Inspect", InspectTab, "Decode and check any token")
