"""The left column of the Live tab: the connection list with its presets menu, the per-connection
action buttons, and the editor / channel panel tabs for the selected connection.

It emits what the user asked for (``preset_chosen``, ``demo_requested``) and exposes its buttons;
the Live tab decides what each does.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.gui import theme
from tokenlab.gui.live.channel_panel import ChannelPanel
from tokenlab.gui.live.connection_editor import ConnectionEditor
from tokenlab.gui.live.connections import PRESET_TIPS, PRESETS, ConnectionListModel
from tokenlab.gui.widgets.common import MenuToolButton

CUSTOM = "Custom connection"
VISIBLE_ROWS = 5
EMPTY_HINT = (
    "No connections yet. <b>Start demo</b> adds Alice (a clientId token) and Bob (a wildcard "
    "token) and connects them; or add a preset and press Connect."
)


def _button(parent: QWidget, text: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    return button


class ConnectionsPanel(QWidget):
    preset_chosen = Signal(str)  # a PRESETS name or CUSTOM
    demo_requested = Signal()

    def __init__(
        self, model: ConnectionListModel, channel: ChannelPanel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.list = QListView(self)
        self.add = MenuToolButton("Add", "", QMenu(self), self)
        self.demo = _button(self, "Start demo", "Add Alice and Bob and connect them")
        self.hint = QLabel(EMPTY_HINT, self)
        self.connect_button = _button(self, "&Connect", "Connect with the settings below")
        self.disconnect_button = _button(self, "&Disconnect", "Close the connection (CLOSE)")
        self.authorize = _button(self, "Au&thorize…", "authorize() with a new capability or TTL")
        self.drop = _button(self, "Drop network", "Abort the socket: the client resumes")
        self.revoke = _button(self, "Re&voke", "Revoke this clientId's tokens (revokeTokens)")
        self.remove = _button(self, "Remove", "Close and remove this connection")
        self.export_ndjson = _button(self, "Export NDJSON…", "Every event, secrets redacted")
        self.export_report = _button(self, "Export report…", "A redacted Markdown report")
        self.editor = ConnectionEditor(self)
        self.channel = channel
        self.tabs = QTabWidget(self)
        self.status = QLabel(self)
        self._build()

    def _build(self) -> None:
        header = QHBoxLayout()
        title = QLabel("<b>Connections</b>", self)
        header.addWidget(title, 1)
        header.addWidget(self.demo)
        header.addWidget(self.add)
        self._build_add_menu()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Connections")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        line = self.list.fontMetrics().height()
        self.list.setIconSize(QSize(line * 3 // 4, line * 3 // 4))
        row = line + theme.spacing(self.list) // 2
        self.list.setFixedHeight(row * VISIBLE_ROWS + 2 * self.list.frameWidth())
        self.hint.setWordWrap(True)
        actions = QGridLayout()
        buttons = (self.connect_button, self.disconnect_button, self.authorize, self.drop,
                   self.revoke, self.remove)  # fmt: skip
        for i, button in enumerate(buttons):
            actions.addWidget(button, i // 2, i % 2)
        self.tabs.addTab(self._scrolled(self.editor), "Settings")
        self.tabs.addTab(self._scrolled(self.channel), "Channel")
        self.tabs.setAccessibleName("Connection settings and channel")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Live action result")
        exports = QHBoxLayout()
        exports.addWidget(self.export_ndjson)
        exports.addWidget(self.export_report)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.hint)
        layout.addWidget(self.list)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addLayout(exports)
        self.model.rowsInserted.connect(self._on_model_rows_changed)
        self.model.rowsRemoved.connect(self._on_model_rows_changed)
        self._on_model_rows_changed()

    def _scrolled(self, widget: QWidget) -> QScrollArea:
        """Vertical scrolling when the window is short or the font large; never clipped."""
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return scroll

    def _build_add_menu(self) -> None:
        self.add.setAccessibleName("Add a connection")
        self.add.setToolTip("Add a preset or a custom connection")
        menu = self.add.menu()
        for name in (*PRESETS, CUSTOM):
            action = menu.addAction(name)
            action.setToolTip(PRESET_TIPS.get(name, "Start from empty settings"))
            action.triggered.connect(lambda _=False, n=name: self.preset_chosen.emit(n))
        menu.setToolTipsVisible(True)
        self.demo.clicked.connect(self.demo_requested)

    def current_row(self) -> int:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.list.selectionModel().setCurrentIndex(index, flags)

    def show_status(self, text: str, severity: str = "info") -> None:
        self.status.setStyleSheet(f"color: {theme.severity_colour(severity).name()}")
        self.status.setText(text)

    def _on_model_rows_changed(self, *_args: object) -> None:
        empty = self.model.rowCount() == 0
        self.hint.setVisible(empty)
        self.demo.setVisible(empty)
