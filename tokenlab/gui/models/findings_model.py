"""A table of findings (``core.findings.Finding``): severity icon, message, fix, codes.

One visual language for severity across the app: the icon and colour come from ``theme``. The
tooltip of a row names the Ably error code with its one-line meaning and help link.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from tokenlab.core.findings import Finding
from tokenlab.gui import theme
from tokenlab.gui.models.base import RowTableModel

COLUMNS = ("Severity", "Finding", "Fix", "Ably code")
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # the Finding itself, for delegates
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}


def _code_text(finding: Finding) -> str:
    return str(finding.ably_code) if finding.ably_code else "none"


def tooltip(finding: Finding) -> str:
    lines = [finding.message]
    if finding.fix:
        lines.append(f"Fix: {finding.fix}")
    if finding.ably_text:
        lines.append(finding.ably_text)
    if finding.href:
        lines.append(finding.href)
    lines.append(f"tokenlab check: {finding.code}")
    return "\n".join(lines)


class FindingsModel(RowTableModel[Finding]):
    columns = COLUMNS

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self._rows

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.reset_rows(findings)

    def row_data(self, finding: Finding, column: int, role: int) -> Any:
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
