"""Attendee connections as lanes on the Live timeline (classroom mode).

The embedded sandbox's event feed (``SandboxEvent``, the same feed the Sandbox tab's roster
reads) says when an attendee's connection opens, resumes, renews its token, is asked to
reauthenticate, fails or closes. ``fold_attendee_event`` turns one such event into the
timeline's own vocabulary (``Lane`` states, token bars and markers, in ``TimelineLanes``), so
attendees are drawn by the one timeline beside the instructor's own connections.
``AttendeeLanes`` is the "Show attendees on the timeline" switch: it subscribes to the sandbox
while on, replays what already happened, and removes the attendee lanes when turned off.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QWidget

from tokenlab.gui.context import AppContext
from tokenlab.gui.live.timeline import TimelineWidget
from tokenlab.gui.live.timeline_lanes import Lane, MarkerKind, TimelineLanes, TokenBar
from tokenlab.realtime.kinds import REVOCATION_CODES
from tokenlab.sandbox import Sandbox
from tokenlab.sandbox import config as ev

PREFIX = "Room: "
TOKEN_KINDS = {"Ably token": "ably_token", "Ably JWT": "jwt"}
HISTORY = 2_000  # sandbox events replayed when the switch is turned on


def lane_name(names: dict[str, str], client_id: str, connection_id: str) -> str:
    """``Room: ada`` for the attendee's first connection, ``Room: ada (2)`` for the next; the
    prefix keeps attendee lanes apart from the tab's own connections."""
    name = names.get(connection_id)
    if name is None:
        taken = set(names.values())
        name, n = f"{PREFIX}{client_id}", 1
        while name in taken:
            n += 1
            name = f"{PREFIX}{client_id} ({n})"
        names[connection_id] = name
    return name


def _token_bar(lane: Lane, event: ev.SandboxEvent) -> None:
    expires = event.data.get("expires")
    credential = str(event.data.get("credential", ""))
    kind = TOKEN_KINDS.get(credential.removeprefix("embedded "))
    if kind is None:  # a renewal does not say: the same kind as before
        kind = lane.tokens[-1].token_kind if lane.tokens else "unknown"
    label = f"{credential or 'token'} {event.client_id or ''}".strip()
    lane.add_token(TokenBar(event.at_ms, expires if isinstance(expires, int) else None, label,
                            kind))  # fmt: skip


def fold_attendee_event(
    lanes: TimelineLanes, event: ev.SandboxEvent, attendees: Container[str], names: dict[str, str]
) -> bool:
    """Fold one sandbox event into the attendee's lane (``names``: lane names by connection id,
    kept between calls); False when it is not an attendee's connection event."""
    cid, conn = event.client_id, event.connection_id
    if cid is None or conn is None or cid not in attendees:
        return False
    lane = lanes.lane(lane_name(names, cid, conn))
    lane.client_id = cid
    t = event.at_ms
    if event.kind in (ev.CONNECTION_OPENED, ev.CONNECTION_RESUMED):
        lane.add_state(t, "connected")
        if event.kind == ev.CONNECTION_OPENED or not lane.tokens:
            _token_bar(lane, event)
    elif event.kind == ev.AUTH_RENEWED:
        _token_bar(lane, event)
        lane.add_marker(t, "renewed", event.message)
    elif event.kind == ev.AUTH_REQUESTED:
        lane.add_marker(t, "server_auth", event.message)
    elif event.kind == ev.CONNECTION_CLOSED:
        lane.add_state(t, "closed")
        lane.add_marker(t, "disconnect", event.message)
    elif event.kind == ev.CONNECTION_FAILED:
        lane.add_state(t, "failed")
    elif event.kind == ev.REVOCATION:
        lane.add_marker(t, "revocation", event.message)
    if event.code is not None:
        kind: MarkerKind = "revocation" if event.code in REVOCATION_CODES else "error"
        lane.add_marker(t, kind, f"{event.code}: {event.message}")
    if lanes.first_ms is None or t < lanes.first_ms:
        lanes.first_ms = t
    lanes.last_ms = max(lanes.last_ms or t, t)
    return True


class AttendeeLanes(QObject):
    """The "Show attendees on the timeline" checkbox and the sandbox subscription behind it."""

    def __init__(self, ctx: AppContext, timeline: TimelineWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timeline = timeline
        self.checkbox = QCheckBox("Show attendees", parent)
        self.checkbox.setAccessibleName("Show attendees on the timeline")
        self.checkbox.setToolTip("Show attendees on the timeline: a lane per classroom "
                                 "attendee connection, from the embedded sandbox")  # fmt: skip
        self._unsubscribe: Callable[[], None] | None = None
        self._names: dict[str, str] = {}  # lane names by attendee connection id
        self.checkbox.toggled.connect(self._on_checkbox_toggled)
        ctx.sandbox_changed.connect(self._on_ctx_sandbox_changed)
        self._on_ctx_sandbox_changed()

    def _sandbox(self) -> Sandbox | None:
        sandbox = self.ctx.sandbox
        return sandbox if isinstance(sandbox, Sandbox) else None

    def _on_ctx_sandbox_changed(self) -> None:
        self.checkbox.setEnabled(self._sandbox() is not None)
        self._restart()

    def _on_checkbox_toggled(self, _checked: bool) -> None:
        self._restart()

    def _restart(self) -> None:
        self.stop()
        self._remove_lanes()
        sandbox = self._sandbox()
        if sandbox is None or not self.checkbox.isChecked():
            return
        for event in reversed(sandbox.events(HISTORY)):  # newest first: replay oldest first
            self._fold(event, sandbox)
        self._unsubscribe = sandbox.subscribe(lambda event: self._fold(event, sandbox))

    def _fold(self, event: ev.SandboxEvent, sandbox: Sandbox) -> None:
        lanes = self.timeline.lanes
        before = len(lanes.lanes)
        if fold_attendee_event(lanes, event, sandbox.classroom.attendees, self._names):
            self.timeline.lanes_changed(len(lanes.lanes) != before)

    def _remove_lanes(self) -> None:
        lanes = self.timeline.lanes
        gone = set(self._names.values())
        for name in gone:
            lanes.remove(name)
        self._names.clear()
        if gone:
            self.timeline.lanes_changed(True)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
