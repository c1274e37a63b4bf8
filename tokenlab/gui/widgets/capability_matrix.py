"""CapabilityMatrix: the resource × operation table plus "can it do OPERATION on CHANNEL?".

The question is answered with the same matching rules Ably uses (``Capability.allows``) and
names the resource pattern that grants it, or says which Ably error the client would get.
"""

from __future__ import annotations

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

from tokenlab.core.capability import OPERATIONS, Capability
from tokenlab.core.errors import describe_ably_code
from tokenlab.gui import theme
from tokenlab.gui.models.capability_model import CapabilityMatrixModel


def answer(capability: Capability | None, operation: str, channel: str) -> tuple[str, str]:
    """(severity, sentence) answering "can it do operation on channel?"."""
    if not channel:
        return "info", "Type a channel name to check."
    if capability is None:
        return "info", "This input carries no capability to check."
    pattern = capability.allows(channel, operation)
    if pattern is not None:
        via = "" if pattern == channel else f" (granted by {pattern!r})"
        return "ok", f"Yes: {operation} on {channel!r} is allowed{via}."
    return "error", (
        f"No: {operation} on {channel!r} is not allowed; Ably would answer "
        f"{describe_ably_code(40160)}."
    )


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
        self._update_answer()

    def set_capability(
        self,
        capability: Capability | None,
        *,
        source: str = "",
        requested: Capability | None = None,
    ) -> None:
        self._capability = capability
        self.model.set_capability(capability, requested)
        self.source.setText(source)
        self.source.setVisible(bool(source))
        lines = capability.explain() if capability is not None else []
        self.explanation.setText("\n".join(lines))
        self.explanation.setVisible(bool(lines))
        self._update_answer()

    def _update_answer(self) -> None:
        severity, text = answer(
            self._capability, self.operation.currentText(), self.channel.text().strip()
        )
        self.result.setText(text)
        theme.set_text_colour(self.result, theme.severity_colour(severity))
