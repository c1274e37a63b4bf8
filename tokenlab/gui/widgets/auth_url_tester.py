"""AuthUrlTester: fetch an authUrl the way ably-js and ably-python do and show what happened.

Presentation only: the request, the acceptance rules and the CORS check are
``realtime.authurl_check`` (also behind ``tokenlab auth-url``). Shows the request exactly as
sent (secrets masked), the response (with what the demo auth server says it received), the
verdict an SDK would reach, and, for a browser origin, each CORS check with its fix.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext
from tokenlab.gui.widgets.common import FeedbackLabel, MonoText, heading

if TYPE_CHECKING:
    from tokenlab.realtime.authurl_check import AuthUrlCheck
    from tokenlab.realtime.options import AuthUrlAuth

DEFAULT_PATH = "/auth/token-request"


def cors_html(check: AuthUrlCheck) -> str:
    """One line per CORS check, coloured by outcome, each failure with its fix."""
    rows = []
    for item in check.cors:
        colour = theme.severity_colour("ok" if item.ok else "error").name()
        mark = "✔" if item.ok else "✖"
        fix = (
            f"<br>&nbsp;&nbsp;&nbsp;Fix: {html.escape(item.fix)}"
            if item.fix and not item.ok
            else ""
        )
        rows.append(f'<span style="color:{colour}">{mark} {html.escape(item.message)}</span>{fix}')
    return "<b>Browser (CORS)</b><br>" + "<br>".join(rows)


class AuthUrlTester(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.check: AuthUrlCheck | None = None
        self.url = QLineEdit(placeholderText="https://your-server.example/auth")
        self.method = QComboBox()
        self.method.addItems(["GET", "POST"])
        self.params = MonoText()
        self.params.setPlaceholderText("authParams, one name=value per line, e.g. clientId=alice")
        self.headers = MonoText()
        self.headers.setPlaceholderText("authHeaders, one Name: value per line")
        self.origin = QLineEdit(placeholderText="optional: a browser page's origin, for CORS")
        self.credentials = QCheckBox("The page sends cookies (withCredentials)")
        self.test_button = QPushButton(theme.icon("send"), "Test the authUrl")
        self.feedback = FeedbackLabel("authUrl verdict")
        self.cors = QLabel(wordWrap=True)
        self.cors.setTextFormat(Qt.TextFormat.RichText)
        self.sent = MonoText(read_only=True)
        self.answer = MonoText(read_only=True)
        for widget, name in (
            (self.url, "authUrl"),
            (self.method, "authMethod"),
            (self.params, "authParams"),
            (self.headers, "authHeaders"),
            (self.origin, "Browser origin"),
            (self.test_button, "Test the authUrl"),
            (self.cors, "CORS checks"),
            (self.sent, "Request sent"),
            (self.answer, "Response received"),
        ):
            widget.setAccessibleName(name)
        for box in (self.params, self.headers):
            box.setMaximumHeight(box.fontMetrics().lineSpacing() * 4)
        self._layout()
        self.test_button.clicked.connect(self.run_test)
        self.ctx.sandbox_changed.connect(self._suggest_url)
        self.ctx.mask_secrets_changed.connect(self._on_mask_changed)
        self._suggest_url()

    def _layout(self) -> None:
        form = QFormLayout()
        form.addRow("authUrl", self.url)
        form.addRow("authMethod", self.method)
        form.addRow("authParams", self.params)
        form.addRow("authHeaders", self.headers)
        form.addRow("Browser origin", self.origin)
        form.addRow("", self.credentials)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        sent = QWidget()
        sent_layout = QVBoxLayout(sent)
        sent_layout.setContentsMargins(0, 0, 0, 0)
        sent_layout.addWidget(heading("Request sent (secrets masked)"))
        sent_layout.addWidget(self.sent)
        answer = QWidget()
        answer_layout = QVBoxLayout(answer)
        answer_layout.setContentsMargins(0, 0, 0, 0)
        answer_layout.addWidget(heading("Response"))
        answer_layout.addWidget(self.answer)
        split = QSplitter()
        split.addWidget(sent)
        split.addWidget(answer)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.feedback)
        layout.addWidget(self.cors)
        layout.addWidget(split, 1)

    def _on_mask_changed(self, _masked: bool) -> None:
        if self.check is not None:
            self.show_check(self.check)

    def _suggest_url(self) -> None:
        sandbox = self.ctx.sandbox
        if sandbox is not None and not self.url.text():
            self.url.setText(sandbox.rest_url + DEFAULT_PATH)

    def config(self) -> tuple[AuthUrlAuth, str | None]:
        """The AuthUrlAuth to test and the origin (UserError for a bad field)."""
        from tokenlab.core.pairs import parse_pair_lines
        from tokenlab.realtime.credentials import CredentialInput, build_auth
        from tokenlab.realtime.options import AuthUrlAuth

        given = CredentialInput(
            "auth_url",
            auth_url=self.url.text(),
            auth_method="POST" if self.method.currentText() == "POST" else "GET",
            auth_params=dict(parse_pair_lines(self.params.toPlainText(), "authParams")),
            auth_headers=dict(parse_pair_lines(self.headers.toPlainText(), "authHeaders")),
            label="authUrl",
        )
        auth = build_auth(given)
        assert isinstance(auth, AuthUrlAuth)  # mode "auth_url" builds nothing else
        return auth, self.origin.text().strip() or None

    def run_test(self) -> None:
        from tokenlab.realtime.authurl_check import check_auth_url

        try:
            auth, origin = self.config()
        except UserError as exc:
            self.feedback.show_error(exc)
            return
        self.feedback.show_message(f"Fetching {auth.auth_url}…", "info")
        with_credentials = self.credentials.isChecked()
        self.ctx.runner.submit(
            lambda: check_auth_url(
                auth, {}, client=self.ctx.http, origin=origin, with_credentials=with_credentials
            ),
            on_ok=self.show_check,
            on_error=self.feedback.show_error,
            owner=self,
            key="auth_url_test",
            label="Testing the authUrl…",
        )

    def show_check(self, check: AuthUrlCheck) -> None:
        self.check = check
        code = f" (Ably error {check.ably_code})" if check.ably_code else ""
        verdict = f"{check.message}{code}"
        self.feedback.show_message(verdict, "ok" if check.accepted else "error")
        self.cors.setText(cors_html(check))
        self.cors.setVisible(bool(check.cors))
        from tokenlab.realtime.authurl_check import request_text, response_text

        self.sent.setPlainText(request_text(check))
        answer = response_text(check)
        if self.ctx.mask_secrets:  # presenter mode: tokens and MACs in the body stay hidden
            from tokenlab.core.redact import redact_text

            answer = redact_text(answer)
        self.answer.setPlainText(answer)
