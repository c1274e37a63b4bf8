"""The Lessons tab: pick a lesson (grouped by theme), read it, predict, and run it step by step.

Lessons come from ``tokenlab.lessons`` (built-in, the user's lessons folder); a file that does
not load is listed under the tree with its error, never a crash. Steps run through the same
``LessonRun`` as ``tokenlab lesson run``, on the app's embedded sandbox and the app's one
connection manager (``ctx.connections``): the lesson's connections are listed in the Live tab,
and a step done by hand there (or anywhere) ticks as it is observed. This tab's timeline shows
only the lesson's connections. Progress (done / not started) is kept in the settings; "Reset
lesson" closes the lesson's connections and puts back the sandbox settings it changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from tokenlab.gui.context import AppContext
from tokenlab.gui.lessons.models import LessonTreeModel
from tokenlab.gui.lessons.widgets import LaptopView, PredictView, StepView
from tokenlab.gui.live.log_model import EventFeed, EventLogModel
from tokenlab.gui.live.timeline import TimelineWidget
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.lessons.env import LessonEnv
from tokenlab.lessons.loader import LessonSet, load_all
from tokenlab.lessons.model import CONCEPTS, Lesson
from tokenlab.lessons.runner import CheckDone, LessonRun, Progress, StepDone, StepStarted
from tokenlab.realtime import Event

EXPLANATION_SCALE = 1.3  # the explanation is read from the back of the room
TITLE_SCALE = 1.7


class ExplanationLabel(QLabel):
    """Large, wrapped text that follows the presenter font toggle (``refresh_font``)."""

    def __init__(self, scale: float = EXPLANATION_SCALE, *, bold: bool = False) -> None:
        super().__init__()
        self._scale, self._bold = scale, bold
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_font()

    def refresh_font(self) -> None:
        font = QApplication.font()
        font.setPointSizeF(font.pointSizeF() * self._scale)
        font.setBold(self._bold)
        self.setFont(font)


class LessonsTab(TabPage):
    tab_id = "lessons"
    title = "Lessons"

    def __init__(self, ctx: AppContext, lessons: LessonSet | None = None) -> None:
        super().__init__(ctx)
        self.lessons = lessons or load_all()
        self.model = LessonTreeModel(self)
        self.model.set_lessons(self.lessons.lessons, ctx.settings.lessons_done)
        self.run: LessonRun | None = None
        self.lesson: Lesson | None = None
        self.step_views: list[StepView] = []
        self._runs = 0  # "Run step"/"Run all" presses; a superseded run's end is not reported
        self._running = False  # no by-hand watch while the lesson runs its own steps
        self._build()
        self._unlisten = ctx.connections.events.add_listener(self._on_connection_event)
        ctx.settings_changed.connect(self._on_ctx_settings_changed)
        ctx.sandbox_changed.connect(self._on_ctx_sandbox_changed)
        first = self.lessons.lessons[0].id if self.lessons.lessons else None
        if first is not None:
            self.select(first)

    # construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_list())
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self._build_lesson())
        right.addWidget(self._build_timeline())
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([560, 200])
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([400, 880])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _build_list(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Lessons")
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.selectionModel().selectionChanged.connect(self._on_tree_selection_changed)
        layout.addWidget(self.tree)
        self.file_errors = QLabel("\n".join(f"✖ {e}" for e in self.lessons.errors))
        self.file_errors.setWordWrap(True)
        self.file_errors.setVisible(bool(self.lessons.errors))
        layout.addWidget(self.file_errors)
        return box

    def _build_lesson(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        page = QWidget()
        self._page_layout = QVBoxLayout(page)
        self.heading = ExplanationLabel(TITLE_SCALE, bold=True)
        self.concepts = QLabel()
        self.concepts.setWordWrap(True)
        self.explanation = ExplanationLabel()
        self.predict = PredictView()
        self._page_layout.addWidget(self.heading)
        self._page_layout.addWidget(self.concepts)
        self._page_layout.addWidget(self.explanation)
        self._page_layout.addWidget(self.predict)
        self._page_layout.addLayout(self._build_buttons())
        self._steps_layout = QVBoxLayout()
        self._page_layout.addLayout(self._steps_layout)
        self.laptop = LaptopView()
        self._page_layout.addWidget(self.laptop)
        self._page_layout.addStretch(1)
        scroll.setWidget(page)
        self.scroll_area = scroll
        return scroll

    def _build_timeline(self) -> QWidget:
        """The Live tab's timeline, showing this lesson's connections (states, tokens,
        renewals, errors) as the steps run."""
        self.log_model = EventLogModel(self)
        self.feed = EventFeed(self.log_model, self)
        self.timeline = TimelineWidget(self)
        self.timeline.setAccessibleName("Timeline of the lesson's connections")
        self.feed.entries_flushed.connect(self.timeline.ingest)
        return self.timeline

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.run_step_button = QPushButton("Run step")
        self.run_all_button = QPushButton("Run all")
        self.reset_button = QPushButton("Reset lesson")
        self.run_step_button.clicked.connect(self._on_run_step_clicked)
        self.run_all_button.clicked.connect(self._on_run_all_clicked)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.status = QLabel()
        for button in (self.run_step_button, self.run_all_button, self.reset_button):
            row.addWidget(button)
        row.addWidget(self.status, 1)
        return row

    # showing a lesson --------------------------------------------------------------------------

    def select(self, lesson_id: str) -> None:
        index = self.model.index_of(lesson_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _on_tree_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        indexes = selected.indexes()
        lesson = self.model.lesson_at(indexes[0]) if indexes else None
        if lesson is not None and lesson is not self.lesson:
            self._show_lesson(lesson)

    def _show_lesson(self, lesson: Lesson) -> None:
        self._drop_run()
        self.lesson = lesson
        self.heading.setText(lesson.title)
        names = ", ".join(f"{c} ({CONCEPTS[c]})" for c in lesson.concepts)
        self.concepts.setText(f"Concepts: {names}")
        paragraphs = [" ".join(p.split()) for p in lesson.explanation.split("\n\n")]
        self.explanation.setText("\n\n".join(paragraphs))
        self.predict.show_predict(lesson.predict)
        self.laptop.show_laptop(lesson.laptop)
        for view in self.step_views:
            view.deleteLater()
        self.step_views = []
        for number, step in enumerate(lesson.steps, 1):
            view = StepView(number, step)
            view.open_tab_requested.connect(
                lambda tab, i=number - 1: self._on_step_open_tab_requested(i, tab)
            )
            self._steps_layout.addWidget(view)
            self.step_views.append(view)
        self._update_status()
        self._start_watch()

    def _on_step_open_tab_requested(self, index: int, tab: str) -> None:
        """Show where the step happens: a token the step made opens in Inspect, a step on a
        connection opens the Live tab with that connection selected."""
        done = self.run.done.get(index) if self.run is not None else None
        token = done.result.token if done is not None else None
        connection = self.step_views[index].step.connection
        if token:
            self.ctx.send_to_inspect(token)
        elif tab == "live" and connection is not None:
            self.ctx.select_in_live(connection)
        else:
            self.ctx.show_tab_requested.emit(tab)

    def _on_connection_event(self, event: Event) -> None:
        """The timeline shows the lesson's connections, not the rest of the Live tab's."""
        lesson = self.lesson
        if lesson is not None and any(s.connection == event.connection for s in lesson.steps):
            self.feed.push(event)

    def _update_status(self, text: str | None = None) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        done = lesson.id in self.ctx.settings.lessons_done
        run = self.run
        next_index = run.next_index if run is not None else 0
        remaining = next_index < len(lesson.steps)
        self.run_step_button.setEnabled(remaining and self._env_problem() is None)
        self.run_all_button.setEnabled(remaining and self._env_problem() is None)
        self.status.setText(text or self._env_problem() or ("Done." if done else "Not started."))

    def _env_problem(self) -> str | None:
        from tokenlab.sandbox import Sandbox

        if not isinstance(self.ctx.sandbox, Sandbox):
            return "Lessons run on the embedded sandbox, which is not running."
        return None

    # running -----------------------------------------------------------------------------------

    def _env(self) -> LessonEnv:
        from tokenlab.sandbox import Sandbox

        assert isinstance(self.ctx.sandbox, Sandbox)
        return LessonEnv(self.ctx.sandbox, self.ctx.connections, self.ctx.http)

    def _current_run(self) -> LessonRun:
        if self.run is None:
            assert self.lesson is not None
            self.run = LessonRun(self.lesson, self._env())
        return self.run

    def _on_run_step_clicked(self) -> None:
        run = self._current_run()
        self._start(lambda: run.run_step(run.next_index))

    def _on_run_all_clicked(self) -> None:
        run = self._current_run()
        self._start(run.run_all)

    def _start(self, make: Callable[[], AsyncIterator[Progress]]) -> None:
        self.ctx.runner.cancel("watch", owner=self)
        self._runs += 1
        self._running, runs = True, self._runs
        self.run_step_button.setEnabled(False)
        self.run_all_button.setEnabled(False)
        self.status.setText("Running…")

        async def drive() -> None:
            async for item in make():
                self._on_progress(item)

        self.ctx.runner.submit(
            drive,
            on_ok=lambda _: self._on_run_finished(run=runs),
            owner=self,
            key="run",
            label="Lesson",
        )

    def _start_watch(self) -> None:
        """Tick the next step when the app observes it done by hand (a publish from the Live
        tab on the step's connection, a revocation from the Sandbox tab), whoever did it."""
        if self.lesson is None or self._env_problem() is not None or self._running:
            return
        run = self._current_run()
        index = run.next_index
        if not run.watchable(index) or any(not d.ok for d in run.done.values()):
            return

        async def drive() -> None:
            async for item in run.watch_step(index):
                self._on_progress(item)

        self.ctx.runner.submit(
            drive,
            on_ok=lambda _: self._on_run_finished(by_hand=True),
            owner=self,
            key="watch",
            track_busy=False,
        )

    def _on_progress(self, item: Progress) -> None:
        if not 0 <= item.index < len(self.step_views):
            return
        view = self.step_views[item.index]
        if isinstance(item, StepStarted):
            view.set_running()
            self.scroll_area.ensureWidgetVisible(view)
        elif isinstance(item, CheckDone):
            position = list(view.step.expectations).index(item.check.expectation)
            view.set_check(position, item.check)
        elif isinstance(item, StepDone):
            view.set_done(item)

    def _on_run_finished(self, *, by_hand: bool = False, run: int | None = None) -> None:
        if run is not None:
            if run != self._runs:
                return  # a newer run reports when it ends
            self._running = False
        self._report_finished(by_hand)

    def _report_finished(self, by_hand: bool) -> None:
        run, lesson = self.run, self.lesson
        if run is None or lesson is None:
            return
        failed = [d.index + 1 for d in run.done.values() if not d.ok]
        if run.ok:
            self._set_done(lesson.id, True)
            last = " (the last step done by hand)" if by_hand else ""
            self._update_status(f"Done: every expectation was observed{last}.")
        elif failed:
            self._update_status(f"Step {failed[0]} did not go as expected.")
        else:
            how = " by hand" if by_hand else ""
            self._update_status(f"Step {run.next_index} of {len(lesson.steps)} done{how}.")
            self._start_watch()

    def _set_done(self, lesson_id: str, done: bool) -> None:
        settings = self.ctx.settings.with_lesson_done(lesson_id, done)
        self.ctx.update_settings(lessons_done=settings.lessons_done)

    def _on_reset_clicked(self) -> None:
        if self.lesson is None:
            return
        self._drop_run()
        for view in self.step_views:
            view.reset()
        self._set_done(self.lesson.id, False)
        self._update_status("Reset: the lesson's connections are closed.")
        self._start_watch()

    def _drop_run(self) -> None:
        run, self.run = self.run, None
        self._runs += 1
        self._running = False
        self.log_model.clear()
        self.timeline.clear()
        self.ctx.runner.cancel("run", owner=self)
        self.ctx.runner.cancel("watch", owner=self)
        if run is not None:
            self.ctx.runner.submit(run.close, owner=self, key="reset", label="Resetting lesson")

    def _on_ctx_sandbox_changed(self) -> None:
        """The sandbox starts after the window (and restarts with TLS on or off)."""
        self._update_status()
        self._start_watch()

    def _on_ctx_settings_changed(self, _settings: object) -> None:
        self.model.set_done(self.ctx.settings.lessons_done)

    # TabPage -----------------------------------------------------------------------------------

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        return [("", lambda: None)]

    def shutdown(self) -> None:
        self.ctx.runner.cancel("watch", owner=self)
        self.ctx.runner.cancel("run", owner=self)
        self.timeline.stop()
        self._unlisten()

    async def aclose(self) -> None:
        self.shutdown()
        run, self.run = self.run, None
        if run is not None:
            await run.close()


TAB = TabSpec("lessons", "Lessons", LessonsTab, "Guided, runnable auth lessons")
