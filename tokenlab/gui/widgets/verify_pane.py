"""VerifyPane: check a signature or MAC with a known key, a typed secret, or a PEM / JWK.

Ably JWTs and TokenRequests are signed with the UTF-8 bytes of the key secret; general JWTs may
use a base64 secret or a public key. The inspector already verifies with every key the app
knows (shown as "Automatic"); this pane verifies with what the user types, through
``core.verify`` (the same code as ``tokenlab verify``). It keeps only presentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.report import InspectionReport, SignatureStatus, TokenKind
from tokenlab.gui import theme
from tokenlab.gui.context import KeyChoice
from tokenlab.gui.widgets.common import heading

if TYPE_CHECKING:
    from tokenlab.core.keys import ApiKey
    from tokenlab.core.verify import Verification

JWT_KINDS = frozenset({TokenKind.ABLY_JWT, TokenKind.JWT, TokenKind.EMBEDDED_JWT})
SECRET, PEM = "secret", "pem"


@dataclass(frozen=True)
class Verdict:
    severity: str  # ok / error / info / warning
    message: str


AUTO_SEVERITY = {
    SignatureStatus.VALID: "ok",
    SignatureStatus.INVALID: "error",
    SignatureStatus.NO_MATCHING_KEY: "info",
    SignatureStatus.NOT_CHECKED: "info",
    SignatureStatus.NOT_APPLICABLE: "info",
}


def _verdict(result: Verification) -> Verdict:
    return Verdict(result.severity, result.sentence)


def _token_text(report: InspectionReport) -> str | None:
    """What the core verifier takes: the JWT, or the TokenRequest JSON (None: nothing signed)."""
    if report.kind == TokenKind.TOKEN_REQUEST:
        return report.json_text or report.token
    if report.kind in JWT_KINDS and report.token:
        return report.token
    return None


def verify_with_secret(report: InspectionReport, secret: str, *, base64: bool) -> Verdict:
    """Verify the report's token with a typed secret; never raises."""
    if not secret:
        return Verdict("info", "Type the key secret (the part after ':') to verify.")
    text = _token_text(report)
    if text is None:
        return Verdict("info", f"There is no signature to verify in {report.kind.title}.")
    from tokenlab.core.verify import verify_with_secret as verify

    return _verdict(verify(text, secret, base64=base64))


def verify_with_key(report: InspectionReport, key: ApiKey) -> Verdict:
    """With a key tokenlab knows: Ably's rules (UTF-8 secret; a JWT's kid must name the key),
    exactly as ``tokenlab verify --key``."""
    text = _token_text(report)
    if text is None:
        return Verdict("info", f"There is no signature to verify in {report.kind.title}.")
    from tokenlab.core.verify import verify_ably_jwt, verify_token_request

    if report.kind == TokenKind.TOKEN_REQUEST:
        return _verdict(verify_token_request(text, key.secret))
    return _verdict(verify_ably_jwt(text, key))


def verify_with_pem(report: InspectionReport, text: str) -> Verdict:
    if not text.strip():
        return Verdict("info", "Paste a PEM public key / certificate, or a JWK.")
    token = _token_text(report)
    if token is None or report.kind == TokenKind.TOKEN_REQUEST:
        return Verdict("info", f"There is no signature to verify in {report.kind.title}.")
    from tokenlab.core.verify import verify_with_key_text

    return _verdict(verify_with_key_text(token, text))


class VerifyPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: InspectionReport | None = None
        self._choices: list[KeyChoice] = []
        self.automatic = QLabel(wordWrap=True)
        self.automatic.setAccessibleName("Automatic verification")
        self.source = QComboBox()
        self.source.setAccessibleName("Verification key")
        self.secret = QLineEdit(placeholderText="key secret (after the ':')")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName("Secret")
        self.utf8 = QRadioButton("UTF-8 text (Ably)")
        self.base64 = QRadioButton("base64")
        self.utf8.setChecked(True)
        encoding = QButtonGroup(self)
        encoding.addButton(self.utf8)
        encoding.addButton(self.base64)
        self.pem = QPlainTextEdit(placeholderText="-----BEGIN PUBLIC KEY----- … or a JWK {…}")
        self.pem.setAccessibleName("PEM or JWK")
        self.result = QLabel(wordWrap=True)
        self.result.setAccessibleName("Verification result")
        self._layout()
        for signal in (self.secret.textChanged, self.utf8.toggled, self.pem.textChanged):
            signal.connect(self.update_result)
        self.source.currentIndexChanged.connect(self._on_source_changed)
        self.set_key_choices([])

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.utf8)
        row.addWidget(self.base64)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow("Verify with", self.source)
        form.addRow("Secret", self.secret)
        form.addRow("Secret encoding", row)
        form.addRow("PEM / JWK", self.pem)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Automatic (keys tokenlab knows)"))
        layout.addWidget(self.automatic)
        layout.addWidget(heading("Verify with your key"))
        layout.addLayout(form)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def set_key_choices(self, choices: list[KeyChoice]) -> None:
        self._choices = [c for c in choices if c.key is not None]
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("A secret I type", SECRET)
        self.source.addItem("A PEM public key or JWK", PEM)
        for choice in self._choices:
            self.source.addItem(choice.label, choice.key_name)
        self.source.blockSignals(False)
        self._on_source_changed()

    def set_report(self, report: InspectionReport | None) -> None:
        self._report = report
        if report is None:
            self.automatic.setText("")
        else:
            check = report.signature
            text = check.message or check.status.value.replace("_", " ")
            self.automatic.setText(text)
            colour = theme.severity_colour(AUTO_SEVERITY.get(check.status, "info"))
            theme.set_text_colour(self.automatic, colour)
        self.update_result()

    def _on_source_changed(self) -> None:
        mode = self.source.currentData()
        self.secret.setEnabled(mode == SECRET)
        self.utf8.setEnabled(mode == SECRET)
        self.base64.setEnabled(mode == SECRET)
        self.pem.setEnabled(mode == PEM)
        self.update_result()

    def verdict(self) -> Verdict:
        report = self._report
        if report is None:
            return Verdict("info", "Inspect a token first.")
        mode = self.source.currentData()
        if mode == SECRET:
            return verify_with_secret(report, self.secret.text(), base64=self.base64.isChecked())
        if mode == PEM:
            return verify_with_pem(report, self.pem.toPlainText())
        choice = next((c for c in self._choices if c.key_name == mode), None)
        if choice is None or choice.key is None:
            return Verdict("info", "That key's secret is not available.")
        return verify_with_key(report, choice.key)

    def update_result(self) -> None:
        verdict = self.verdict()
        self.result.setText(verdict.message)
        theme.set_text_colour(self.result, theme.severity_colour(verdict.severity))
