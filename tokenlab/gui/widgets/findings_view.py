"""FindingsView: the findings as readable cards (icon, message, fix, codes) and a count line.

A list of word-wrapped cards reads far better in a narrow side panel than a four-column table.
The cards are painted by ``FindingDelegate`` from ``FindingsModel`` (the same model tests
check with qtmodeltester); the full text is also in each row's tooltip and accessible text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.findings import Finding, worst
from tokenlab.gui import theme
from tokenlab.gui.models.findings_model import FINDING_ROLE, FindingsModel

Index = QModelIndex | QPersistentModelIndex


def count_text(findings: Sequence[Finding]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    if not counts:
        return "No findings."
    parts = []
    for severity in ("error", "warning", "info"):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {severity}{'' if n == 1 else 's'}")
    return ", ".join(parts)


def card_html(finding: Finding, palette: QPalette) -> str:
    muted = theme.muted_colour(palette).name()
    parts = [f"<b>{html.escape(finding.message)}</b>"]
    if finding.fix:
        parts.append(f"Fix: {html.escape(finding.fix)}")
    if finding.ably_text:
        parts.append(f'<span style="color:{muted}">{html.escape(finding.ably_text)}</span>')
    return "<br>".join(parts)


class FindingDelegate(QStyledItemDelegate):
    """Paints one finding as an icon plus wrapped rich text."""

    def _document(self, option: QStyleOptionViewItem, index: Index, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        finding = index.data(FINDING_ROLE)
        doc.setHtml(card_html(finding, option.palette) if isinstance(finding, Finding) else "")
        doc.setTextWidth(max(width, 50))
        return doc

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[int, int]:
        icon = theme.small_icon_size(option.widget if isinstance(option.widget, QWidget) else None)
        return icon.width(), max(4, option.fontMetrics.height() // 3)

    def _width(self, option: QStyleOptionViewItem) -> int:
        widget = option.widget
        if isinstance(widget, QListView):
            return widget.viewport().width()
        return option.rect.width()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        icon, pad = self._metrics(option)
        width = self._width(option)
        doc = self._document(option, index, width - icon - 3 * pad)
        return QSize(width, int(doc.size().height()) + 2 * pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        icon, pad = self._metrics(option)
        style = option.widget.style() if isinstance(option.widget, QWidget) else None
        if style is not None:
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, None)
        rect: QRect = option.rect
        finding = index.data(FINDING_ROLE)
        severity = finding.severity.value if isinstance(finding, Finding) else "info"
        theme.severity_icon(severity).paint(painter, rect.x() + pad, rect.y() + pad, icon, icon)
        doc = self._document(option, index, rect.width() - icon - 3 * pad)
        painter.save()
        painter.translate(rect.x() + icon + 2 * pad, rect.y() + pad)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette = option.palette
        doc.documentLayout().draw(painter, context)
        painter.restore()


class FindingsView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, title: str = "Findings") -> None:
        super().__init__(parent)
        self.model = FindingsModel(self)
        self.summary = QLabel()
        self.summary.setAccessibleName(f"{title} summary")
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName(title)
        self.list.setItemDelegate(FindingDelegate(self.list))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)  # takes the space while the list is hidden (no findings)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.model.findings

    def clear(self) -> None:
        """Nothing was checked: say nothing (an empty list is not "no findings")."""
        self.model.set_findings(())
        self.summary.clear()
        self.list.setVisible(False)

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.model.set_findings(findings)
        self.summary.setText(count_text(findings))
        severity = worst(findings)
        colour = theme.severity_colour(severity.value if severity else "ok")
        theme.set_text_colour(self.summary, colour, bold=True)
        self.list.setVisible(bool(findings))
