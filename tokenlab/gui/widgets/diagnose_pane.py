"""DiagnosePane: paste a TokenRequest Ably rejected and learn why.

``core.diagnose.diagnose_token_request`` checks the timestamp window, nonce, ttl units and
limits, capability and clientId, and, with the key, the MAC: when it does not verify it finds
which common mistake reproduces the MAC that was sent and shows the bytes that were signed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from tokenlab.core import findings as fnd
from tokenlab.core.diagnose import (
    Diagnosis,
    diagnose_token_request,
    parse_request,
    request_findings,
)
from tokenlab.core.verdict import verdict_of_findings
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.widgets.common import heading
from tokenlab.gui.widgets.findings_view import FindingsView
from tokenlab.gui.widgets.key_picker import KeyPicker
from tokenlab.gui.widgets.sign_text_view import SignTextView
from tokenlab.gui.widgets.token_editor import TokenEditor

DEBOUNCE_MS = 150


class DiagnosePane(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.diagnosis: Diagnosis | None = None
        self._auto_selected = ""
        self.input = TokenEditor(placeholder="Paste the TokenRequest JSON that Ably rejected…")
        self.input.setAccessibleName("TokenRequest to diagnose")
        self.keys = KeyPicker(ctx)
        self.verdict = QLabel(wordWrap=True)
        self.verdict.setAccessibleName("Diagnosis")
        self.findings = FindingsView(title="Diagnosis findings")
        self.signed = SignTextView()
        self.mac = QLabel(wordWrap=True)
        self.mac.setAccessibleName("MAC comparison")
        self.mac.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run)
        self.input.text_edited.connect(lambda _t: self._debounce.start())
        self.keys.key_changed.connect(self.run)
        ctx.mask_secrets_changed.connect(self._on_mask_changed)
        self.run()

    def _layout(self) -> None:
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.input, 1)
        top_layout.addWidget(QLabel("Key it was signed with (to check the MAC):"))
        top_layout.addWidget(self.keys)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.verdict)
        bottom_layout.addWidget(self.findings, 2)
        bottom_layout.addWidget(heading("What was signed"))
        bottom_layout.addWidget(self.signed, 1)
        bottom_layout.addWidget(self.mac)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(1, 3)
        split.setSizes([200, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _on_mask_changed(self, _masked: bool) -> None:
        self.run()

    def set_text(self, text: str) -> None:
        self.input.set_text(text)
        self._debounce.stop()
        self.run()

    def run(self) -> None:
        text = self.input.text()
        if not text.strip():
            self.diagnosis = None
            self._show_empty()
            return
        self._select_named_key(text)
        choice = self.keys.current()
        now = self.ctx.now_ms()
        if choice is None or choice.key is None:
            request, found = parse_request(text)
            if request is not None:
                found += request_findings(request, now)
            note = fnd.info("diagnose.no_key", "Choose the key to check the MAC as well.")
            self.diagnosis = None
            self._show([*found, note], request.sign_text() if request else None)
            return
        self.diagnosis = diagnose_token_request(text, choice.key, now_ms=now)
        self._show(list(self.diagnosis.findings), self.diagnosis.sign_text)
        self._show_mac(self.diagnosis)

    def _select_named_key(self, text: str) -> None:
        """Pick the key the request names, when tokenlab holds it (once per pasted text)."""
        request, _found = parse_request(text)
        if request is not None and request.key_name != self._auto_selected:
            self._auto_selected = request.key_name
            self.keys.blockSignals(True)
            self.keys.select(request.key_name)
            self.keys.blockSignals(False)

    def _show_empty(self) -> None:
        self.verdict.setText(
            "Paste a TokenRequest (JSON as your auth server returned it) to check it the way "
            "Ably does: timestamp window, nonce, ttl units, capability, clientId and the MAC."
        )
        theme.set_text_colour(self.verdict, None)
        self.findings.clear()
        self.signed.set_sign_text("")
        self.mac.clear()

    def _show(self, found: list[fnd.Finding], sign_text: str | None) -> None:
        self.findings.set_findings(fnd.sort_findings(found))
        result = verdict_of_findings(found, what="this TokenRequest")
        self.verdict.setText(result.sentence)
        theme.set_text_colour(self.verdict, theme.severity_colour(result.severity), bold=True)
        self.signed.set_sign_text(sign_text or "")
        self.mac.clear()

    def _show_mac(self, diagnosis: Diagnosis) -> None:
        masked = self.ctx.mask_secrets
        sent = diagnosis.request.mac if diagnosis.request else None
        lines = [
            f"MAC sent: {theme.mask(sent or '(none)', masked)}",
            f"MAC expected for these fields: {theme.mask(diagnosis.expected_mac or '', masked)}",
        ]
        if diagnosis.matched is not None:
            lines.append(f"The MAC that was sent matches: {diagnosis.matched.description}")
        self.mac.setText("\n".join(lines))
