"""The one owner of a connection's state: state and errorReason, clientId, connectionId and
connectionKey, the server's connectionDetails and the current transport.

``ConnectionMachine`` changes them only through its methods (the run loop drives it; nothing
writes its fields), reports each change as an event (``StateChanged``, ``ClientIdResolved``)
and tells state listeners (channels RTL3, the pending queue RTN7e) what changed. The public
``Connection`` is a facade that reads it. No I/O here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.realtime.clock import Clock
from tokenlab.realtime.events import ConnectionState, EventBody, IdentityKind, StateChanged
from tokenlab.realtime.identity import ClientIdTracker, Source
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.state import TERMINAL, StateTracker
from tokenlab.realtime.transport import Transport

StateListener = Callable[[ConnectionState, ErrorInfo | None], None]


@dataclass(frozen=True)
class Connected:
    """What a CONNECTED frame meant: an ``update`` of a live connection (RTN24), a resume of
    the same connectionId (RTN15c6), or a new connection (``previous_id`` replaced)."""

    update: bool
    resumed: bool
    previous_id: str | None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class ConnectionMachine:
    def __init__(self, emit: Callable[[EventBody], None], clock: Clock | None = None) -> None:
        self._emit = emit
        self._states = StateTracker(self._on_state_event, clock)
        self._ids = ClientIdTracker(emit)
        self._listeners: list[StateListener] = []
        self._connection_id: str | None = None
        self._connection_key: str | None = None
        self._details: Mapping[str, Any] = {}
        self._transport: Transport | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._states.state

    @property
    def error_reason(self) -> ErrorInfo | None:
        return self._states.error_reason

    @property
    def client_id(self) -> str | None:
        return self._ids.client_id

    @property
    def identity(self) -> IdentityKind:
        return self._ids.kind

    @property
    def connection_id(self) -> str | None:
        return self._connection_id

    @property
    def connection_key(self) -> str | None:
        return self._connection_key

    @property
    def details(self) -> Mapping[str, Any]:
        return self._details

    @property
    def transport(self) -> Transport | None:
        return self._transport

    @property
    def states(self) -> StateTracker:
        """The tracker, for awaiting a state (``wait_for``)."""
        return self._states

    # -- listeners -------------------------------------------------------------------------

    def add_state_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener(state, reason)`` after every state change (not on ``update``)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _on_state_event(self, body: EventBody) -> None:
        self._emit(body)
        if isinstance(body, StateChanged) and body.event != "update":
            for listener in list(self._listeners):
                listener(body.current, body.reason)

    # -- changing --------------------------------------------------------------------------

    def set_state(
        self, new: ConnectionState, reason: ErrorInfo | None = None, retry_in: int | None = None
    ) -> None:
        self._states.set(new, reason, retry_in)

    def set_error_reason(self, reason: ErrorInfo) -> None:
        """A failure that leaves the state as it is (a failed reauth while connected)."""
        self._states.error_reason = reason

    def start(self, option_client_id: str | None) -> None:
        """connect(): a connection restarted after closed/failed starts afresh (RTN11d)."""
        if self.state in TERMINAL:
            self._ids.reset()
            self._connection_id = self._connection_key = None
            self._states.error_reason = None
        if self._ids.client_id is None and option_client_id:
            self._ids.apply(option_client_id, "options")
        self.set_state("connecting")

    def apply_client_id(self, client_id: str, source: Source) -> None:
        """A clientId from a token or CONNECTED; AblyError 40102 if it contradicts."""
        self._ids.apply(client_id, source)

    def use_transport(self, transport: Transport | None) -> None:
        self._transport = transport

    def forget_resume(self) -> None:
        """RTN15g: the server's state is gone; the next attempt starts a new connection."""
        self._connection_key = None

    def connected(self, msg: Mapping[str, Any]) -> Connected:
        """Take in a CONNECTED frame (AblyError 40102 if its clientId contradicts ours)."""
        raw = msg.get("connectionDetails")
        details: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        client_id = details.get("clientId")
        if isinstance(client_id, str):
            self._ids.apply(client_id, "connected")
        elif self.state != "connected":
            self._ids.confirm_unidentified("connected")
        update = self.state == "connected"
        previous = self._connection_id
        self._connection_id = _str(msg.get("connectionId")) or previous
        self._connection_key = _str(details.get("connectionKey")) or _str(msg.get("connectionKey"))
        self._details = details
        resumed = previous is not None and previous == self._connection_id
        return Connected(update, resumed, previous)

    def update(self, reason: ErrorInfo | None) -> None:
        """RTN24: a CONNECTED while connected."""
        self._states.update(reason)
