"""The Live tab: named realtime connections side by side, their timeline, the event log with a
details pane, a channel panel, and session export.

It composes the widgets and hands requests to ``LiveSession`` (which runs them through the
runner); the realtime work happens in ``tokenlab.realtime``. Events reach the view through
``EventFeed``, which batches them so 100k events never stall the window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QSplitter, QVBoxLayout, QWidget

from tokenlab.core.clock import NowMs, system_now_ms
from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.gui.context import AppContext, UseInLive
from tokenlab.gui.live.attendee_lanes import AttendeeLanes
from tokenlab.gui.live.authorize_dialog import AuthorizeDialog
from tokenlab.gui.live.channel_panel import ChannelPanel
from tokenlab.gui.live.connection_list import CUSTOM, ConnectionsPanel
from tokenlab.gui.live.connections import (
    PRESET_KEYS,
    ConnectionListModel,
    ConnectionSpec,
    Endpoints,
    preset,
    production_warning,
    spec_from_state,
    spec_to_state,
    unique_name,
)
from tokenlab.gui.live.event_log import DetailsPane, EventLogPanel
from tokenlab.gui.live.log_model import EventFeed, EventLogModel
from tokenlab.gui.live.log_store import LogEntry
from tokenlab.gui.live.messages import ChannelMessagesModel
from tokenlab.gui.live.revoke_plan import RevokePlan
from tokenlab.gui.live.session import LiveSession
from tokenlab.gui.live.timeline import TimelineWidget
from tokenlab.gui.live.timeline_paint import STATE_COLOURS
from tokenlab.gui.tabs.base import TabPage, TabSpec
from tokenlab.realtime.connection import Connection
from tokenlab.realtime.manager import ConnectionManager

STREAM_BUFFER = 1_000
AUTHORIZE_TIP = "authorize() with a new capability or TTL"
REVOKE_TIP = "Revoke this connection's tokens (revokeTokens)"
LIVE_STATES = ("connecting", "connected", "disconnected", "suspended")


class LiveTab(TabPage):
    tab_id = "live"
    title = "Live"

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        now_ms: NowMs = system_now_ms,  # real time: tokens must match the server's clock
        manager: ConnectionManager | None = None,
        options_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        # The log keeps every event (compactly); the stream only buffers until the listener.
        self.manager = manager or ConnectionManager(now_ms=now_ms, capacity=STREAM_BUFFER)
        self.session = LiveSession(ctx, self.manager, options_overrides or {}, self)
        self.log_model = EventLogModel(self)
        self.feed = EventFeed(self.log_model, self)
        self.connections = ConnectionListModel(self, state_colour=_state_colour)
        self.messages = ChannelMessagesModel(self)
        self.channel = ChannelPanel(self.messages, self)
        self.panel = ConnectionsPanel(self.connections, self.channel, self)
        self.timeline = TimelineWidget(self, now_ms=now_ms)
        self.attendees = AttendeeLanes(ctx, self.timeline, self)
        self.timeline.add_tool(self.attendees.checkbox)
        self.log = EventLogPanel(self.log_model, self)
        self.details = DetailsPane(self)
        self.authorize_dialog = AuthorizeDialog(self)
        self._selected: str | None = None
        self._warned: str | None = None
        self._file_dialog: QFileDialog | None = None
        self._file_dialog_kind = "ndjson"
        self._build()
        self._connect_signals()
        self._unlisten = self.manager.events.add_listener(self.feed.push)
        self._restore_connections()
        self._on_ctx_keys_changed()
        self._on_ctx_mask_secrets_changed(ctx.mask_secrets)
        self._update_actions()

    def _build(self) -> None:
        right = QSplitter(Qt.Orientation.Vertical, self)
        bottom = QSplitter(Qt.Orientation.Horizontal, right)
        bottom.addWidget(self.log)
        bottom.addWidget(self.details)
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 1)
        char = self.fontMetrics().horizontalAdvance("M")
        bottom.setSizes([char * 60, char * 26])  # the log's Summary column needs the room
        right.addWidget(self.timeline)
        right.addWidget(bottom)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        outer = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.panel)
        outer.addWidget(right)
        outer.setStretchFactor(0, 0)
        outer.setStretchFactor(1, 1)
        outer.setSizes([char * 30, char * 90])
        layout = QVBoxLayout(self)
        layout.addWidget(outer)

    def _connect_signals(self) -> None:
        p = self.panel
        p.preset_chosen.connect(self._on_panel_preset_chosen)
        p.demo_requested.connect(self._on_panel_demo_requested)
        p.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        p.connect_button.clicked.connect(self._on_connect_clicked)
        p.disconnect_button.clicked.connect(self._on_disconnect_clicked)
        p.authorize.clicked.connect(self._on_authorize_clicked)
        p.drop.clicked.connect(self._on_drop_clicked)
        p.revoke.clicked.connect(self._on_revoke_clicked)
        p.remove.clicked.connect(self._on_remove_clicked)
        p.export_ndjson.clicked.connect(self._on_export_ndjson_clicked)
        p.export_report.clicked.connect(self._on_export_report_clicked)
        self.authorize_dialog.authorize_requested.connect(self._on_dialog_authorize_requested)
        self.session.status_reported.connect(self._on_session_status_reported)
        self.session.channel_result.connect(self._on_session_channel_result)
        self.channel.attach_requested.connect(self._on_channel_attach_requested)
        self.channel.detach_requested.connect(self._on_channel_detach_requested)
        self.channel.publish_requested.connect(self._on_channel_publish_requested)
        self.channel.presence_requested.connect(self._on_channel_presence_requested)
        self.feed.entries_flushed.connect(self._on_feed_entries_flushed)
        self.log.entry_selected.connect(self.details.show_entry)
        self.timeline.canvas.marker_clicked.connect(self._on_canvas_marker_clicked)
        self.ctx.mask_secrets_changed.connect(self._on_ctx_mask_secrets_changed)
        self.ctx.key_choices_changed.connect(self._on_ctx_keys_changed)
        self.ctx.use_in_live.connect(self._on_ctx_use_in_live)

    # -- helpers ----------------------------------------------------------------------------------

    def _keys(self) -> dict[str, ApiKey]:
        return {c.key_name: c.key for c in self.ctx.key_choices() if c.key is not None}

    def _endpoints(self) -> Endpoints:
        sandbox = self.ctx.sandbox
        if sandbox is not None:
            return Endpoints(sandbox.ws_url, sandbox.rest_url)
        return Endpoints(None, self.ctx.external_sandbox_url)

    def _default_key(self, preset_name: str) -> str:
        sandbox = self.ctx.sandbox
        wanted = PRESET_KEYS.get(preset_name, "revocable")
        if sandbox is not None and wanted in sandbox.demo_keys:
            return sandbox.demo_keys[wanted].name
        choices = self.ctx.key_choices()
        return choices[0].key_name if choices else ""

    def _connection(self) -> Connection | None:
        return self.session.connection(self._selected)

    def _store_editor_spec(self) -> ConnectionSpec | None:
        """Keep the editor's changes in the list; None (and an inline error) if invalid."""
        row = self.connections.row_of(self._selected) if self._selected else -1
        if row < 0:
            return None
        try:
            spec = self.panel.editor.spec()
        except UserError as exc:
            self.panel.editor.show_error(exc.message)
            return None
        if not spec.name:
            self.panel.editor.show_error("A connection needs a name.")
            return None
        if spec.name != self._selected and spec.name in self.connections.names():
            self.panel.editor.show_error(f"A connection named {spec.name!r} already exists.")
            return None
        self.panel.editor.show_error(None)
        self.connections.replace(row, spec)
        self._selected = spec.name
        return spec

    def add_spec(self, spec: ConnectionSpec) -> int:
        row = self.connections.add(spec)
        self.log.set_connections(self.connections.names())
        self.panel.select_row(row)
        return row

    def _update_actions(self) -> None:
        conn = self._connection()
        live = conn is not None and conn.state in LIVE_STATES
        p = self.panel
        p.connect_button.setEnabled(self._selected is not None and not live)
        p.disconnect_button.setEnabled(live)
        can_renew = conn is not None and conn.auth.can_renew
        p.authorize.setEnabled(live and can_renew)
        p.authorize.setToolTip(
            AUTHORIZE_TIP if can_renew or conn is None else
            "A literal token cannot be replaced: authorize() needs a key, authUrl or "
            "authCallback to get a new token (40171)"
        )  # fmt: skip
        plan = self._revoke_plan()
        p.revoke.setEnabled(plan is not None and plan.target is not None)
        p.revoke.setToolTip(plan.before if plan is not None else REVOKE_TIP)
        p.drop.setEnabled(conn is not None and conn.state == "connected")
        p.remove.setEnabled(self._selected is not None)
        # A closed connection keeps its channel panel: what it refuses is worth seeing.
        self.channel.set_enabled_for(self._selected if conn is not None else None)

    def _revoke_plan(self) -> RevokePlan | None:
        name = self._selected
        row = self.connections.row_of(name) if name else -1
        if name is None or row < 0 or self._connection() is None:
            return None
        key = self._keys().get(self.connections.spec(row).key_name)
        token = self.feed.last_token(name)
        return self.session.revoke_plan(name, key, token.jwt_claims if token else None)

    # -- connection list -------------------------------------------------------------------------

    def _on_panel_preset_chosen(self, name: str) -> None:
        self._store_editor_spec()
        taken = self.connections.names()
        base = name if name != CUSTOM else "Connection"
        rest = self._endpoints().sandbox_rest
        self.add_spec(preset(base, self._default_key(name), taken, rest))

    def _on_panel_demo_requested(self) -> None:
        for name in ("Alice", "Bob"):
            self._on_panel_preset_chosen(name)
            self._on_connect_clicked()

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._store_editor_spec()
        if not current.isValid():
            self._selected = None
        else:
            spec = self.connections.spec(current.row())
            self._selected = spec.name
            self.panel.editor.set_spec(spec)
        self.messages.show_connection(self._selected, self.log_model.entries())
        self._update_actions()

    # -- actions ---------------------------------------------------------------------------------

    def _on_connect_clicked(self) -> None:
        previous = self._selected
        spec = self._store_editor_spec()
        if spec is None:
            return
        warning = production_warning(spec, self.ctx.key_choices())
        if warning is not None and self._warned != spec.name:
            self._warned = spec.name  # said once: Connect again to go ahead
            self.panel.show_status(warning, "warning")
            return
        self._warned = None
        stale = previous if previous != spec.name else None
        try:
            self.session.start(spec, self._keys(), self._endpoints(), stale)
        except UserError as exc:
            self.panel.editor.show_error(exc.message)

    def _on_disconnect_clicked(self) -> None:
        if self._selected is not None:
            self.session.close(self._selected)

    def _on_drop_clicked(self) -> None:
        if self._selected is not None:
            self.session.drop(self._selected)

    def _on_remove_clicked(self) -> None:
        name = self._selected
        row = self.connections.row_of(name) if name else -1
        if name is None or row < 0:
            return
        self.session.remove(name)
        self._selected = None
        self.connections.remove(row)
        self.log.set_connections(self.connections.names())

    def _on_authorize_clicked(self) -> None:
        spec = self._store_editor_spec()
        if spec is not None and self._connection() is not None:
            self.authorize_dialog.start(spec.name, spec.capability, spec.ttl_s)

    def _on_dialog_authorize_requested(self, name: str, capability: str, ttl_s: int) -> None:
        self.session.authorize(name, capability, ttl_s)

    def _on_revoke_clicked(self) -> None:
        spec = self._store_editor_spec()
        if spec is not None:
            token = self.feed.last_token(spec.name)
            claims = token.jwt_claims if token else None
            self.session.revoke(spec.name, self._keys().get(spec.key_name), claims)

    def _on_session_status_reported(self, text: str, severity: str) -> None:
        self.panel.show_status(text, severity)
        self._update_actions()

    # -- channel panel ---------------------------------------------------------------------------

    def _on_channel_attach_requested(self, channel: str) -> None:
        self.session.attach(self._selected, channel)

    def _on_channel_detach_requested(self, channel: str) -> None:
        self.session.detach(self._selected, channel)

    def _on_channel_publish_requested(
        self, channel: str, name: str, data: str, client_id: object
    ) -> None:
        cid = client_id if isinstance(client_id, str) else None
        self.session.publish(self._selected, channel, name or None, data, cid)

    def _on_channel_presence_requested(self, channel: str, action: str) -> None:
        self.session.presence(self._selected, channel, action)

    def _on_session_channel_result(self, text: str, error: object) -> None:
        self.channel.show_result(text, error if isinstance(error, UserError) else None)

    # -- events ----------------------------------------------------------------------------------

    def _on_feed_entries_flushed(self, batch: list[LogEntry]) -> None:
        self.timeline.ingest(batch)
        self.connections.apply_entries(batch)
        self.messages.apply_entries(batch)
        self._update_actions()

    def _on_canvas_marker_clicked(self, seq: int) -> None:
        self.log.select_seq(seq)

    # -- export ----------------------------------------------------------------------------------

    def _open_save_dialog(self, title: str, filename: str, filters: str, kind: str) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, title, str(Path(folder or Path.home()) / filename), filters)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # A bound method, not a lambda holding self: PySide keeps a lambda alive from C++, which
        # would keep the whole tab (and its dialog) out of the garbage collector's reach.
        dialog.fileSelected.connect(self._on_file_dialog_file_selected)
        self._file_dialog, self._file_dialog_kind = dialog, kind
        dialog.open()

    def _on_file_dialog_file_selected(self, path: str) -> None:
        self.export_to(self._file_dialog_kind, path)

    def _on_export_ndjson_clicked(self) -> None:
        self._open_save_dialog("Export events as NDJSON", "tokenlab-session.ndjson",
                               "NDJSON (*.ndjson *.jsonl)", "ndjson")  # fmt: skip

    def _on_export_report_clicked(self) -> None:
        self._open_save_dialog("Export a Markdown report", "tokenlab-session.md",
                               "Markdown (*.md)", "markdown")  # fmt: skip

    def export_to(self, kind: str, path: str) -> None:
        """Export every logged event to ``path`` (NDJSON or the Markdown report)."""
        self.session.export(kind, path, list(self.log_model.entries()))

    # -- context ---------------------------------------------------------------------------------

    def _on_ctx_mask_secrets_changed(self, masked: bool) -> None:
        self.details.set_masked(masked)
        self.panel.editor.set_masked(masked)

    def _on_ctx_keys_changed(self) -> None:
        self.panel.editor.set_keys(self.ctx.key_choices())

    def _on_ctx_use_in_live(self, request: object) -> None:
        if not isinstance(request, UseInLive):
            return
        self._store_editor_spec()
        name = unique_name(request.label or "Pasted", self.connections.names())
        if request.kind == "key":
            spec = ConnectionSpec(name, auth_mode="key", key_name=request.value)
        else:
            spec = ConnectionSpec(name, auth_mode="token", token=request.value)
        if request.rest_url and request.rest_url != self._endpoints().sandbox_rest:
            spec = dataclasses.replace(spec, endpoint="custom", custom_url=request.rest_url)
        self.add_spec(spec)

    def screenshot_states(self) -> Sequence[tuple[str, Callable[[], None]]]:
        """``--screenshot``: the empty tab, then the demo (Alice and Bob connecting)."""
        return [("", lambda: None), ("demo", self._on_panel_demo_requested)]

    # -- lifecycle -------------------------------------------------------------------------------

    def _restore_connections(self) -> None:
        saved = self.ctx.settings.tab_state.get(self.tab_id, {}).get("connections", [])
        for state in saved if isinstance(saved, list) else []:
            spec = spec_from_state(state) if isinstance(state, dict) else None
            if spec is not None and spec.name not in self.connections.names():
                self.connections.add(spec)
        self.log.set_connections(self.connections.names())

    def _save_connections(self) -> None:
        self._store_editor_spec()
        specs = [
            spec_to_state(self.connections.spec(r)) for r in range(self.connections.rowCount())
        ]
        state = self.ctx.settings.with_tab_state(self.tab_id, {"connections": specs})
        self.ctx.update_settings(tab_state=state.tab_state)

    def shutdown(self) -> None:
        self._save_connections()
        self._unlisten()
        self.attendees.stop()
        self.timeline.stop()

    async def aclose(self) -> None:
        """Close every connection (CLOSE handshake where possible); safe to call twice."""
        await self.session.aclose()


def _state_colour(state: str) -> Any:
    return STATE_COLOURS.get(state, STATE_COLOURS["initialized"])


TAB = TabSpec("live", "Live", LiveTab, "Live connections: states, tokens, renewals, frames")
