"""InspectDetails: everything the Inspect tab shows about a report, below the token editor.

The banner (what it is, the verdict, the lifetime), the detail tabs (claims table, JSON tree,
capability matrix, verify, diff) and the side panel (findings, identity). The Inspect tab builds
it on the first non-empty input, so the window opens without importing the inspector.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.can import CanAnswer, can
from tokenlab.core.findings import Finding
from tokenlab.core.report import InspectionReport
from tokenlab.core.settings import Settings
from tokenlab.gui.context import KeyChoice
from tokenlab.gui.models.claims_model import ClaimsModel
from tokenlab.gui.widgets.capability_matrix import CapabilityMatrix
from tokenlab.gui.widgets.diff_pane import DiffPane
from tokenlab.gui.widgets.findings_view import FindingsView
from tokenlab.gui.widgets.identity_panel import IdentityPanel
from tokenlab.gui.widgets.json_tree import JsonTree
from tokenlab.gui.widgets.report_banner import ReportBanner
from tokenlab.gui.widgets.verify_pane import VerifyPane

DETAIL_TABS = ("Claims", "JSON", "Capability", "Verify", "Diff")


def all_findings(report: InspectionReport) -> list[Finding]:
    """The report's findings, then the inner token's (prefixed so they can be told apart)."""
    found = list(report.findings)
    if report.inner is not None:
        found += [replace(f, message=f"Inner token: {f.message}") for f in report.inner.findings]
    return found


def json_document(report: InspectionReport) -> object:
    if report.json_text:
        try:
            return json.loads(report.json_text)
        except ValueError:
            return {"text": report.json_text}
    return {}


class InspectDetails(QWidget):
    def __init__(
        self,
        now_ms: Callable[[], int],
        inspect_other: Callable[[str], InspectionReport],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now_ms = now_ms
        self.banner = ReportBanner()
        self.claims = ClaimsModel(now_ms, self)
        self.claims_view = QTableView()
        self.claims_view.setModel(self.claims)
        self.claims_view.setAccessibleName("Header and claims")
        self.claims_view.verticalHeader().hide()
        # rows follow their wrapped text as columns resize (a handful of rows: cheap)
        self.claims_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.claims_view.setWordWrap(True)
        header = self.claims_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setMaximumSectionSize(
            self.fontMetrics().averageCharWidth() * 40
        )  # Meaning keeps room
        self.no_claims = QLabel(
            "This input has no header or claims to show (an API key or an opaque Ably token "
            "carries its meaning on the server). See the findings and the identity.",
            wordWrap=True,
        )
        self.no_claims.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.claims_page = QStackedWidget()
        self.claims_page.addWidget(self.claims_view)
        self.claims_page.addWidget(self.no_claims)
        self.json_tree = JsonTree(name="Decoded JSON")
        self.matrix = CapabilityMatrix()
        self.verify = VerifyPane()
        self.diff = DiffPane(inspect_other)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Inspection details")
        for widget, title in zip(
            (self.claims_page, self.json_tree, self.matrix, self.verify, self.diff),
            DETAIL_TABS,
            strict=True,
        ):
            self.tabs.addTab(widget, title)
        self.findings = FindingsView()
        self.identity = IdentityPanel()
        self._layout()

    def _layout(self) -> None:
        side = QWidget()
        self.side_layout = QVBoxLayout(side)
        self.side_layout.setContentsMargins(0, 0, 0, 0)
        self.side_layout.addWidget(self.findings, 1)
        self.side_layout.addWidget(self.identity, 0)
        self.side_layout.addStretch(0)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)

    def show_report(self, report: InspectionReport) -> None:
        self.banner.set_report(report, self._now_ms())
        self.claims.set_fields(report.header, report.claims, report.times)
        has_fields = bool(report.header or report.claims)
        self.claims_page.setCurrentWidget(self.claims_view if has_fields else self.no_claims)
        self.json_tree.set_document(json_document(report))
        self._show_capability(report)
        found = all_findings(report)
        self.findings.set_findings(found)
        # with no findings the list hides: let the identity panel sit under the summary
        self.side_layout.setStretch(0, 1 if found else 0)
        self.side_layout.setStretch(2, 0 if found else 1)
        self.identity.set_identity(report.identity)
        self.verify.set_report(report)
        self.diff.set_current(report)

    def _show_capability(self, report: InspectionReport) -> None:
        view = report.capability
        if view is None:
            self.matrix.set_capability(None, source="This input carries no capability.")
            return
        source = f"From {view.source}."
        if view.effective is not None:
            source += " Shown: the effective capability (intersected with the key)."
        if view.parsed is None and view.raw:
            source += " It could not be parsed (see the findings)."

        def answerer(operation: str, channel: str) -> CanAnswer:
            return can(report, operation, channel, now_ms=self._now_ms())

        self.matrix.set_capability(view.best, source=source, answerer=answerer)

    def refresh_times(self, report: InspectionReport) -> None:
        self.claims.refresh_times()
        self.banner.refresh_times(report, self._now_ms())

    def apply_settings(self, settings: Settings) -> None:
        self.claims.set_time_format(settings.time_format)
        self.json_tree.set_masked(settings.mask_secrets)
        self.claims.set_masked(settings.mask_secrets)

    def set_key_choices(self, choices: list[KeyChoice]) -> None:
        self.verify.set_key_choices(choices)
