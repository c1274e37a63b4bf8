"""IdentityPanel: the identity a credential gives (identified / wildcard / unidentified) and why."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from tokenlab.core.clientid import Identity

KIND_TEXT = {
    "identified": "Identified client",
    "wildcard": "Wildcard (may act as any clientId)",
    "unidentified": "Unidentified (anonymous)",
}


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


class IdentityPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Identity", parent)
        self.setAccessibleName("Identity")
        self.kind = QLabel()
        self.client_id = QLabel()
        self.publish_as_any = QLabel()
        self.presence = QLabel()
        self.explanation = QLabel(wordWrap=True)
        form = QFormLayout(self)
        form.addRow("Kind", self.kind)
        form.addRow("clientId", self.client_id)
        form.addRow("Publish as any clientId", self.publish_as_any)
        form.addRow("May enter presence", self.presence)
        form.addRow(self.explanation)
        for label, name in (
            (self.kind, "Identity kind"),
            (self.client_id, "Client id"),
            (self.publish_as_any, "May publish as any client id"),
            (self.presence, "May enter presence"),
            (self.explanation, "Identity explanation"),
        ):
            label.setAccessibleName(name)
        self.set_identity(None)

    def set_identity(self, identity: Identity | None) -> None:
        if identity is None:
            self.kind.setText("—")
            self.client_id.setText("—")
            self.publish_as_any.setText("—")
            self.presence.setText("—")
            self.explanation.setText("This input carries no identity (it is not a credential).")
            return
        self.kind.setText(KIND_TEXT.get(identity.kind, identity.kind))
        self.client_id.setText(repr(identity.client_id) if identity.client_id else "none")
        self.publish_as_any.setText(_yes_no(identity.may_publish_as_any))
        self.presence.setText(_yes_no(identity.may_enter_presence))
        self.explanation.setText(identity.explanation)
