"""The Live tab's connection editor: name, endpoint, auth mode and the fields of each mode.

``ConnectionEditor`` shows one ``ConnectionSpec`` in one form (the rows of the other auth modes
are hidden, so labels stay aligned) and reads it back (``spec()`` raises a ``UserError`` naming
the bad field). It knows the usable keys through ``set_keys`` and hides the
literal token while secrets are masked. It does no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from tokenlab.core.pairs import parse_pair_lines
from tokenlab.gui import theme
from tokenlab.gui.context import KeyChoice
from tokenlab.gui.live.connections import (
    AUTH_LABELS,
    ENDPOINT_LABELS,
    ISSUER_LABELS,
    AuthMode,
    ConnectionSpec,
    EndpointKind,
    format_pairs,
)
from tokenlab.gui.widgets.fitting import ElidingComboBox
from tokenlab.realtime.options import IssuedKind


def _combo(parent: QWidget, labels: Mapping[Any, str], name: str) -> QComboBox:
    combo = ElidingComboBox(parent)
    for value, label in labels.items():
        combo.addItem(label, value)
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(10)
    return combo


def _line(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def _form(page: QWidget) -> QFormLayout:
    form = QFormLayout(page)
    form.setContentsMargins(0, 0, 0, 0)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class ConnectionEditor(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = _line(self, "Connection name")
        self.endpoint = _combo(self, ENDPOINT_LABELS, "Endpoint")
        self.custom_url = _line(self, "Custom endpoint URL", "ws://127.0.0.1:8081")
        self.mode = _combo(self, AUTH_LABELS, "Auth mode")
        self.key = _combo(self, {}, "API key")
        self.client_option = _line(self, "clientId option", "ClientOptions.clientId (optional)")
        self.use_token_auth = QCheckBox("Sign TokenRequests locally (useTokenAuth)", self)
        self.token = _line(self, "Literal token", "Paste an Ably token or JWT")
        self.auth_url = _line(self, "authUrl", "https://example.com/auth")
        self.auth_method = _combo(self, {"GET": "GET", "POST": "POST"}, "authMethod")
        self.auth_params = QPlainTextEdit(self)
        self.auth_headers = QPlainTextEdit(self)
        self.issuer_kind = _combo(self, ISSUER_LABELS, "Issued credential")
        self.issuer_client_id = _line(self, "Issued clientId", "none (anonymous), * or an id")
        self.capability = _line(self, "Issued capability", '{"*":["*"]}')
        self.ttl = QSpinBox(self)
        self.error = QLabel(self)
        self._masked = False
        self._build()

    def _build(self) -> None:
        form = _form(self)
        self._form = form
        form.addRow("&Name", self.name)
        form.addRow("&Endpoint", self.endpoint)
        form.addRow("URL", self.custom_url)
        form.addRow("&Auth", self.mode)
        form.addRow("&Key", self.key)
        form.addRow(self.use_token_auth)
        form.addRow("Issues", self.issuer_kind)
        form.addRow("Token clientId", self.issuer_client_id)
        form.addRow("Capability", self.capability)
        form.addRow("TTL", self.ttl)
        form.addRow("Token", self.token)
        form.addRow("authUrl", self.auth_url)
        form.addRow("Method", self.auth_method)
        form.addRow("Params", self.auth_params)
        form.addRow("Headers", self.auth_headers)
        form.addRow("clientId option", self.client_option)
        form.addRow(self.error)
        self._mode_rows: dict[str, tuple[QWidget, ...]] = {
            "key": (self.key, self.use_token_auth),
            "issuer": (self.key, self.issuer_kind, self.issuer_client_id, self.capability,
                       self.ttl),
            "token": (self.token,),
            "auth_url": (self.auth_url, self.auth_method, self.auth_params, self.auth_headers),
        }  # fmt: skip
        self._setup_fields()
        self.endpoint.currentIndexChanged.connect(self._on_endpoint_current_index_changed)
        self.mode.currentIndexChanged.connect(self._on_mode_current_index_changed)
        self._on_endpoint_current_index_changed(0)
        self._on_mode_current_index_changed(0)

    def _setup_fields(self) -> None:
        self.ttl.setRange(0, 86_400)
        self.ttl.setSuffix(" s")
        self.ttl.setSpecialValueText("default (1 h)")
        self.ttl.setAccessibleName("Issued token TTL")
        self.capability.setFont(theme.mono_font())
        self.token.setFont(theme.mono_font())
        self.issuer_client_id.setToolTip(
            "The clientId the issuer puts in the token: empty = anonymous, * = wildcard"
        )
        self.client_option.setToolTip(
            "ClientOptions.clientId: must match the token's clientId unless that is '*'"
        )
        for edit, name, hint in (
            (self.auth_params, "authParams", "name=value per line"),
            (self.auth_headers, "authHeaders", "Header: value per line"),
        ):
            edit.setAccessibleName(name)
            edit.setPlaceholderText(hint)
            edit.setFixedHeight(edit.fontMetrics().height() * 3 + theme.spacing(edit))
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.severity_colour('error').name()}")
        self.error.setAccessibleName("Connection settings error")
        self.error.hide()

    # -- API
    def set_keys(self, choices: Sequence[KeyChoice]) -> None:
        current = self.key.currentData()
        self.key.clear()
        for choice in choices:
            self.key.addItem(choice.label, choice.key_name)
            self.key.setItemData(self.key.count() - 1, choice.label, 3)  # ToolTipRole
        if current is not None:
            _select(self.key, current)

    def set_masked(self, masked: bool) -> None:
        self._masked = masked
        echo = QLineEdit.EchoMode.Password if masked else QLineEdit.EchoMode.Normal
        self.token.setEchoMode(echo)

    def set_spec(self, spec: ConnectionSpec) -> None:
        self.name.setText(spec.name)
        _select(self.endpoint, spec.endpoint)
        self.custom_url.setText(spec.custom_url)
        _select(self.mode, spec.auth_mode)
        if spec.key_name:
            _select(self.key, spec.key_name)
        self.use_token_auth.setChecked(spec.use_token_auth)
        self.token.setText(spec.token)
        self.auth_url.setText(spec.auth_url)
        _select(self.auth_method, spec.auth_method)
        self.auth_params.setPlainText(format_pairs(spec.auth_params))
        self.auth_headers.setPlainText(format_pairs(spec.auth_headers, ": "))
        _select(self.issuer_kind, spec.issuer_kind)
        self.issuer_client_id.setText(spec.issuer_client_id)
        self.capability.setText(spec.capability)
        self.ttl.setValue(spec.ttl_s)
        self.client_option.setText(spec.client_id)
        self.show_error(None)

    def spec(self) -> ConnectionSpec:
        """The spec as edited; UserError for unparseable params or headers."""
        method: Literal["GET", "POST"] = (
            "POST" if self.auth_method.currentData() == "POST" else "GET"
        )
        return dataclasses.replace(
            ConnectionSpec(self.name.text().strip()),
            endpoint=cast(EndpointKind, self.endpoint.currentData()),
            custom_url=self.custom_url.text().strip(),
            auth_mode=cast(AuthMode, self.mode.currentData()),
            key_name=str(self.key.currentData() or ""),
            use_token_auth=self.use_token_auth.isChecked(),
            token=self.token.text().strip(),
            auth_url=self.auth_url.text().strip(),
            auth_method=method,
            auth_params=parse_pair_lines(self.auth_params.toPlainText(), "authParams"),
            auth_headers=parse_pair_lines(self.auth_headers.toPlainText(), "authHeaders"),
            issuer_kind=cast(IssuedKind, self.issuer_kind.currentData()),
            issuer_client_id=self.issuer_client_id.text().strip(),
            capability=self.capability.text().strip(),
            ttl_s=self.ttl.value(),
            client_id=self.client_option.text().strip(),
        )

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    # -- slots
    def _on_endpoint_current_index_changed(self, _index: int) -> None:
        self._form.setRowVisible(self.custom_url, self.endpoint.currentData() == "custom")

    def _on_mode_current_index_changed(self, _index: int) -> None:
        mode = self.mode.currentData()
        shown = self._mode_rows.get(str(mode), ())
        for widget in {w for rows in self._mode_rows.values() for w in rows}:
            self._form.setRowVisible(widget, widget in shown)
