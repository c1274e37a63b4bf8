"""``LessonTreeModel``: lessons grouped by theme (two levels), with each lesson's progress.

Top-level rows are themes in the order their first lesson appears; their children are the
lessons. Column 0 is the title, column 1 the progress ("done" / "not started"). Progress
comes from the settings (a set of done lesson ids) and is refreshed with ``set_done``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from tokenlab.gui import theme
from tokenlab.gui.models.base import ROOT, Index, header_label
from tokenlab.lessons.model import Lesson

LessonRole = Qt.ItemDataRole.UserRole + 1
NO_THEME = 0  # internalId of a theme row; a lesson row carries its theme's row + 1


class LessonTreeModel(QAbstractItemModel):
    columns = ("Lesson", "Progress")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._themes: list[str] = []
        self._lessons: list[list[Lesson]] = []
        self._done: frozenset[str] = frozenset()

    def set_lessons(self, lessons: Sequence[Lesson], done: Iterable[str] = ()) -> None:
        self.beginResetModel()
        self._themes, self._lessons = [], []
        for lesson in lessons:
            if lesson.theme not in self._themes:
                self._themes.append(lesson.theme)
                self._lessons.append([])
            self._lessons[self._themes.index(lesson.theme)].append(lesson)
        self._done = frozenset(done)
        self.endResetModel()

    def set_done(self, done: Iterable[str]) -> None:
        self._done = frozenset(done)
        for row in range(len(self._themes)):
            parent = self.index(row, 0)
            last = len(self._lessons[row]) - 1
            if last >= 0:
                self.dataChanged.emit(self.index(0, 1, parent), self.index(last, 1, parent))

    def lesson_at(self, index: Index) -> Lesson | None:
        if not index.isValid() or index.internalId() == NO_THEME:
            return None
        lessons = self._lessons[index.internalId() - 1]
        return lessons[index.row()] if 0 <= index.row() < len(lessons) else None

    def index_of(self, lesson_id: str) -> QModelIndex:
        for t, lessons in enumerate(self._lessons):
            for row, lesson in enumerate(lessons):
                if lesson.id == lesson_id:
                    return self.index(row, 0, self.index(t, 0))
        return QModelIndex()

    # Qt model API ------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, NO_THEME)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == NO_THEME:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, NO_THEME)

    def rowCount(self, parent: Index = ROOT) -> int:
        if not parent.isValid():
            return len(self._themes)
        if parent.internalId() == NO_THEME and parent.column() == 0:
            return len(self._lessons[parent.row()])
        return 0

    def columnCount(self, parent: Index = ROOT) -> int:
        return len(self.columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == NO_THEME:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == NO_THEME:
            return self._theme_data(index, role)
        lesson = self.lesson_at(index)
        if lesson is None:
            return None
        done = lesson.id in self._done
        if role == LessonRole:
            return lesson
        if role == Qt.ItemDataRole.DisplayRole:
            return lesson.title if index.column() == 0 else ("done" if done else "not started")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{lesson.id}: {', '.join(lesson.concepts)}"
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 1 and done:
            return theme.severity_icon("ok")
        return None

    def _theme_data(self, index: Index, role: int) -> Any:
        if index.column() != 0 or not 0 <= index.row() < len(self._themes):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._themes[index.row()]
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_label(self.columns, section, orientation, role)
