"""The JWT tab: mint Ably JWTs, JWTs with an embedded Ably token, and general JWTs.

Right: a builder form and the header and claims as editable JSON; every edit re-signs the token
live. Left: the encoded token (coloured like everywhere else), the inspector's verdict and the
signature check. Pasting a token into the encoded box decodes it into the editors and verifies it
with the current key, so decoding and verifying sit side by side with minting.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core import jws
from tokenlab.core.ably_jwt import b64url_encode, decode_jwt, hs256
from tokenlab.core.errors import TokenFormatError, UserError
from tokenlab.core.inspector import inspect
from tokenlab.core.report import InspectionReport
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.gui.widgets.common import FeedbackLabel, MonoText, copy_button, heading
from tokenlab.gui.widgets.findings_view import FindingsView
from tokenlab.gui.widgets.fitting import FormScrollArea
from tokenlab.gui.widgets.jwt_forms import AblyJwtForm, EmbeddedForm, GeneralForm
from tokenlab.gui.widgets.masking import MaskedText
from tokenlab.gui.widgets.report_banner import ReportBanner
from tokenlab.gui.widgets.token_editor import TokenEditor, ranges_from_report

TICK_MS = 1000
REINSPECT_TICKS = 5  # re-inspect every 5 s so "expired" findings appear on time
MODES = (
    ("ably", "Ably JWT"),
    ("embedded", "Your JWT with an embedded Ably JWT"),
    ("general", "General JWT (any algorithm)"),
)


def sign_hs256(header: dict[str, Any], claims: dict[str, Any], secret: str) -> str:
    """Compact JWS with exactly these JSON objects (key order kept), HMAC-SHA256 signed."""
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
    body = json.dumps(claims, separators=(",", ":"), ensure_ascii=False)
    signing_input = b64url_encode(head.encode()) + "." + b64url_encode(body.encode())
    return signing_input + "." + b64url_encode(hs256(secret, signing_input))


def _load_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UserError(f"The {what} is not valid JSON: {exc}.", code="jwt.json") from exc
    if not isinstance(value, dict):
        raise UserError(f"The {what} must be a JSON object.", code="jwt.json")
    return value


class JwtTab(TabPage):
    tab_id = "jwt"
    title = "JWT"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.token = ""
        self._updating = False
        self.mode = QComboBox()
        self.mode.setAccessibleName("JWT kind")
        for value, label in MODES:
            self.mode.addItem(label, value)
        self.ably = AblyJwtForm(ctx)
        self.embedded = EmbeddedForm()
        self.general = GeneralForm()
        self.header_edit = MaskedText()  # an embedded token sits here: masked like a secret
        self.header_edit.setAccessibleName("JWT header JSON")
        self.claims_edit = MonoText()
        self.claims_edit.setAccessibleName("JWT claims JSON")
        self.sign_feedback = FeedbackLabel("Signing feedback")
        self.form_note = FeedbackLabel("Form and JSON differences")
        self.encoded = TokenEditor(
            placeholder="The signed token appears here; paste one to decode."
        )
        self.encoded.setAccessibleName("Encoded JWT")
        self.banner = ReportBanner()
        self.signature = QLabel(wordWrap=True)
        self.signature.setAccessibleName("Signature check")
        self.findings = FindingsView()
        self.report: InspectionReport | None = None
        self._ticks = 0
        self._layout()
        self._connect()
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._on_mode_changed()

    # construction ------------------------------------------------------------------------------

    def _layout(self) -> None:
        forms = QWidget()
        forms_layout = QVBoxLayout(forms)
        for widget in (self.ably, self.embedded, self.general):
            forms_layout.addWidget(widget)
        forms_layout.addWidget(self.form_note)
        forms_layout.addWidget(heading("Header"))
        forms_layout.addWidget(self.header_edit, 1)
        forms_layout.addWidget(heading("Claims (payload)"))
        forms_layout.addWidget(self.claims_edit, 2)
        forms_layout.addWidget(self.sign_feedback)
        scroll = FormScrollArea()  # reflows instead of hiding the form's right edge
        scroll.setWidget(forms)
        left = QWidget()
        self.left_layout = left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(heading("Encoded (edit or paste to decode)"))
        left_layout.addWidget(self.encoded, 1)
        left_layout.addLayout(self._buttons())
        left_layout.addWidget(self.banner)
        left_layout.addWidget(self.signature)
        left_layout.addWidget(self.findings, 3)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(scroll)
        split.setSizes([620, 620])
        top = QHBoxLayout()
        top.addWidget(QLabel("Kind"))
        top.addWidget(self.mode)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def _buttons(self) -> QHBoxLayout:
        inspect_button = QPushButton(theme.icon("send"), "Open in Inspect")
        inspect_button.clicked.connect(self.open_in_inspect)
        live = QPushButton(theme.icon("live"), "Use in Live")
        live.setAccessibleName("Use in Live")
        live.clicked.connect(self.use_in_live)
        now = QPushButton(theme.icon("clock"), "iat = now")
        now.setToolTip("Re-issue with the current time")
        now.clicked.connect(self.rebuild)
        row = QHBoxLayout()
        row.addWidget(copy_button(lambda: self.token, "JWT"))
        for button in (inspect_button, live, now):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        for form in (self.ably, self.embedded, self.general):
            form.changed.connect(self.rebuild)
        self.header_edit.textChanged.connect(self._on_json_edited)
        self.claims_edit.textChanged.connect(self._on_json_edited)
        self.encoded.text_edited.connect(self._on_encoded_edited)
        for editor in (self.encoded, self.header_edit):
            self.ctx.mask_secrets_changed.connect(editor.set_masked)
            editor.set_masked(self.ctx.mask_secrets)

    # building and signing ----------------------------------------------------------------------

    def current_mode(self) -> str:
        return str(self.mode.currentData())

    def _on_mode_changed(self) -> None:
        mode = self.current_mode()
        self.ably.setVisible(mode in ("ably", "embedded"))
        self.embedded.setVisible(mode == "embedded")
        self.general.setVisible(mode == "general")
        self.rebuild()

    def rebuild(self) -> None:
        """Fill the header and claims from the form, then sign."""
        iat = self.ctx.now_ms() // 1000
        mode = self.current_mode()
        try:
            if mode == "ably":
                header, claims = self.ably.header(), self.ably.claims(iat)
            elif mode == "embedded":
                inner = self._inner_jwt(iat)
                header, claims = self.embedded.header_and_claims(inner, iat)
            else:
                header, claims = self.general.header_and_claims(iat)
        except UserError as exc:
            self.sign_feedback.show_error(exc)
            return
        self._updating = True
        self.header_edit.setPlainText(json.dumps(header, indent=2, ensure_ascii=False))
        self.claims_edit.setPlainText(json.dumps(claims, indent=2, ensure_ascii=False))
        self._updating = False
        self.form_note.clear_message()
        self.sign()

    def _inner_jwt(self, iat: int) -> str:
        secret = self.ably.secret()
        if secret is None:
            raise UserError("Choose a key whose secret is available for the inner Ably JWT.")
        return sign_hs256(self.ably.header(), self.ably.claims(iat), secret)

    def _on_json_edited(self) -> None:
        if not self._updating:
            self._sync_form()
            self.sign()

    def _sync_form(self) -> None:
        """Bring the current mode's form in line with the JSON as edited (stale fields would
        re-sign the old values at the next form change); name what the form cannot show."""
        try:
            header = _load_object(self.header_edit.toPlainText(), "header")
            claims = _load_object(self.claims_edit.toPlainText(), "claims")
        except UserError:
            return
        mode = self.current_mode()
        if mode == "ably":
            notes = self.ably.show_json(header, claims)
        elif mode == "embedded":
            inner, notes = self.embedded.show_json(header, claims)
            notes += self.ably.show_token(inner) if inner is not None else []
        else:
            notes = self.general.show_json(header, claims)
        if notes:
            self.form_note.show_message(" ".join(notes), "warning")
        else:
            self.form_note.clear_message()

    def sign(self) -> None:
        """Sign the header and claims as they are in the editors."""
        try:
            header = _load_object(self.header_edit.toPlainText(), "header")
            claims = _load_object(self.claims_edit.toPlainText(), "claims")
            token = self._sign(header, claims)
        except UserError as exc:
            self.sign_feedback.show_error(exc)
            self._show_unsigned()
            return
        self.sign_feedback.clear_message()
        self._updating = True
        self.encoded.set_text(token)
        self._updating = False
        self._analyse(token)

    def _sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        mode = self.current_mode()
        if mode == "general":
            key = self.general.jwt_key()
            algorithm = str(header.get("alg", "HS256"))
            extra = {k: v for k, v in header.items() if k not in ("alg", "typ")}
            minted = jws.mint_jwt(claims, key, algorithm=algorithm, headers=extra)
            if minted.key_warning:
                self.general.key_feedback.show_message(minted.key_warning, "warning")
            else:
                self.general.key_feedback.clear_message()
            return minted.token
        secret = self.embedded.outer_secret.text() if mode == "embedded" else self.ably.secret()
        if not secret:
            raise UserError("There is no secret to sign with: choose a key whose secret is known.")
        return sign_hs256(header, claims, secret)

    # decoding and verifying --------------------------------------------------------------------

    def _on_encoded_edited(self, text: str) -> None:
        if self._updating:
            return
        token = text.strip()
        try:
            decoded = decode_jwt(token)
        except TokenFormatError as exc:
            self.sign_feedback.show_error(exc)
            self._analyse(token)
            return
        self._updating = True
        self.header_edit.setPlainText(json.dumps(decoded.header, indent=2, ensure_ascii=False))
        self.claims_edit.setPlainText(json.dumps(decoded.claims, indent=2, ensure_ascii=False))
        self._updating = False
        self._sync_form()
        self.sign_feedback.clear_message()
        self._analyse(token)

    def _show_unsigned(self) -> None:
        """The JSON no longer signs: say so where the verdict was, rather than keep the verdict
        and expiry of a token the editors no longer describe (the reason is under the claims)."""
        self.report = None
        self.banner.set_report(None, self.ctx.now_ms())
        last = " The encoded token is the last one signed." if self.token else ""
        self.banner.verdict.setText(f"Not signed: see the message under the claims.{last}")
        theme.set_text_colour(self.banner.verdict, theme.severity_colour("error"))
        self.findings.set_findings([])
        self.signature.clear()

    def _on_tick(self) -> None:
        """Relative times tick ("expires in 59 min 58 s"); findings follow every few seconds."""
        if self.report is None or not self.report.times:
            return
        self._ticks += 1
        if self._ticks >= REINSPECT_TICKS:
            self._analyse(self.token)
        else:
            self.banner.refresh_times(self.report, self.ctx.now_ms())

    def _analyse(self, token: str) -> None:
        self.token = token
        self._ticks = 0
        report = inspect(token, now_ms=self.ctx.now_ms(), known_keys=self.ctx.known_keys())
        self.report = report
        self.encoded.set_ranges(ranges_from_report(report))
        self.banner.set_report(report, self.ctx.now_ms())
        self.findings.set_findings(report.findings)
        # no findings: give the room to the encoded token instead of an empty list
        self.left_layout.setStretch(5, 3 if report.findings else 0)
        severity, text = self.verify(token)
        self.signature.setText(text)
        theme.set_text_colour(self.signature, theme.severity_colour(severity))

    def verify(self, token: str) -> tuple[str, str]:
        """(severity, sentence): the token's signature checked with the current mode's key."""
        from tokenlab.core.verify import verify_general_jwt, verify_hs256_secret

        mode = self.current_mode()
        if mode == "general":
            try:
                key = self.general.jwt_key()
            except UserError as exc:
                return "info", f"Cannot verify: {exc.message}"
            result = verify_general_jwt(token, key)
            return result.severity, result.message
        if mode == "embedded":
            secret, whose = self.embedded.outer_secret.text(), "your outer secret"
        else:
            secret, whose = self.ably.secret() or "", "the selected key"
        if not secret:
            return "info", "No secret to verify with."
        choice = self.ably.keys.current()
        key_name = choice.key_name if mode == "ably" and choice else None
        result = verify_hs256_secret(token, secret, key_name=key_name, whose=whose)
        return result.severity, result.message

    def open_in_inspect(self) -> None:
        if self.token:
            self.ctx.send_to_inspect(self.token)

    def use_in_live(self) -> None:
        if not self.token:
            return
        choice = self.ably.keys.current()
        self.ctx.request_use_in_live(
            UseInLive(
                "token",
                self.token,
                f"{self.mode.currentText()} from the JWT tab",
                choice.rest_url if choice else None,
            )
        )

    # TabPage -----------------------------------------------------------------------------------

    def copy_text(self) -> str | None:
        return self.token or None

    def screenshot_states(self) -> list[tuple[str, Callable[[], None]]]:
        def mode(index: int) -> Callable[[], None]:
            return lambda: self.mode.setCurrentIndex(index)

        return [
            ("", mode(0)),
            ("embedded", mode(1)),
            ("embedded-edited", self._edit_claims_by_hand),
            ("general", mode(2)),
        ]

    def _edit_claims_by_hand(self) -> None:
        """The screenshot of the form following the JSON: a new sub and lifetime, as typed."""
        try:
            claims = _load_object(self.claims_edit.toPlainText(), "claims")
        except UserError:
            return
        iat = claims.get("iat")
        claims.update(sub="user-7", exp=iat + 120 if isinstance(iat, int) else None)
        self.claims_edit.setPlainText(json.dumps(claims, indent=2, ensure_ascii=False))

    def shutdown(self) -> None:
        self._tick.stop()


TAB = TabSpec("jwt", "JWT", JwtTab, "Mint, edit, decode and verify JWTs")
