"""The three JWT builders of the JWT tab: Ably JWT, outer JWT with an embedded token, general JWT.

Each form turns its fields into a header and claims (dicts, in the order they will be written)
and says what key signs them. The tab puts them in editable JSON editors and re-signs live.
Ably JWTs follow Ably's JWT docs: HS256, ``kid`` = key name, ``iat`` / ``exp`` in seconds.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from tokenlab.core import jws, samples
from tokenlab.core.ably_jwt import (
    CLAIM_CAPABILITY,
    CLAIM_CLIENT_ID,
    CLAIM_CLIENT_TYPE,
    CLAIM_REVOCATION_KEY,
    CLAIM_TOKEN,
)
from tokenlab.core.capability import Capability
from tokenlab.core.errors import CapabilityError
from tokenlab.gui.context import AppContext
from tokenlab.gui.widgets.common import FeedbackLabel, MonoText
from tokenlab.gui.widgets.key_picker import KeyPicker

Json = dict[str, Any]
UNITS = (("s", 1), ("min", 60), ("h", 3600))


def _ttl_row(spin: QSpinBox, unit: QComboBox, default_minutes: int) -> QWidget:
    spin.setRange(1, 10_000_000)
    spin.setValue(default_minutes)
    for label, factor in UNITS:
        unit.addItem(label, factor)
    unit.setCurrentIndex(1)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(spin)
    layout.addWidget(unit)
    layout.addStretch(1)
    return row


def _seconds(spin: QSpinBox, unit: QComboBox) -> int:
    return spin.value() * int(unit.currentData())


class AblyJwtForm(QGroupBox):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Ably JWT", parent)
        self.keys = KeyPicker(ctx)
        self.client_id = QLineEdit("alice", placeholderText="empty: anonymous; * : wildcard")
        self.capability = QLineEdit(samples.SAMPLE_CAPABILITY)
        self.capability.setPlaceholderText("empty: the key's capability")
        self.capability_feedback = FeedbackLabel("Capability feedback")
        self.ttl, self.ttl_unit = QSpinBox(), QComboBox()
        self.revocation_key = QLineEdit(placeholderText="optional, e.g. group-a")
        self.server = QCheckBox("x-ably-clientType: server")
        for widget, name in (
            (self.client_id, "x-ably-clientId"),
            (self.capability, "x-ably-capability"),
            (self.ttl, "Ably JWT ttl"),
            (self.ttl_unit, "Ably JWT ttl unit"),
            (self.revocation_key, "x-ably-revocation-key"),
            (self.server, "clientType server"),
        ):
            widget.setAccessibleName(name)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # reflow when narrow
        form.addRow("Key (kid)", self.keys)
        form.addRow("clientId", self.client_id)
        form.addRow("Capability", self.capability)
        form.addRow("", self.capability_feedback)
        form.addRow("Lifetime", _ttl_row(self.ttl, self.ttl_unit, 60))
        form.addRow("Revocation key", self.revocation_key)
        form.addRow("", self.server)
        self.keys.key_changed.connect(self.changed)
        for edit in (self.client_id, self.capability, self.revocation_key):
            edit.textChanged.connect(self.changed)
        self.ttl.valueChanged.connect(self.changed)
        self.ttl_unit.currentIndexChanged.connect(self.changed)
        self.server.toggled.connect(self.changed)

    def header(self) -> Json:
        choice = self.keys.current()
        return {"typ": "JWT", "alg": "HS256", "kid": choice.key_name if choice else ""}

    def claims(self, iat_s: int) -> Json:
        claims: Json = {"iat": iat_s, "exp": iat_s + _seconds(self.ttl, self.ttl_unit)}
        capability = self.capability.text().strip()
        try:
            if capability:
                Capability.parse(capability)
            self.capability_feedback.clear_message()
        except CapabilityError as exc:
            self.capability_feedback.show_error(exc)
        optional = (
            (CLAIM_CAPABILITY, capability),
            (CLAIM_CLIENT_ID, self.client_id.text()),
            (CLAIM_REVOCATION_KEY, self.revocation_key.text()),
            (CLAIM_CLIENT_TYPE, "server" if self.server.isChecked() else ""),
        )
        claims.update({name: value for name, value in optional if value})
        return claims

    def secret(self) -> str | None:
        choice = self.keys.current()
        return choice.key.secret if choice and choice.key else None

    def show_claims(self, claims: Json) -> None:
        """Follow claims edited by hand, so the form never shows (and re-signs) stale values."""
        widgets = (self.client_id, self.capability, self.revocation_key, self.server, self.ttl)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.client_id.setText(_text(claims.get(CLAIM_CLIENT_ID)))
            self.capability.setText(_text(claims.get(CLAIM_CAPABILITY)))
            self.revocation_key.setText(_text(claims.get(CLAIM_REVOCATION_KEY)))
            self.server.setChecked(claims.get(CLAIM_CLIENT_TYPE) == "server")
            iat, exp = _int(claims.get("iat")), _int(claims.get("exp"))
            if iat is not None and exp is not None and exp > iat:
                factor = int(self.ttl_unit.currentData())
                seconds = exp - iat
                if seconds % factor:
                    self.ttl_unit.blockSignals(True)
                    self.ttl_unit.setCurrentIndex(0)
                    self.ttl_unit.blockSignals(False)
                    factor = 1
                self.ttl.setValue(seconds // factor)
        finally:
            for widget in widgets:
                widget.blockSignals(False)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class EmbeddedForm(QGroupBox):
    """The outer JWT from "your own auth server" that carries the Ably JWT (embedded token)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Your outer JWT (carries the Ably JWT above)", parent)
        self.outer_secret = QLineEdit(samples.SAMPLE_OUTER_SECRET)
        self.outer_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.placement = QComboBox()
        self.placement.addItem("in the JOSE header", True)
        self.placement.addItem("as a claim", False)
        self.ttl, self.ttl_unit = QSpinBox(), QComboBox()
        self.subject = QLineEdit("user-42")
        for widget, name in (
            (self.outer_secret, "Outer secret"),
            (self.placement, "Where x-ably-token goes"),
            (self.ttl, "Outer ttl"),
            (self.ttl_unit, "Outer ttl unit"),
            (self.subject, "Outer sub"),
        ):
            widget.setAccessibleName(name)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # reflow when narrow
        form.addRow("Your secret", self.outer_secret)
        form.addRow("x-ably-token", self.placement)
        form.addRow("Outer lifetime", _ttl_row(self.ttl, self.ttl_unit, 30))
        form.addRow("sub", self.subject)
        for edit in (self.outer_secret, self.subject):
            edit.textChanged.connect(self.changed)
        self.placement.currentIndexChanged.connect(self.changed)
        self.ttl.valueChanged.connect(self.changed)
        self.ttl_unit.currentIndexChanged.connect(self.changed)

    def header_and_claims(self, inner: str, iat_s: int) -> tuple[Json, Json]:
        header: Json = {"typ": "JWT", "alg": "HS256"}
        claims: Json = {"iat": iat_s, "exp": iat_s + _seconds(self.ttl, self.ttl_unit)}
        if self.subject.text():
            claims["sub"] = self.subject.text()
        (header if self.placement.currentData() else claims)[CLAIM_TOKEN] = inner
        return header, claims


