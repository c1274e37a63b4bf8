"""CapabilityMatrix: the resource × operation table plus "can it do OPERATION on CHANNEL?".

The question is answered with the same matching rules Ably uses (``Capability.allows``) and
names the resource pattern that grants it, or says which Ably error the client would get.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.can import CanAnswer, can_capability
from tokenlab.core.capability import OPERATIONS, Capability
from tokenlab.gui import theme
from tokenlab.gui.models.capability_model import CapabilityMatrixModel

Answerer = Callable[[str, str], CanAnswer]  # (operation, channel) -> the answer


def answer(capability: Capability | None, operation: str, channel: str) -> tuple[str, str]:
    """(severity, sentence) answering "can it do operation on channel?" from a capability."""
    result = can_capability(capability, operation, channel)
    return result.severity, result.sentence


class CapabilityMatrix(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CapabilityMatrixModel(self)
        self.source = QLabel(wordWrap=True)
        self.source.setAccessibleName("Capability source")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Capability matrix")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(
            self.fontMetrics().horizontalAdvance("push-s") + 2 * theme.spacing(self)
        )
        self.explanation = QLabel(wordWrap=True)
        self.explanation.setAccessibleName("Capability in words")
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.operation = QComboBox()
        self.operation.addItems(OPERATIONS)
        self.operation.setAccessibleName("Operation to check")
        self.channel = QLineEdit(placeholderText="channel name, e.g. chat:lobby")
        self.channel.setAccessibleName("Channel to check")
        self.result = QLabel(wordWrap=True)
        self.result.setAccessibleName("Capability check result")
        self.operation.currentTextChanged.connect(self._update_answer)
        self.channel.textChanged.connect(self._update_answer)
        question = QHBoxLayout()
        question.addWidget(QLabel("Can it"))
        question.addWidget(self.operation)
        question.addWidget(QLabel("on"))
        question.addWidget(self.channel, 1)
        question.addWidget(QLabel("?"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.explanation)
        layout.addLayout(question)
        layout.addWidget(self.result)
        self._capability: Capability | None = None
        self._answerer: Answerer | None = None
        self._update_answer()

    def set_capability(
        self,
        capability: Capability | None,
        *,
        source: str = "",
        requested: Capability | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        """``answerer`` answers for a whole token (expiry, signature), not the capability alone."""
        self._capability = capability
        self._answerer = answerer
        self.model.set_capability(capability, requested)
        self.source.setText(source)
        self.source.setVisible(bool(source))
        lines = capability.explain() if capability is not None else []
        self.explanation.setText("\n".join(lines))
        self.explanation.setVisible(bool(lines))
        self._update_answer()

    def _update_answer(self) -> None:
        operation, channel = self.operation.currentText(), self.channel.text().strip()
        if self._answerer is not None and channel:
            result = self._answerer(operation, channel)
            severity, text = result.severity, result.sentence
        else:
            severity, text = answer(self._capability, operation, channel)
        self.result.setText(text)
        theme.set_text_colour(self.result, theme.severity_colour(severity))
