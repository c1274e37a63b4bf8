"""The Live event log view: a filter bar, a fast table over ``EventFilterProxy`` and the
details pane that explains the selected event.

The table never sizes rows or columns to their contents (that would touch every row): row
height comes from the font, column widths from font metrics, and the Summary column stretches.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tokenlab.gui import theme
from tokenlab.gui.live.details import EMPTY_DETAILS, details_html
from tokenlab.gui.live.log_model import (
    COL_CODE,
    COL_CONN,
    COL_KIND,
    COL_SEQ,
    COL_SUMMARY,
    COL_TIME,
    ENTRY_ROLE,
    EventFilterProxy,
    EventLogModel,
)
from tokenlab.gui.live.log_store import LogEntry, Severity
from tokenlab.gui.widgets.fitting import ElidingComboBox
from tokenlab.realtime.kinds import GROUPS

ALL_CONNECTIONS = "All connections"
KIND_GROUPS: dict[str, frozenset[str] | None] = {"All kinds": None, **GROUPS}
LEVELS: dict[str, Severity] = {
    "All levels": Severity.INFO,
    "Warnings and errors": Severity.WARNING,
    "Errors only": Severity.ERROR,
}
COLUMN_CHARS = {COL_SEQ: 5, COL_TIME: 12, COL_CONN: 9, COL_KIND: 9, COL_CODE: 5}


def _combo(parent: QWidget, items: list[str], name: str) -> QComboBox:
    combo = ElidingComboBox(parent)
    combo.addItems(items)
    combo.setAccessibleName(name)
    combo.set_base_tip(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


class EventLogPanel(QWidget):
    """Filter bar + table. Emits ``entry_selected`` with the LogEntry (or None)."""

    entry_selected = Signal(object)

    def __init__(self, model: EventLogModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = EventFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.search = QLineEdit(self)
        self.connection = _combo(self, [ALL_CONNECTIONS], "Filter by connection")
        self.kind = _combo(self, list(KIND_GROUPS), "Filter by kind")
        self.level = _combo(self, list(LEVELS), "Filter by severity")
        self.follow = QCheckBox("Follow", self)
        self.count = QLabel(self)
        self.table = QTableView(self)
        self._debounce = QTimer(self)
        self._build()

    def _build(self) -> None:
        self.search.setPlaceholderText("Filter: text, error code, channel…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter events by text")
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("M") * 8)
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the newest event in view")
        self.count.setAccessibleName("Event count")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 1)
        for widget in (self.connection, self.kind, self.level):
            bar.addWidget(widget)
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.count, 1)
        footer.addWidget(self.follow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        self._setup_table()
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.connection.currentTextChanged.connect(self._on_connection_text_changed)
        self.kind.currentTextChanged.connect(self._on_kind_text_changed)
        self.level.currentTextChanged.connect(self._on_level_text_changed)
        self.proxy.rowsInserted.connect(self._on_proxy_rows_inserted)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self._update_count()

    def _setup_table(self) -> None:
        table = self.table
        self.proxy.setSourceModel(None)
        table.setModel(self.model)  # unfiltered: see _show_filtered
        table.setAccessibleName("Event log")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + theme.spacing(table) // 2)
        self._widths = self._font_widths()
        self._apply_widths()
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.clicked.connect(self._on_table_clicked)

    def _apply_widths(self) -> None:
        """Fixed columns keep their (user-chosen) widths; Summary takes the spare width.
        Called again after every model swap, which resets a header's sections. In a narrow
        table (a large presenter font) the "#" column steps aside for the Summary."""
        header = self.table.horizontalHeader()
        fixed = sum(self._widths.values())
        self.table.setColumnHidden(COL_SEQ, fixed > self.table.viewport().width() * 0.6)
        header.blockSignals(True)
        header.setStretchLastSection(False)
        for column in range(COL_SUMMARY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, self._widths[column])
        header.setSectionResizeMode(COL_SUMMARY, QHeaderView.ResizeMode.Stretch)
        header.blockSignals(False)

    def _remember_widths(self) -> None:
        """Keep the widths the user dragged to, before a model swap or a re-layout resets
        them (read when needed: a header signal can fire while the view is destroyed)."""
        header = self.table.horizontalHeader()
        for column in self._widths:
            width = header.sectionSize(column)
            if width > 0 and not self.table.isColumnHidden(column):
                self._widths[column] = width

    def _font_widths(self) -> dict[int, int]:
        char = self.fontMetrics().horizontalAdvance("0")  # the table's font is this one
        return {c: char * n + theme.spacing(self) for c, n in COLUMN_CHARS.items()}

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._remember_widths()
        self._apply_widths()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the presenter's larger font
            self._widths = self._font_widths()
            self._apply_widths()

    def _show_filtered(self) -> None:
        """Show the proxy only while a filter is set. Unfiltered, the table shows the log model
        itself and the proxy is detached: a proxy calls the Python ``filterAcceptsRow`` for
        every inserted row, which costs more than the rest of an insert (bench_live.py)."""
        filtered = not self.proxy.accepts_all
        shown = self.proxy if filtered else self.model
        if self.table.model() is shown:
            return
        selected = self._selected_source_row()
        self._remember_widths()
        self.proxy.setSourceModel(self.model if filtered else None)
        self.table.setModel(shown)
        self._apply_widths()
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        if selected is not None:
            index = self.model.index(selected, 0)
            index = self.proxy.mapFromSource(index) if filtered else index
            if index.isValid():
                self.table.selectRow(index.row())
        if not self.table.selectionModel().hasSelection():
            self.entry_selected.emit(None)

    def _selected_source_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0]
        return self.proxy.mapToSource(index).row() if index.model() is self.proxy else index.row()

    # -- API
    def set_connections(self, names: list[str]) -> None:
        current = self.connection.currentText()
        self.connection.blockSignals(True)
        self.connection.clear()
        self.connection.addItems([ALL_CONNECTIONS, *names])
        index = self.connection.findText(current)
        self.connection.setCurrentIndex(max(index, 0))
        self.connection.blockSignals(False)
        if index < 0 and current != ALL_CONNECTIONS:
            self.proxy.set_connections(None)
            self._show_filtered()

    def show_connection(self, name: str | None) -> None:
        self.connection.setCurrentText(name or ALL_CONNECTIONS)

    def selected_entry(self) -> LogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        entry = rows[0].data(ENTRY_ROLE)
        return entry if isinstance(entry, LogEntry) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def select_seq(self, seq: int) -> None:
        """Select the event numbered ``seq`` (a clicked timeline marker); filters that hide
        it are cleared first."""
        row = self.model.row_of_seq(seq)
        if row < 0:
            return
        index = self.model.index(row, 0)
        if self.table.model() is self.proxy and not self.proxy.mapFromSource(index).isValid():
            self.clear_filters()
        if self.table.model() is self.proxy:
            index = self.proxy.mapFromSource(index)
        self.follow.setChecked(False)  # reading an event: keep it in view
        self.table.selectRow(index.row())
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def clear_filters(self) -> None:
        self.search.clear()
        self._debounce.stop()
        self.proxy.set_text("")
        for combo in (self.connection, self.kind, self.level):
            combo.setCurrentIndex(0)
        self._show_filtered()

    # -- slots
    def _on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self.proxy.set_text(self.search.text())
        self._show_filtered()
        self._update_count()

    def _on_connection_text_changed(self, text: str) -> None:
        self.proxy.set_connections(None if text in ("", ALL_CONNECTIONS) else [text])
        self._show_filtered()
        self._update_count()

    def _on_kind_text_changed(self, text: str) -> None:
        self.proxy.set_kinds(KIND_GROUPS.get(text))
        self._show_filtered()
        self._update_count()

    def _on_level_text_changed(self, text: str) -> None:
        self.proxy.set_min_severity(LEVELS.get(text, Severity.INFO))
        self._show_filtered()
        self._update_count()

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self.table.model() is self.model:
            self._on_rows_shown()

    def _on_proxy_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        self._on_rows_shown()

    def _on_rows_shown(self) -> None:
        self._update_count()
        if self.follow.isChecked():
            self.table.scrollToBottom()

    def _on_table_clicked(self, _index: QModelIndex) -> None:
        self.follow.setChecked(False)  # reading an event: keep it in view

    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self.entry_selected.emit(self.selected_entry())

    def _update_count(self, *_args: object) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount() if self.table.model() is self.proxy else total
        text = f"{total:,} events" if shown == total else f"{shown:,} of {total:,} events"
        self.count.setText(text)


class DetailsPane(QTextBrowser):
    """Explains one event; re-renders when the mask-secrets toggle changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entry: LogEntry | None = None
        self._masked = False
        self.setOpenExternalLinks(True)
        self.setAccessibleName("Event details")
        self.setHtml(EMPTY_DETAILS)

    @property
    def entry(self) -> LogEntry | None:
        return self._entry

    def show_entry(self, entry: LogEntry | None) -> None:
        self._entry = entry
        self._render()

    def set_masked(self, masked: bool) -> None:
        self._masked = masked
        self._render()

    def _render(self) -> None:
        if self._entry is None:
            self.setHtml(EMPTY_DETAILS)
        else:
            palette = self.palette()
            highlight = (
                palette.highlight().color().name(),
                palette.highlightedText().color().name(),
            )
            self.setHtml(details_html(self._entry, masked=self._masked, highlight=highlight))
