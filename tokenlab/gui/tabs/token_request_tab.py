"""The TokenRequest tab: build and sign one, see exactly what is signed, exchange it for a token.

"Build and sign" shows the canonical sign text line by line with its newlines, the MAC, the JSON
to copy, and previews the capability the token will get (the request ∩ the key). "Exchange"
posts it to the key's endpoint (the sandbox or Ably) through the TaskRunner and shows the
TokenDetails. "Diagnose" explains why Ably rejected a pasted TokenRequest.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core import samples, timefmt
from tokenlab.core.capability import Capability
from tokenlab.core.clock import random_nonce
from tokenlab.core.errors import CapabilityError, UserError
from tokenlab.core.tokens import TokenDetails, TokenRequest, create_token_request
from tokenlab.gui import theme
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.gui.widgets.auth_url_tester import AuthUrlTester
from tokenlab.gui.widgets.capability_matrix import CapabilityMatrix
from tokenlab.gui.widgets.common import FeedbackLabel, MonoLine, MonoText, copy_button, heading
from tokenlab.gui.widgets.diagnose_pane import DiagnosePane
from tokenlab.gui.widgets.sign_text_view import SignTextView
from tokenlab.gui.widgets.token_request_form import TokenRequestForm

MAC_HELP = "MAC = base64( HMAC-SHA256( key secret as UTF-8, sign text ) )"


class TokenRequestTab(TabPage):
    tab_id = "token_request"
    title = "TokenRequest"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.request: TokenRequest | None = None
        self.details: TokenDetails | None = None
        self._issuer_is_sandbox = False
        self.form = TokenRequestForm(ctx)
        self.problems = FeedbackLabel("Problems Ably would report")
        self.sign_text = SignTextView()
        self.mac = MonoLine()
        self.mac.setReadOnly(True)
        self.mac.setAccessibleName("MAC")
        self.json = MonoText(read_only=True)
        self.json.setAccessibleName("TokenRequest JSON")
        self.preview = CapabilityMatrix()
        self._build_exchange()
        self.diagnose = DiagnosePane(ctx)
        pages = QTabWidget()
        pages.setAccessibleName("TokenRequest modes")
        pages.addTab(self._build_page(), "Build and sign")
        pages.addTab(self.diagnose, "Diagnose a rejected TokenRequest")
        self.auth_url = AuthUrlTester(ctx)
        pages.addTab(self.auth_url, "Test an authUrl")
        self.pages = pages
        layout = QVBoxLayout(self)
        layout.addWidget(pages)
        self.form.changed.connect(self.rebuild)
        ctx.mask_secrets_changed.connect(self._on_mask_changed)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self.rebuild()

    # construction ------------------------------------------------------------------------------

    def _build_exchange(self) -> None:
        self.exchange_button = QPushButton(theme.icon("send"), "Exchange for a token")
        self.exchange_button.setAccessibleName("Exchange for a token")
        self.exchange_button.clicked.connect(self.exchange)
        self.exchange_feedback = FeedbackLabel("Exchange result")
        self.token_json = MonoText(read_only=True)
        self.token_json.setAccessibleName("TokenDetails")
        self.token_json.setPlaceholderText("The TokenDetails Ably returns appear here.")
        self.open_token = QPushButton(theme.icon("send"), "Open in Inspect")
        self.open_token.clicked.connect(self._open_token)
        self.live_token = QPushButton(theme.icon("live"), "Use in Live")
        self.live_token.clicked.connect(self._use_token_in_live)
        for button in (self.open_token, self.live_token):
            button.setEnabled(False)
            button.setAccessibleName(f"Token: {button.text()}")

    def _row(self, *widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _build_page(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        signed = QWidget()
        signed_layout = QVBoxLayout(signed)
        signed_layout.setContentsMargins(0, 0, 0, 0)
        signed_layout.addWidget(heading("Sign text (exactly what is HMAC'd)"))
        signed_layout.addWidget(self.sign_text, 1)
        signed_layout.addWidget(QLabel(MAC_HELP))
        signed_layout.addWidget(self.mac)
        signed_layout.addWidget(self.problems)
        outputs = QTabWidget()
        outputs.setAccessibleName("TokenRequest outputs")
        outputs.addTab(self._json_page(), "JSON to copy")
        outputs.addTab(self.preview, "Capability the token gets")
        outputs.addTab(self._exchange_page(), "Exchange")
        self.outputs = outputs
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(signed)
        right.addWidget(outputs)
        right.setSizes([300, 400])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setSizes([560, 680])
        return split

    def _json_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        inspect = QPushButton(theme.icon("send"), "Open in Inspect")
        inspect.clicked.connect(lambda: self._send_request(self.ctx.send_to_inspect))
        live = QPushButton(theme.icon("live"), "Use in Live")
        live.clicked.connect(self._use_request_in_live)
        layout.addWidget(self.json, 1)
        layout.addLayout(
            self._row(copy_button(self.request_json, "TokenRequest JSON"), inspect, live)
        )
        return page

    def _exchange_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(self._row(self.exchange_button))
        layout.addWidget(self.exchange_feedback)
        layout.addWidget(self.token_json, 1)
        layout.addLayout(
            self._row(copy_button(self.token_text, "token"), self.open_token, self.live_token)
        )
        return page

    # building ----------------------------------------------------------------------------------

    def rebuild(self) -> None:
        params, problems = self.form.params()
        choice = self.form.keys.current()
        if choice is None or choice.key is None:
            self.request = None
        else:
            self.request = create_token_request(choice.key, params)
        self._show_request()
        self._show_preview()
        if problems:
            self.problems.show_message(
                "Rejected: " + " ".join(_problem_text(p) for p in problems), "error"
            )
        else:
            self.problems.clear_message()
        target = choice.rest_url if choice else None
        self.exchange_button.setEnabled(self.request is not None and bool(target))
        self.exchange_button.setToolTip(f"POST {target}/keys/…/requestToken" if target else "")

    def _on_mask_changed(self, _masked: bool) -> None:
        self._show_request()

    def _show_request(self) -> None:
        request = self.request
        masked = self.ctx.mask_secrets
        if request is None:
            self.sign_text.set_sign_text("")
            self.mac.setText("")
            self.json.setPlainText("Choose a key whose secret is available to sign.")
            return
        self.sign_text.set_sign_text(request.sign_text())
        self.mac.setText(theme.mask(request.mac or "", masked))
        shown = request.with_mac(theme.mask(request.mac or "", masked))
        self.json.setPlainText(json.dumps(shown.to_dict(), indent=2, ensure_ascii=False))

    def _show_preview(self) -> None:
        choice = self.form.keys.current()
        try:
            requested = self.form.capability.parsed()
        except CapabilityError:
            self.preview.set_capability(None, source="The capability is not valid (see left).")
            return
        key_capability = (
            Capability.parse(choice.capability) if choice and choice.capability else None
        )
        if requested is None:
            source = "No capability requested: the token gets the key's capability."
            self.preview.set_capability(key_capability, source=source)
            return
        if key_capability is None:
            source = "The key's capability is unknown: showing what is requested."
            self.preview.set_capability(requested, source=source)
            return
        try:
            result = requested.intersect(key_capability)
        except CapabilityError as exc:
            self.preview.set_capability(None, source=exc.message, requested=requested)
            return
        source = f"Requested ∩ key capability {key_capability.canonical()}. ✗ = dropped by the key."
        self.preview.set_capability(result, source=source, requested=requested)

    def restamp(self) -> None:
        """Stamp the request with the clock now (before it is copied or sent)."""
        self.form.refresh_timestamp()  # emits changed: rebuild() signs it again

    def showEvent(self, event: QShowEvent) -> None:
        self.restamp()  # opened minutes after launch: never show a stale timestamp
        super().showEvent(event)

    def request_json(self) -> str:
        self.restamp()
        return self.request.to_json() if self.request is not None else ""

    def token_text(self) -> str:
        return self.details.token if self.details is not None else ""

    # exchanging --------------------------------------------------------------------------------

    def exchange(self) -> None:
        self.restamp()
        choice = self.form.keys.current()
        request = self.request
        if request is None or choice is None:
            return
        self.exchange_feedback.show_message(f"Asking {choice.rest_url} for a token…", "info")
        self.ctx.runner.submit(
            lambda: _exchange(self.ctx, choice.rest_url, request),
            on_ok=self._on_exchanged,
            on_error=self._on_exchange_failed,
            owner=self,
            key="exchange",
            label="Exchanging the TokenRequest…",
        )

    def _on_tick(self) -> None:
        self.form.tick()
        if self.details is not None:
            self._show_issued()  # "expiring in 59 min 58 s" keeps counting

    def _show_issued(self) -> None:
        details = self.details
        if details is None:
            return
        who = "The sandbox" if self._issuer_is_sandbox else "Ably"
        when, severity = "", "ok"
        if details.expires is not None:
            now = self.ctx.now_ms()
            verb = "expiring" if details.expires > now else "expired"
            severity = "ok" if details.expires > now else "warning"
            left = timefmt.relative(details.expires, now)
            when = f", {verb} {left} ({timefmt.iso_utc(details.expires)})"
        self.exchange_feedback.show_message(f"{who} issued a token{when}:", severity)

    def _on_exchanged(self, details: TokenDetails) -> None:
        self.details = details
        choice = self.form.keys.current()
        self._issuer_is_sandbox = choice is not None and choice.source == "sandbox"
        self._show_issued()
        self.token_json.setPlainText(json.dumps(details.to_dict(), indent=2))
        self.open_token.setEnabled(True)
        self.live_token.setEnabled(True)
        self.form.refresh_timestamp()  # a nonce/timestamp pair may only be used once
        self.form.nonce.setText(random_nonce())

    def _on_exchange_failed(self, exc: UserError) -> None:
        self.details = None
        self.exchange_feedback.show_error(exc)
        self.token_json.clear()
        self.open_token.setEnabled(False)
        self.live_token.setEnabled(False)

    def _open_token(self) -> None:
        if self.details is not None:
            self.ctx.send_to_inspect(json.dumps(self.details.to_dict(), indent=2))

    def _use_token_in_live(self) -> None:
        choice = self.form.keys.current()
        if self.details is not None:
            self.ctx.request_use_in_live(
                UseInLive(
                    "token",
                    self.details.token,
                    "Token from the TokenRequest tab",
                    choice.rest_url if choice else None,
                )
            )

    def _send_request(self, send: Callable[[str], None]) -> None:
        self.restamp()
        if self.request is not None:
            send(json.dumps(self.request.to_dict(), indent=2))

    def _use_request_in_live(self) -> None:
        self.restamp()
        choice = self.form.keys.current()
        if self.request is not None:
            self.ctx.request_use_in_live(
                UseInLive(
                    "token_request",
                    self.request.to_json(),
                    "TokenRequest",
                    choice.rest_url if choice else None,
                )
            )

    # TabPage -----------------------------------------------------------------------------------

    def accept_paste(self, text: str) -> bool:
        return False

    def copy_text(self) -> str | None:
        return self.request_json() or None

    def screenshot_states(self) -> list[tuple[str, Callable[[], None]]]:
        def show(page: int, output: int = 0, diagnose: str = "") -> Callable[[], None]:
            def prepare() -> None:
                self.pages.setCurrentIndex(page)
                self.outputs.setCurrentIndex(output)
                if diagnose:
                    self.diagnose.set_text(diagnose)
                if output == 2 and self.exchange_button.isEnabled():
                    self.exchange()

            return prepare

        stale = samples.sample_text("token-request").strip()
        return [
            ("", show(0, 0)),
            ("capability", show(0, 1)),
            ("exchange", show(0, 2)),
            ("diagnose", show(1, 0, stale)),
            ("auth-url", self._show_auth_url_test),
        ]

    def _show_auth_url_test(self) -> None:
        self.pages.setCurrentIndex(2)
        if self.auth_url.url.text():
            self.auth_url.params.setPlainText("clientId=alice")
            self.auth_url.origin.setText("http://localhost:3000")
            self.auth_url.run_test()

    def shutdown(self) -> None:
        self._tick.stop()


async def _exchange(ctx: AppContext, rest_url: str | None, request: TokenRequest) -> TokenDetails:
    from tokenlab.realtime.rest import AblyRest  # httpx: imported on first use

    return await AblyRest(rest_url, client=ctx.http).request_token(request)


def _problem_text(exc: UserError) -> str:
    return f"{exc.message} ({exc.ably_code})" if exc.ably_code else exc.message


TAB = TabSpec("token_request", "TokenRequest", TokenRequestTab, "Build, sign and exchange")
