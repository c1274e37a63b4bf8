"""The Live tab's channel panel: attach, publish (optionally as an explicit clientId) and enter
presence on the selected connection, and the messages it received with their clientIds.

It only emits requests (``attach_requested``...); the Live tab runs them through the runner and
reports the outcome back with ``show_result``, so clientId stamping and denials are visible.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui import theme
from tokenlab.gui.live.messages import ChannelMessagesModel


def _button(parent: QWidget, text: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", ""))
    return button


class ChannelPanel(QWidget):
    attach_requested = Signal(str)  # channel
    detach_requested = Signal(str)
    publish_requested = Signal(str, str, str, object)  # channel, name, data, clientId | None
    presence_requested = Signal(str, str)  # channel, "enter" | "leave"

    def __init__(self, model: ChannelMessagesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.channel = QLineEdit("chat", self)
        self.message_name = QLineEdit("greeting", self)
        self.message_data = QLineEdit("hello", self)
        self.as_client_id = QLineEdit(self)
        self.attach = _button(self, "&Attach", "ATTACH the channel (needs subscribe capability)")
        self.detach = _button(self, "Detach", "DETACH the channel")
        self.publish = _button(self, "&Publish", "Publish one message and wait for its ACK/NACK")
        self.enter = _button(self, "Enter", "Enter presence: needs a clientId of your own")
        self.leave = _button(self, "Leave", "Leave the presence set")
        self.result = QLabel(self)
        self.messages = QListView(self)
        self._build()

    def _build(self) -> None:
        for edit, name in (
            (self.channel, "Channel name"),
            (self.message_name, "Message name"),
            (self.message_data, "Message data"),
            (self.as_client_id, "Publish as clientId"),
        ):
            edit.setAccessibleName(name)
        self.as_client_id.setPlaceholderText("empty: let the server stamp it")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Channel", self.channel)
        form.addRow("Name", self.message_name)
        form.addRow("Data", self.message_data)
        form.addRow("As clientId", self.as_client_id)
        buttons = QGridLayout()
        buttons.addWidget(self.attach, 0, 0)
        buttons.addWidget(self.detach, 0, 1)
        buttons.addWidget(self.publish, 1, 0, 1, 2)
        buttons.addWidget(self.enter, 2, 0)
        buttons.addWidget(self.leave, 2, 1)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Channel action result")
        self.messages.setModel(self.model)
        self.messages.setAccessibleName("Messages and presence received")
        self.messages.setUniformItemSizes(True)
        self.messages.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        received = QLabel("Received (with the clientId the server stamped):", self)
        received.setWordWrap(True)
        layout.addWidget(received)
        layout.addWidget(self.messages, 1)
        self.attach.clicked.connect(self._on_attach_clicked)
        self.detach.clicked.connect(self._on_detach_clicked)
        self.publish.clicked.connect(self._on_publish_clicked)
        self.enter.clicked.connect(self._on_enter_clicked)
        self.leave.clicked.connect(self._on_leave_clicked)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)

    def set_enabled_for(self, connection: str | None) -> None:
        for widget in (self.attach, self.detach, self.publish, self.enter, self.leave):
            widget.setEnabled(connection is not None)
        if connection is None:
            self.show_result("Select a connection to use its channels.", None)

    def show_result(self, text: str, error: UserError | None) -> None:
        if error is not None:
            code = f"{error.ably_code} " if error.ably_code is not None else ""
            text = f"{text}: {code}{error.message}"
            colour = theme.severity_colour("error").name()
        else:
            colour = theme.severity_colour("ok").name()
        self.result.setStyleSheet(f"color: {colour}")
        self.result.setText(text)

    # -- slots
    def _name(self) -> str:
        return self.channel.text().strip() or "chat"

    def _on_attach_clicked(self) -> None:
        self.attach_requested.emit(self._name())

    def _on_detach_clicked(self) -> None:
        self.detach_requested.emit(self._name())

    def _on_publish_clicked(self) -> None:
        client_id = self.as_client_id.text().strip() or None
        self.publish_requested.emit(
            self._name(), self.message_name.text(), self.message_data.text(), client_id
        )

    def _on_enter_clicked(self) -> None:
        self.presence_requested.emit(self._name(), "enter")

    def _on_leave_clicked(self) -> None:
        self.presence_requested.emit(self._name(), "leave")

    def _on_model_rows_inserted(self, *_args: object) -> None:
        self.messages.scrollToBottom()
