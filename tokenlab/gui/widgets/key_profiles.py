"""The key profiles dialog: add, update and remove the user's own API keys.

Only the key name and endpoint go into settings; the secret goes to the OS keyring (or to
memory for this session when there is no keyring, which the dialog says plainly).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.capability import Capability
from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.settings import KeyProfile
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext

ENDPOINTS = (("Ably (production)", "ably"), ("tokenlab sandbox", "sandbox"), ("Custom URL", ""))


class KeyProfilesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Key profiles")
        self.profiles = QListWidget()
        self.profiles.setAccessibleName("Saved key profiles")
        self.profiles.currentTextChanged.connect(self._on_profiles_current)
        self.name = QLineEdit(placeholderText="e.g. staging")
        self.key = QLineEdit(placeholderText="appId.keyId:secret")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.endpoint = QComboBox()
        for label, value in ENDPOINTS:
            self.endpoint.addItem(label, value)
        self.custom_url = QLineEdit(placeholderText="https://rest.example.com")
        self.capability = QLineEdit('{"*":["*"]}')
        self.feedback = QLabel(wordWrap=True)
        self.storage = QLabel(ctx.secrets.status, wordWrap=True)
        self._name_fields()
        self._layout()
        self._reload()

    def _name_fields(self) -> None:
        for widget, name in (
            (self.name, "Profile name"),
            (self.key, "API key"),
            (self.endpoint, "Endpoint"),
            (self.custom_url, "Custom REST URL"),
            (self.capability, "Key capability"),
            (self.feedback, "Key profile feedback"),
            (self.storage, "Where secrets are kept"),
        ):
            widget.setAccessibleName(name)
        self.capability.setToolTip("The key's capability, used to preview intersections.")

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("API key", self.key)
        form.addRow("Endpoint", self.endpoint)
        form.addRow("Custom URL", self.custom_url)
        form.addRow("Key capability", self.capability)
        save = QPushButton("Save profile")
        save.clicked.connect(self._save)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addWidget(remove)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.profiles)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.feedback)
        layout.addWidget(self.storage)
        layout.addWidget(buttons)
        if not self.ctx.secrets.persistent:
            theme.set_text_colour(self.storage, theme.severity_colour("warning"))

    def _reload(self) -> None:
        self.profiles.clear()
        for profile in self.ctx.settings.key_profiles:
            self.profiles.addItem(profile.name)

    def _on_profiles_current(self, name: str) -> None:
        profile = next((p for p in self.ctx.settings.key_profiles if p.name == name), None)
        if profile is None:
            return
        self.name.setText(profile.name)
        self.key.setText(profile.key_name + ":")
        index = self.endpoint.findData(profile.endpoint)
        self.endpoint.setCurrentIndex(index if index >= 0 else self.endpoint.count() - 1)
        self.custom_url.setText("" if index >= 0 else profile.endpoint)
        self.capability.setText(profile.capability)

    def build_profile(self) -> tuple[KeyProfile, str]:
        """The profile and secret from the form; ``UserError`` naming the bad field."""
        name = self.name.text().strip()
        if not name:
            raise UserError("Give the profile a name.", code="profile.name")
        key = ApiKey.parse(self.key.text())
        endpoint = str(self.endpoint.currentData()) or self.custom_url.text().strip()
        if not endpoint.startswith(("ably", "sandbox", "http://", "https://")):
            raise UserError("A custom endpoint must be an http(s) URL.", code="profile.endpoint")
        capability = Capability.parse(self.capability.text()).canonical()
        return KeyProfile(name, key.name, endpoint, capability), key.secret

    def _save(self) -> None:
        try:
            profile, secret = self.build_profile()
        except UserError as exc:
            self._feedback(exc.message, "error")
            return
        self.ctx.add_key_profile(profile, secret)
        self._reload()
        self.key.clear()
        self._feedback(f"Saved {profile.name} ({profile.key_name}).", "ok")

    def _remove(self) -> None:
        item = self.profiles.currentItem()
        if item is None:
            self._feedback("Select a profile to remove.", "info")
            return
        name = item.text()
        self.ctx.remove_key_profile(name)
        self._reload()
        self._feedback(f"Removed {name}.", "ok")

    def _feedback(self, text: str, severity: str) -> None:
        self.feedback.setText(text)
        theme.set_text_colour(self.feedback, theme.severity_colour(severity))
