"""ReportBanner: one glance at an inspection: what it is, whether Ably would take it, when it ends.

Times read the way people think ("expires in 4 min"); the exact UTC and local times are on hover.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from tokenlab.core import timefmt
from tokenlab.core.report import InspectionReport
from tokenlab.gui import theme

EXPIRY_NAMES = ("exp", "expires")
ISSUED_NAMES = ("iat", "issued", "timestamp")


def expiry_text(report: InspectionReport, now_ms: int) -> tuple[str, str]:
    """("expires in 4 min · lifetime 1 h", tooltip) for the report's times; ("", "") if none."""
    parts: list[str] = []
    tips: list[str] = []
    for info in report.times:
        if info.name in EXPIRY_NAMES:
            verb = "expires" if info.epoch_ms > now_ms else "expired"
            parts.append(f"{verb} {timefmt.relative(info.epoch_ms, now_ms)}")
            tips.append(f"{info.label}: {timefmt.iso_utc(info.epoch_ms)} / {info.local}")
        elif info.name in ISSUED_NAMES:
            tips.append(f"{info.label}: {timefmt.iso_utc(info.epoch_ms)} / {info.local}")
    if report.lifetime_ms is not None:
        parts.append(f"lifetime {timefmt.duration(report.lifetime_ms)}")
    return " · ".join(parts), "\n".join(tips)


def verdict(report: InspectionReport) -> tuple[str, str]:
    """(severity, sentence): the report's one verdict, as the CLI and --json show it."""
    result = report.verdict
    return result.severity, result.sentence


class ReportBanner(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setAccessibleName("Overall result")
        self.title = QLabel(textFormat=Qt.TextFormat.RichText)
        self.title.setAccessibleName("What this is")
        self.verdict = QLabel(wordWrap=True)  # long verdicts wrap, never widen the window
        self.verdict.setAccessibleName("Verdict")
        self.times = QLabel()
        self.times.setAccessibleName("Lifetime")
        self.notes = QLabel(wordWrap=True)
        for label in (self.title, self.verdict, self.times):
            label.setWordWrap(True)  # presenter font in a narrow pane: wrap, never cut
        self.notes.setAccessibleName("How the input was read")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.icon, 0, 0, 2, 1)
        grid.addWidget(self.title, 0, 1)
        grid.addWidget(self.verdict, 1, 1)
        grid.addWidget(self.times, 0, 2)
        grid.addWidget(self.notes, 1, 2)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)

    def set_report(self, report: InspectionReport | None, now_ms: int) -> None:
        if report is None:
            for label in (self.title, self.verdict, self.times, self.notes):
                label.clear()
            self.icon.clear()
            return
        severity, sentence = verdict(report)
        size = theme.small_icon_size(self).height() * 2
        self.icon.setPixmap(theme.severity_icon(severity).pixmap(size, size))
        # relative HTML sizes follow the app font (the presenter toggle); a fixed one would not
        self.title.setText(f"<b><big>{html.escape(report.summary)}</big></b>")
        self.title.setToolTip(f"Kind: {report.kind.value.replace('_', ' ')}")
        self.verdict.setText(sentence)
        theme.set_text_colour(self.verdict, theme.severity_colour(severity))
        self.notes.setText(" ".join(report.notes))
        theme.set_text_colour(self.notes, theme.muted_colour())
        self.refresh_times(report, now_ms)

    def refresh_times(self, report: InspectionReport, now_ms: int) -> None:
        text, tip = expiry_text(report, now_ms)
        self.times.setText(text)
        self.times.setToolTip(tip)