class GeneralForm(QGroupBox):
    """Any JWT pyjwt can sign: choose the algorithm and the key (secret, PEM or JWK)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("General JWT", parent)
        self.algorithm = QComboBox()
        self.algorithm.addItems(jws.algorithms())
        self.algorithm.setCurrentText("HS256")
        self.key = MonoText()
        self.key.setPlainText("a-shared-secret-of-at-least-32-bytes!!")
        self.key.setPlaceholderText("HMAC secret, or a PEM private key / JWK for RS*, ES*, EdDSA")
        self.key.setMaximumHeight(self.key.fontMetrics().lineSpacing() * 5)
        self.base64 = QCheckBox("The secret is base64")
        self.issuer = QLineEdit("https://auth.example.com")
        self.subject = QLineEdit("user-42")
        self.audience = QLineEdit(placeholderText="optional")
        self.ttl, self.ttl_unit = QSpinBox(), QComboBox()
        self.key_feedback = FeedbackLabel("Signing key feedback")
        for widget, name in (
            (self.algorithm, "Algorithm"),
            (self.key, "Signing key"),
            (self.base64, "Secret is base64"),
            (self.issuer, "iss"),
            (self.subject, "sub"),
            (self.audience, "aud"),
        ):
            widget.setAccessibleName(name)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # reflow when narrow
        form.addRow("alg", self.algorithm)
        form.addRow("Key", self.key)
        form.addRow("", self.base64)
        form.addRow("", self.key_feedback)
        form.addRow("iss", self.issuer)
        form.addRow("sub", self.subject)
        form.addRow("aud", self.audience)
        form.addRow("Lifetime", _ttl_row(self.ttl, self.ttl_unit, 60))
        self.algorithm.currentIndexChanged.connect(self.changed)
        self.key.textChanged.connect(self.changed)
        self.base64.toggled.connect(self.changed)
        for edit in (self.issuer, self.subject, self.audience):
            edit.textChanged.connect(self.changed)
        self.ttl.valueChanged.connect(self.changed)
        self.ttl_unit.currentIndexChanged.connect(self.changed)

    def header_and_claims(self, iat_s: int) -> tuple[Json, Json]:
        claims: Json = {}
        for name, edit in (("iss", self.issuer), ("sub", self.subject), ("aud", self.audience)):
            if edit.text():
                claims[name] = edit.text()
        claims.update({"iat": iat_s, "exp": iat_s + _seconds(self.ttl, self.ttl_unit)})
        return {"typ": "JWT", "alg": self.algorithm.currentText()}, claims

    def jwt_key(self) -> jws.JwtKey:
        """The key in the box (``UserError`` when it cannot be used)."""
        text = self.key.toPlainText()
        if self.algorithm.currentText() == "none":
            return jws.NO_KEY
        return jws.key_from_text(text, base64_encoded=self.base64.isChecked())
