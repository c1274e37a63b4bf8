"""DiffPane: paste a second token and see what differs from the one being inspected."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.report import InspectionReport
from tokenlab.gui.models.diff_model import DiffModel
from tokenlab.gui.widgets.token_editor import TokenEditor, ranges_from_report


class DiffPane(QWidget):
    def __init__(
        self, inspect_other: Callable[[str], InspectionReport], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._inspect_other = inspect_other
        self._current: InspectionReport | None = None
        self.other = TokenEditor(
            placeholder="Paste another token here to compare (e.g. a renewal)."
        )
        self.other.setAccessibleName("Token to compare")
        self.other.setMaximumHeight(self.other.fontMetrics().lineSpacing() * 5)
        self.summary = QLabel(wordWrap=True)
        self.summary.setAccessibleName("Diff summary")
        self.model = DiffModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Differences")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.other)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.other.text_edited.connect(lambda _text: self.refresh())
        self.refresh()

    def set_current(self, report: InspectionReport | None) -> None:
        self._current = report
        self.refresh()

    def refresh(self) -> None:
        text = self.other.text()
        if self._current is None or not text.strip():
            self.model.set_changes(())
            self.summary.setText("Paste a second token above to list what changed.")
            return
        other = self._inspect_other(text)
        self.other.set_ranges(ranges_from_report(other))
        from tokenlab.core.tokendiff import diff_reports  # first use: keeps start-up fast

        changes = diff_reports(self._current, other)
        self.model.set_changes(changes)
        if not changes:
            self.summary.setText("No differences in kind, header or claims.")
        else:
            self.summary.setText(f"{len(changes)} difference(s) from this token to the other.")
