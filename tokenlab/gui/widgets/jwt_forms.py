"""The three JWT builders of the JWT tab: Ably JWT, outer JWT with an embedded token, general JWT.

Each form turns its fields into a header and claims (dicts, in the order they will be written)
and says what key signs them. The tab puts them in editable JSON editors and re-signs live; when
the JSON is edited by hand each form follows it back (``show_json``): fields the JSON sets are
filled, fields it no longer has are cleared, and what a form cannot show is returned as notes.
Ably JWTs follow Ably's JWT docs: HS256, ``kid`` = key name, ``iat`` / ``exp`` in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    decode_jwt,
)
from tokenlab.core.capability import Capability
from tokenlab.core.errors import CapabilityError, TokenFormatError
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

    def show_claims(self, claims: Json) -> list[str]:
        """Follow claims edited by hand, so the form never shows (and re-signs) stale values.

        Text fields the claims no longer have are cleared; what cannot be cleared (the
        lifetime) is named in the returned notes.
        """
        with _quiet(self.client_id, self.capability, self.revocation_key, self.server):
            self.client_id.setText(_text(claims.get(CLAIM_CLIENT_ID)))
            self.capability.setText(_text(claims.get(CLAIM_CAPABILITY)))
            self.revocation_key.setText(_text(claims.get(CLAIM_REVOCATION_KEY)))
            self.server.setChecked(claims.get(CLAIM_CLIENT_TYPE) == "server")
        note = _show_lifetime(self.ttl, self.ttl_unit, claims)
        return [f"Ably JWT: {note}"] if note else []

    def show_json(self, header: Json, claims: Json) -> list[str]:
        """Follow a hand-edited Ably JWT: the claims fill the form, the kid is checked."""
        return self.show_header(header) + self.show_claims(claims)

    def show_token(self, token: str) -> list[str]:
        """Follow the Ably JWT an outer JWT carries (its x-ably-token)."""
        try:
            decoded = decode_jwt(token)
        except TokenFormatError:
            return ["The x-ably-token is not a JWT, so the Ably JWT form keeps its old values."]
        return self.show_json(decoded.header, decoded.claims)

    def show_header(self, header: Json) -> list[str]:
        """A note when the header's ``kid`` is not the selected key (the form signs with it)."""
        choice = self.keys.current()
        kid, selected = header.get("kid"), choice.key_name if choice else ""
        if kid == selected:
            return []
        if kid is None:
            return [f"Ably JWT: the header has no kid; Ably needs it (the key {selected!r} signs)."]
        return [f"Ably JWT: kid {kid!r} is not the selected key {selected!r}, which signs."]


@contextmanager
def _quiet(*widgets: QWidget) -> Iterator[None]:
    """Set fields from the JSON without each change re-signing from the form."""
    for widget in widgets:
        widget.blockSignals(True)
    try:
        yield
    finally:
        for widget in widgets:
            widget.blockSignals(False)


def _show_lifetime(spin: QSpinBox, unit: QComboBox, claims: Json) -> str | None:
    """Set the lifetime from ``exp - iat``; a note when the claims do not give one."""
    iat, exp = _int(claims.get("iat")), _int(claims.get("exp"))
    if iat is None or exp is None:
        missing = " and ".join(n for n, v in (("iat", iat), ("exp", exp)) if v is None)
        return f"no numeric {missing} in the claims, so Lifetime keeps its old value."
    if exp <= iat:
        return "exp is not after iat, so Lifetime keeps its old value."
    seconds = exp - iat
    with _quiet(spin, unit):
        factor = int(unit.currentData())
        if seconds % factor or seconds // factor > spin.maximum():
            unit.setCurrentIndex(0)
            factor = 1
        spin.setValue(seconds // factor)
    if seconds > spin.maximum():
        return f"exp - iat is {seconds} s, more than Lifetime can show."
    return None


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

    def show_json(self, header: Json, claims: Json) -> tuple[str | None, list[str]]:
        """Follow the outer header and claims edited by hand: (the x-ably-token, notes)."""
        in_header = isinstance(header.get(CLAIM_TOKEN), str)
        inner = header.get(CLAIM_TOKEN) if in_header else claims.get(CLAIM_TOKEN)
        notes: list[str] = []
        with _quiet(self.subject, self.placement):
            self.subject.setText(_text(claims.get("sub")))
            if in_header or isinstance(inner, str):
                self.placement.setCurrentIndex(0 if in_header else 1)
        if not isinstance(inner, str):
            notes.append(
                "Outer JWT: there is no x-ably-token (a string) in the header or the claims."
            )
            inner = None
        note = _show_lifetime(self.ttl, self.ttl_unit, claims)
        if note:
            notes.append(f"Outer JWT: {note}")
        return inner, notes


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

    def show_json(self, header: Json, claims: Json) -> list[str]:
        """Follow the header and claims edited by hand; notes for what the form cannot show."""
        notes: list[str] = []
        fields = (("iss", self.issuer), ("sub", self.subject), ("aud", self.audience))
        with _quiet(self.algorithm, *(edit for _, edit in fields)):
            alg = header.get("alg")
            if isinstance(alg, str) and self.algorithm.findText(alg) >= 0:
                self.algorithm.setCurrentText(alg)
            else:
                notes.append(f"General JWT: alg {alg!r} is not one the alg list can sign with.")
            for name, edit in fields:
                value = claims.get(name)
                edit.setText(_text(value))
                if value is not None and not isinstance(value, str):
                    notes.append(f"General JWT: {name} is not a string; the form leaves it empty.")
        note = _show_lifetime(self.ttl, self.ttl_unit, claims)
        if note:
            notes.append(f"General JWT: {note}")
        return notes

    def jwt_key(self) -> jws.JwtKey:
        """The key in the box (``UserError`` when it cannot be used)."""
        text = self.key.toPlainText()
        if self.algorithm.currentText() == "none":
            return jws.NO_KEY
        return jws.key_from_text(text, base64_encoded=self.base64.isChecked())
