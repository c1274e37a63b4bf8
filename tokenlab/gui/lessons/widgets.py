"""The Lessons tab's widgets: one step with its expectation ticks, the predict question, and
the "on your laptop" snippets. Plain widgets; they show what they are told and compute nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tokenlab.gui import theme
from tokenlab.gui.widgets.common import MonoText, heading
from tokenlab.lessons.model import Laptop, Predict, Step
from tokenlab.lessons.runner import Check, StepDone

PENDING, RUNNING, MET, FAILED = "○", "…", "✔", "✖"
STEP_TABS = {  # where a step's action happens in the app, for "Open tab"
    "connect": "live",
    "attach": "live",
    "publish": "live",
    "enter_presence": "live",
    "authorize": "live",
    "drop_network": "live",
    "revoke": "sandbox",
    "set_clock_skew": "sandbox",
    "set_reauth_lead": "sandbox",
    "mint": "jwt",
    "request_token": "token_request",
    "tamper": "inspect",
    "inspect": "inspect",
}


def _wrapping(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class StepView(QFrame):
    """A step: number, title, note, and one row per expectation that ticks when observed."""

    open_tab_requested = Signal(str)

    def __init__(self, number: int, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"lesson_step_{number}")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.status = QLabel(PENDING)
        self.title = heading(f"{number}. {step.title}")
        self.title.setWordWrap(True)
        top.addWidget(self.status)
        top.addWidget(self.title, 1)
        tab = STEP_TABS.get(step.action)
        if tab is not None:
            button = QToolButton()
            button.setText("Open tab")
            button.setToolTip(
                f"Show the {tab.replace('_', ' ')} tab, where this can be done by hand"
            )
            button.clicked.connect(lambda: self.open_tab_requested.emit(tab))
            top.addWidget(button)
        layout.addLayout(top)
        if step.note:
            layout.addWidget(_wrapping(step.note))
        self._rows: list[tuple[QLabel, QLabel]] = []
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, exp in enumerate(step.expectations):
            icon, text = QLabel(PENDING), _wrapping(exp.describe())
            grid.addWidget(icon, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(text, row, 1)
            self._rows.append((icon, text))
        layout.addLayout(grid)
        self.outcome = _wrapping("")
        self.outcome.hide()
        layout.addWidget(self.outcome)

    def reset(self) -> None:
        self._mark(self.status, PENDING, None)
        for (icon, text), exp in zip(self._rows, self.step.expectations, strict=True):
            self._mark(icon, PENDING, None)
            text.setText(exp.describe())
        self.outcome.hide()

    def set_running(self) -> None:
        self._mark(self.status, RUNNING, "info")

    def set_check(self, position: int, check: Check) -> None:
        icon, text = self._rows[position]
        self._mark(icon, MET if check.met else FAILED, "ok" if check.met else "error")
        base = check.expectation.describe()
        text.setText(base if check.met else f"{base}, but observed: {check.observed}")

    def set_done(self, done: StepDone) -> None:
        self._mark(self.status, MET if done.ok else FAILED, "ok" if done.ok else "error")
        if not done.ok and done.result.message:
            self.outcome.setText(f"The step reported: {done.result.message}")
            self.outcome.show()

    @property
    def ticks(self) -> list[str]:
        return [icon.text() for icon, _ in self._rows]

    @staticmethod
    def _mark(label: QLabel, symbol: str, severity: str | None) -> None:
        label.setText(symbol)
        theme.set_text_colour(
            label, theme.severity_colour(severity) if severity else None, bold=True
        )


class PredictView(QFrame):
    """The predict question: the room chooses, then the answer is revealed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._layout = QVBoxLayout(self)
        self.question = _wrapping("")
        self._layout.addWidget(heading("Predict"))
        self._layout.addWidget(self.question)
        self._choices = QVBoxLayout()
        self._layout.addLayout(self._choices)
        self.group = QButtonGroup(self)
        self.reveal = QPushButton("Reveal the answer")
        self.reveal.clicked.connect(self._on_reveal_clicked)
        self.answer = _wrapping("")
        row = QHBoxLayout()
        row.addWidget(self.reveal)
        row.addStretch(1)
        self._layout.addLayout(row)
        self._layout.addWidget(self.answer)
        self._predict: Predict | None = None

    def show_predict(self, predict: Predict) -> None:
        self._predict = predict
        self.question.setText(predict.question)
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.deleteLater()
        for i, choice in enumerate(predict.choices):
            button = QRadioButton(f"{chr(65 + i)}. {choice}")
            self.group.addButton(button, i)
            self._choices.addWidget(button)
        self.answer.clear()
        self.answer.hide()

    def _on_reveal_clicked(self) -> None:
        if self._predict is None:
            return
        p = self._predict
        chosen = self.group.checkedId()
        verdict = "" if chosen < 0 else ("Right! " if chosen == p.answer else "Not quite. ")
        self.answer.setText(
            f"{verdict}Answer: {chr(65 + p.answer)}. {p.choices[p.answer]}. {p.why}"
        )
        self.answer.show()


class LaptopView(QFrame):
    """The "on your laptop" exercise: ably-js and ably-python snippets, and what to expect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("On your laptop"))
        self.js, self.py = MonoText(read_only=True), MonoText(read_only=True)
        for label, box in (("ably-js", self.js), ("ably-python", self.py)):
            layout.addWidget(QLabel(label))
            box.setMaximumHeight(box.fontMetrics().lineSpacing() * 6)
            layout.addWidget(box)
        self.expected = _wrapping("")
        layout.addWidget(self.expected)

    def show_laptop(self, laptop: Laptop | None) -> None:
        self.setVisible(laptop is not None)
        if laptop is not None:
            self.js.setPlainText(laptop.ably_js.strip())
            self.py.setPlainText(laptop.ably_python.strip())
            self.expected.setText(f"You should see: {laptop.expected}" if laptop.expected else "")
