"""AppStatusBar: messages, what is running (with a busy indicator), where secrets are kept and
the sandbox address (selectable, so SDK users can copy it)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from tokenlab.gui.context import AppContext

MESSAGE_MS = 8000


class AppStatusBar(QStatusBar):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.activity = QLabel()
        self.activity.setAccessibleName("Current activity")
        self.busy = QProgressBar(textVisible=False)
        self.busy.setMaximumWidth(self.busy.fontMetrics().averageCharWidth() * 14)
        self.busy.setRange(0, 0)
        self.busy.setAccessibleName("Busy indicator")
        self.busy.hide()
        self.secrets_label = QLabel()
        self.secrets_label.setAccessibleName("Secret storage")
        self.sandbox_label = QLabel()
        self.sandbox_label.setAccessibleName("Sandbox address")
        for widget in (self.activity, self.busy, self.secrets_label, self.sandbox_label):
            self.addPermanentWidget(widget)
        ctx.sandbox_changed.connect(self.update_sandbox)
        ctx.status_message.connect(self.show_text)
        ctx.runner.busy_changed.connect(self.busy.setVisible)
        ctx.runner.activity_changed.connect(self.activity.setText)
        ctx.runner.user_error.connect(self.show_text)
        self.update_sandbox()

    def show_text(self, message: object) -> None:
        self.showMessage(str(message), MESSAGE_MS)

    def update_sandbox(self) -> None:
        url = self.ctx.sandbox_rest_url
        self.sandbox_label.setText(f"Sandbox: {url}" if url else "Sandbox: off")
        if url:  # selectable once there is an address to copy (the sandbox starts after the
            # first frame, which then need not load the Qt namespace's ~90 enums: ~30 ms)
            from PySide6.QtCore import Qt

            flags = Qt.TextInteractionFlag.TextSelectableByMouse
            self.sandbox_label.setTextInteractionFlags(flags)
        self.sandbox_label.setToolTip(
            "Point Ably SDKs at this address (endpoint / restHost and port, tls off)."
            if url
            else "Start tokenlab without --no-sandbox to run the embedded sandbox."
        )

    def update_secrets(self) -> None:
        """Says when key secrets are kept in memory only (this imports keyring: call late)."""
        persistent = self.ctx.secrets.persistent
        self.secrets_label.setText("" if persistent else "Key secrets: memory only")
        self.secrets_label.setToolTip(self.ctx.secrets.status)
