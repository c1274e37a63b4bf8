"""The Sandbox tab: the embedded server's status and URLs, SDK snippets, apps and keys, issued
tokens, live connections with their clientIds and expiries, revocation and server settings.

With the embedded sandbox it uses the sandbox's admin API (synchronous and cheap, so the views
poll it once a second while shown and on every sandbox event). With an external sandbox URL or
none (``--no-sandbox``) it shows what is still possible and says why the rest is not.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokenlab.core.errors import UserError
from tokenlab.gui.context import AppContext
from tokenlab.gui.models.sandbox_models import (
    RecordTableModel,
    connections_model,
    events_model,
    keys_model,
    roster_model,
    tokens_model,
)
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.gui.widgets.classroom_panel import ClassroomPanel
from tokenlab.gui.widgets.sandbox_panels import (
    KeyCreatePanel,
    RevokePanel,
    SettingsPanel,
    SnippetsPanel,
    record_table,
    show_result,
)
from tokenlab.gui.widgets.sandbox_tls import TlsPanel
from tokenlab.realtime.rest import revoke_tokens
from tokenlab.sandbox import Sandbox, SandboxEvent
from tokenlab.sandbox.classroom import local_addresses

JOURNAL_LIMIT = 500
NO_ADMIN = {
    "external": "The sandbox at {url} runs in another process: its apps, tokens and "
    "connections are not visible here. SDK snippets work, and revocation goes through its "
    "REST API with a key profile (Keys menu).",
    "none": "No sandbox is running (tokenlab was started with --no-sandbox). Start tokenlab "
    "without it, or run `tokenlab sandbox` and start with --sandbox-url URL. The Live tab can "
    "still connect to Ably with your own key.",
}


def sandbox_clock(ctx: AppContext) -> Callable[[], int]:
    """The embedded sandbox's clock (with its skew), else the app's."""

    def now_ms() -> int:
        sandbox = ctx.sandbox
        return sandbox.now_ms() if isinstance(sandbox, Sandbox) else ctx.now_ms()

    return now_ms


def _button(parent: QWidget, text: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    return button


class SandboxTab(TabPage):
    tab_id = "sandbox"
    title = "Sandbox"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.status = QLabel(self)
        self.snippets = SnippetsPanel(self)
        self.tls = TlsPanel(ctx, self)
        self.classroom = ClassroomPanel(self)
        self.classroom_hosts: list[str] | None = None  # None: this machine's addresses
        self.settings_panel = SettingsPanel(self)
        self.revoke = RevokePanel(self)
        self.key_form = KeyCreatePanel(self)
        # the models get a clock over ctx, not a bound method of this tab: a model holding the
        # tab alive makes a cycle, and the garbage collector then tears the widget tree down
        # in an order Qt does not survive
        clock = sandbox_clock(ctx)
        self.keys = keys_model(clock, lambda: ctx.mask_secrets, self)
        self.tokens = tokens_model(clock, self)
        self.connections = connections_model(clock, self)
        self.journal = events_model(clock, self)
        self.roster = roster_model(clock, self)
        self.keys_view = record_table(self, self.keys, "Apps and keys")
        self.tokens_view = record_table(self, self.tokens, "Issued tokens")
        self.connections_view = record_table(self, self.connections, "Live connections")
        self.journal_view = record_table(self, self.journal, "Sandbox events")
        self.roster_view = record_table(self, self.roster, "Classroom roster")
        self.copy_key = _button(self, "Copy key", "Copy the full key (with its secret)")
        self.revoke_key = _button(self, "Revoke key", "Revoke the key itself: 40131 for its users")
        self.drop = _button(self, "Drop network", "Abort the socket; the client resumes")
        self.reauth = _button(self, "Send AUTH", "Ask the client to reauthenticate now")
        self.revoke_client = _button(self, "Revoke clientId", "Revoke this clientId's tokens")
        self.action_result = QLabel(self)
        self.details = QTabWidget(self)
        self._events: list[SandboxEvent] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._poll = QTimer(self)
        self._debounce = QTimer(self)
        self._build()
        self._connect_signals()
        self.snippets.set_masked(ctx.mask_secrets)  # presenter mode may be on from the start
        self.classroom.set_masked(ctx.mask_secrets)
        self._on_ctx_sandbox_changed()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sandbox status")
        self.action_result.setWordWrap(True)
        self.details.addTab(self._page(self.connections_view, None, self.drop, self.reauth,
                                       self.revoke_client), "Connections")  # fmt: skip
        self.details.addTab(self._page(self.tokens_view), "Issued tokens")
        self.details.addTab(self._page(self.keys_view, self.key_form, self.copy_key,
                                       self.revoke_key), "Apps and keys")  # fmt: skip
        self.details.addTab(self._page(self.journal_view), "Events")
        self.details.addTab(self._classroom_page(), "Classroom")
        forms = QHBoxLayout()
        forms.addWidget(self.settings_panel)
        forms.addWidget(self.revoke, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(self.action_result)
        right_layout.addLayout(forms)
        split = QSplitter(self)
        split.addWidget(self.snippets)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        char = self.fontMetrics().horizontalAdvance("M")
        split.setSizes([char * 46, char * 74])
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.tls)
        layout.addWidget(split, 1)

    def _classroom_page(self) -> QWidget:
        """The "Let attendees connect" switch, join URL, QR code, then the roster."""
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(self.classroom)
        layout.addWidget(self.roster_view, 1)
        return page

    def _page(
        self, view: QTableView, extra: QWidget | None = None, *buttons: QPushButton
    ) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(view, 1)
        if extra is not None:
            layout.addWidget(extra)
        if buttons:
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        return page

    def _connect_signals(self) -> None:
        self.ctx.sandbox_changed.connect(self._on_ctx_sandbox_changed)
        self.ctx.key_choices_changed.connect(self._on_ctx_key_choices_changed)
        self.ctx.mask_secrets_changed.connect(self._on_ctx_mask_secrets_changed)
        self.settings_panel.settings_applied.connect(self._on_settings_applied)
        self.revoke.revoke_requested.connect(self._on_revoke_requested)
        self.key_form.key_requested.connect(self._on_create_key_requested)
        self.key_form.app_requested.connect(self._on_create_app_requested)
        self.copy_key.clicked.connect(self._on_copy_key_clicked)
        self.revoke_key.clicked.connect(self._on_revoke_key_clicked)
        self.drop.clicked.connect(self._on_drop_clicked)
        self.reauth.clicked.connect(self._on_reauth_clicked)
        self.revoke_client.clicked.connect(self._on_revoke_client_clicked)
        self.classroom.open_requested.connect(self._on_classroom_open_requested)
        self._poll.setInterval(1000)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(100)
        self._debounce.timeout.connect(self.refresh)

    # -- state -----------------------------------------------------------------------------------

    @property
    def sandbox(self) -> Sandbox | None:
        """The embedded sandbox when its admin API is available (started, not yet stopped:
        a restart or the app's shutdown stops it before the context lets go of it)."""
        sandbox = self.ctx.sandbox
        return sandbox if isinstance(sandbox, Sandbox) and sandbox.running else None

    def mode(self) -> str:
        if self.sandbox is not None:
            return "embedded"
        return "external" if self.ctx.external_sandbox_url else "none"

    def _now_ms(self) -> int:
        return sandbox_clock(self.ctx)()

    def refresh(self) -> None:
        """Pull the admin lists (cheap, synchronous) into the models."""
        sandbox = self.sandbox
        if sandbox is None:
            return
        self.keys.replace(sandbox.list_keys())
        self.tokens.replace(sandbox.issued_tokens())
        self.connections.replace(sandbox.connections())
        self.journal.replace(list(reversed(self._events[-JOURNAL_LIMIT:])))
        self.roster.replace(sandbox.classroom.roster())
        keys = sandbox.list_keys()
        self.revoke.set_keys([(k.key_name, k.label) for k in keys if k.revocable and not k.revoked])

    # -- context ---------------------------------------------------------------------------------

    def _on_ctx_sandbox_changed(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        mode = self.mode()
        sandbox = self.sandbox
        for widget in (self.settings_panel, self.key_form, self.details, self.classroom):
            widget.setEnabled(mode == "embedded")
        if sandbox is not None:
            self._events = sandbox.events(JOURNAL_LIMIT)[::-1]
            self._unsubscribe = sandbox.subscribe(self._on_sandbox_event)
            self.settings_panel.show_settings(
                sandbox.settings.reauth_lead_ms, sandbox.settings.clock_skew_ms
            )
            self._poll.start()
        else:
            self._poll.stop()
            for model in (self.keys, self.tokens, self.connections, self.journal, self.roster):
                model.replace([])
        self._show_status(mode)
        self.snippets.set_endpoint(*self._urls())
        self._on_ctx_key_choices_changed()
        self.refresh()

    def _urls(self) -> tuple[str | None, str | None]:
        if self.sandbox is not None:
            return self.sandbox.rest_url, self.sandbox.ws_url
        url = self.ctx.external_sandbox_url
        ws = url.replace("http", "ws", 1) if url else None
        return url, ws

    def _show_status(self, mode: str) -> None:
        if mode == "embedded" and self.sandbox is not None:
            sb = self.sandbox
            room = sb.classroom
            where = (f"loopback, and for attendees {', '.join(room.join_urls())}" if room.open
                     else "loopback only")  # fmt: skip
            text = (f"<b>Embedded sandbox running</b> at {sb.rest_url} (REST and WebSocket on "
                    f"one port, {where}). Demo app {sb.demo_app_id} with keys "
                    f"{', '.join(sb.demo_keys)}.")  # fmt: skip
        elif mode == "none" and self.ctx.embedded_sandbox is not None:  # between stop and start
            text = "<b>Embedded sandbox stopped</b>: it restarts when the TLS switch changes."
        else:
            text = "<b>" + ("External sandbox" if mode == "external" else "No sandbox") + "</b>: "
            text += NO_ADMIN[mode].format(url=self.ctx.external_sandbox_url)
        self.status.setText(text)

    def _on_ctx_key_choices_changed(self) -> None:
        keys = {
            c.label: c.key.full() for c in self.ctx.key_choices() if c.key is not None
        }  # the secret stays in memory; the panel masks it on screen
        self.snippets.set_keys(keys)
        if self.sandbox is None:
            choices = self.ctx.key_choices()
            self.revoke.set_keys([(c.key_name, c.label) for c in choices if c.key is not None])

    def _on_ctx_mask_secrets_changed(self, masked: bool) -> None:
        self.snippets.set_masked(masked)
        self.classroom.set_masked(masked)
        self.keys.refresh()

    def _on_sandbox_event(self, event: SandboxEvent) -> None:
        self._events.append(event)
        del self._events[:-JOURNAL_LIMIT]
        if not self._debounce.isActive():
            self._debounce.start()

    def _on_poll_timeout(self) -> None:
        if self.isVisible():
            self.refresh()

    # -- admin actions (synchronous sandbox calls; UserError shown inline) ------------------------

    def _admin(self, what: str, action: Callable[[Sandbox], str]) -> None:
        sandbox = self.sandbox
        if sandbox is None:
            return
        try:
            show_result(self.action_result, action(sandbox))
        except UserError as exc:
            show_result(self.action_result, f"{what} failed", exc)
        self.refresh()

    def _on_settings_applied(self, lead_ms: int, skew_ms: int) -> None:
        sandbox = self.sandbox
        if sandbox is None:
            return
        try:
            s = sandbox.update_settings(reauth_lead_ms=lead_ms, clock_skew_ms=skew_ms)
            show_result(self.settings_panel.result,
                        f"AUTH {s.reauth_lead_ms / 1000:g} s before expiry, "
                        f"clock skew {s.clock_skew_ms / 1000:+g} s")  # fmt: skip
        except UserError as exc:
            show_result(self.settings_panel.result, "Not applied", exc)

    def _on_create_key_requested(self, capability: str, revocable: bool, label: str) -> None:
        def create(sb: Sandbox) -> str:
            key = sb.create_key(capability=capability, revocable=revocable, label=label)
            return f"Key {key.name} created"

        self._admin("Create key", create)

    def _on_create_app_requested(self, label: str) -> None:
        self._admin("Create app", lambda sb: f"App {sb.create_app(label)} created")

    def _selected(self, view: QTableView, model: RecordTableModel[Any]) -> Any | None:
        rows = view.selectionModel().selectedRows()
        return model.record(rows[0].row()) if rows else None

    def _on_copy_key_clicked(self) -> None:
        key = self._selected(self.keys_view, self.keys)
        if key is not None and self.sandbox is not None:
            QGuiApplication.clipboard().setText(self.sandbox.api_key(key.key_name).full())
            show_result(self.action_result, f"Key {key.key_name} copied (with its secret)")

    def _on_revoke_key_clicked(self) -> None:
        key = self._selected(self.keys_view, self.keys)
        if key is not None:
            self._admin("Revoke key", lambda sb: f"Key {key.key_name} revoked; "
                        f"{sb.revoke_key(key.key_name)} connection(s) ended")  # fmt: skip

    def _on_drop_clicked(self) -> None:
        conn = self._selected(self.connections_view, self.connections)
        if conn is not None:
            self._admin("Drop", lambda sb: f"{conn.connection_id}: dropped" if
                        sb.drop_connection(conn.connection_id) else "not connected")  # fmt: skip

    def _on_reauth_clicked(self) -> None:
        conn = self._selected(self.connections_view, self.connections)
        if conn is not None:
            self._admin("Send AUTH", lambda sb: f"{conn.connection_id}: AUTH sent" if
                        sb.request_reauth(conn.connection_id) else "not connected")  # fmt: skip

    def _on_revoke_client_clicked(self) -> None:
        conn = self._selected(self.connections_view, self.connections)
        if conn is None or conn.client_id in (None, "*"):
            show_result(self.action_result, "Select a connection with a clientId of its own")
            return
        self.revoke.kind.setCurrentText("clientId")
        self.revoke.value.setText(conn.client_id)
        self._on_revoke_requested(conn.key_name, f"clientId:{conn.client_id}", False)

    def _on_revoke_requested(self, key_name: str, target: str, margin: bool) -> None:
        sandbox = self.sandbox
        if sandbox is not None:
            try:
                results = sandbox.revoke_tokens(key_name, [target], allow_reauth_margin=margin)
            except UserError as exc:
                show_result(self.revoke.result, "Not revoked", exc)
                return
            lines = [f"{r.target}: {'failed, ' + str(r.error) if r.error else 'revoked'}"
                     for r in results]  # fmt: skip
            show_result(self.revoke.result, "; ".join(lines))
            self.refresh()
            return
        self._revoke_over_rest(key_name, target, margin)

    def _revoke_over_rest(self, key_name: str, target: str, margin: bool) -> None:
        url = self.ctx.external_sandbox_url
        key = next((c.key for c in self.ctx.key_choices() if c.key_name == key_name), None)
        if url is None or key is None:
            show_result(self.revoke.result, "Needs a sandbox URL and a key profile with a secret")
            return

        async def revoke() -> str:
            outcomes = await revoke_tokens(self.ctx.http, url, key, [target],
                                           allow_reauth_margin=margin)  # fmt: skip
            return "; ".join(o.describe() for o in outcomes) or "no answer"

        self.ctx.runner.submit(
            revoke,
            on_ok=lambda text: show_result(self.revoke.result, text),
            on_error=lambda exc: show_result(self.revoke.result, "Not revoked", exc),
            owner=self, key="revoke", label="Revoking tokens",
        )  # fmt: skip

    # -- classroom -------------------------------------------------------------------------------

    def _on_classroom_open_requested(self, wanted: bool) -> None:
        sandbox = self.sandbox
        if sandbox is None:
            self.classroom.show_closed("Classroom mode needs the embedded sandbox.")
            return
        hosts = self.classroom_hosts

        async def change() -> list[str]:
            if not wanted:
                await sandbox.close_classroom()
                return []
            chosen = hosts if hosts is not None else await asyncio.to_thread(local_addresses)
            return await sandbox.open_classroom(chosen)

        self.ctx.runner.submit(
            change, on_ok=self._on_classroom_changed, on_error=self.classroom.show_error,
            owner=self, key="classroom", label="Opening the classroom" if wanted else
            "Closing the classroom",
        )  # fmt: skip

    def _on_classroom_changed(self, urls: list[str]) -> None:
        sandbox = self.sandbox
        if urls and sandbox is not None:
            self.classroom.show_open(urls, sandbox.classroom.instructor_credential)
            self.details.setCurrentIndex(self.details.count() - 1)  # the roster
        else:
            self.classroom.show_closed("Attendees disconnected; the classroom listener is closed.")
        self._show_status(self.mode())
        self.refresh()

    # -- lifecycle -------------------------------------------------------------------------------

    def tab_shown(self) -> None:
        self.refresh()

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        pages = ("connections", "tokens", "keys", "events", "classroom")
        return [(name, functools.partial(self.details.setCurrentIndex, i))
                for i, name in enumerate(pages)]  # fmt: skip

    def shutdown(self) -> None:
        self._poll.stop()
        self._debounce.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


TAB = TabSpec("sandbox", "Sandbox", SandboxTab, "The embedded sandbox: keys, tokens, connections")
