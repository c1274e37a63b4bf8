"""A table of findings (``core.findings.Finding``): severity icon, message, fix, codes.

One visual language for severity across the app: the icon and colour come from ``theme``. The
tooltip of a row names the Ably error code with its one-line meaning and help link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from tokenlab.core.findings import Finding
from tokenlab.gui import theme

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invalid index: default parent (never mutated)
COLUMNS = ("Severity", "Finding", "Fix", "Code")
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # the Finding itself, for delegates
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}


def _code_text(finding: Finding) -> str:
    return f"{finding.code} · {finding.ably_code}" if finding.ably_code else finding.code


def tooltip(finding: Finding) -> str:
    lines = [finding.message]
    if finding.fix:
        lines.append(f"Fix: {finding.fix}")
    if finding.ably_summary:
        lines.append(f"Ably error {finding.ably_summary}")
    if finding.href:
        lines.append(finding.href)
    return "\n".join(lines)


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._findings: tuple[Finding, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self._findings

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.beginResetModel()
        self._findings = tuple(findings)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._findings):
            return None
        finding = self._findings[index.row()]
        column = index.column()
        severity = finding.severity.value
        if role == FINDING_ROLE:
            return finding
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                SEVERITY_LABELS.get(severity, severity),
                finding.message,
                finding.fix or "",
                _code_text(finding),
            )[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return theme.severity_icon(severity)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return theme.severity_colour(severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(finding)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{SEVERITY_LABELS.get(severity, severity)}: {finding.message}"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None
