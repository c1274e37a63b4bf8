"""The Sandbox tab's TLS switch: serve the embedded sandbox over HTTPS/WSS, or plain HTTP/WS.

Toggling it restarts the embedded sandbox through the TaskRunner (``EmbeddedSandbox.set_tls``,
same SQLite file, so the same demo keys), remembers the choice in Settings (``sandbox_tls``,
applied at start-up) and, while TLS is on, shows the certificate and how to trust it: the lines
``tokenlab sandbox --tls`` prints (``Certificate.trust_lines``). Failures are shown inline.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from tokenlab.core.errors import UserError
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.widgets.sandbox_panels import show_result
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox.tls import TRUST_TITLE

SWITCH_TIP = (
    "Restart the embedded sandbox serving HTTPS and WSS with a certificate made on first use "
    "in tokenlab's data folder (the demo keys stay the same). Both SDKs refuse Basic auth with "
    "a key over plain HTTP (40103)."
)


class TlsPanel(QWidget):
    """A "Serve over TLS" switch, its inline result, and the trust instructions."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.switch = QCheckBox("Serve over TLS (HTTPS/WSS)", self)
        self.switch.setToolTip(SWITCH_TIP)
        self.switch.setAccessibleName("Serve over TLS")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.trust = QLabel(self)
        self.trust.setFont(theme.mono_font())
        self.trust.setAccessibleName("How to trust the sandbox certificate")
        self.trust.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._busy = False
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.switch)
        row.addWidget(self.result, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.trust)
        self.switch.toggled.connect(self._on_switch_toggled)
        ctx.sandbox_changed.connect(self._on_ctx_sandbox_changed)
        self._on_ctx_sandbox_changed()
        if ctx.embedded_sandbox is not None and ctx.embedded_sandbox.tls_error is not None:
            show_result(self.result, "TLS is off", ctx.embedded_sandbox.tls_error)

    def _on_ctx_sandbox_changed(self) -> None:
        host = self.ctx.embedded_sandbox
        running = host is not None and host.sandbox is not None
        self.switch.setEnabled(running and not self._busy)
        if host is None:
            self.switch.setToolTip("TLS is a switch of the embedded sandbox only")
        if self._busy:
            return  # mid-restart: keep the user's choice on screen
        self.switch.blockSignals(True)
        self.switch.setChecked(host is not None and host.tls)
        self.switch.blockSignals(False)
        certificate = host.certificate if host is not None and host.tls else None
        self.trust.setVisible(certificate is not None)
        if certificate is not None:
            self.trust.setText("\n".join([TRUST_TITLE, *certificate.trust_lines()]))

    def _on_switch_toggled(self, on: bool) -> None:
        host = self.ctx.embedded_sandbox
        if host is None or host.sandbox is None:
            self._on_ctx_sandbox_changed()
            return
        self._busy = True
        self.switch.setEnabled(False)
        show_result(self.result, "Restarting the sandbox with " + ("HTTPS/WSS…" if on else
                                                                   "HTTP/WS…"))  # fmt: skip
        self.ctx.runner.submit(
            lambda: host.set_tls(on),
            on_ok=self._on_restarted,
            on_error=self._on_restart_failed,
            owner=self,
            key="tls",
            label="Restarting the sandbox",
        )

    def _on_restarted(self, sandbox: Sandbox) -> None:
        self._busy = False
        self.ctx.update_settings(sandbox_tls=sandbox.tls)
        show_result(self.result, f"Serving {sandbox.rest_url} and {sandbox.ws_url}")
        self._on_ctx_sandbox_changed()

    def _on_restart_failed(self, error: UserError) -> None:
        self._busy = False
        show_result(self.result, "TLS not turned on" if self.switch.isChecked() else
                    "TLS not turned off", error)  # fmt: skip
        self._on_ctx_sandbox_changed()
