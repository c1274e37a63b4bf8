"""Compact GUI-side records of live-connection events, adapted from ``tokenlab.realtime.events``.

The Live tab keeps up to hundreds of thousands of events, so each one becomes a small immutable
``LogEntry`` tuple with its one-line summary computed once. Protocol frames drop their parsed
message dict (the raw text or bytes is enough to decode again for the details pane or an
export). No Qt here.
"""

from __future__ import annotations

import sys
from enum import IntEnum
from typing import Any, NamedTuple

from tokenlab.core.errors import is_token_error
from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientIdResolved,
    Event,
    EventBody,
    EventsDropped,
    FrameReceived,
    FrameSent,
    HttpExchange,
    MessageReceived,
    Note,
    PresenceReceived,
    RenewalFailed,
    RenewalStarted,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.redact import redact_text


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2


class FrameRecord(NamedTuple):
    """A protocol frame without its parsed dict: ``raw`` is decoded again on demand."""

    sent: bool
    action: int
    action_name: str
    channel: str | None
    raw: str | bytes
    error: ErrorInfo | None


Payload = FrameRecord | EventBody


class LogEntry(NamedTuple):
    """One row of the event log. ``code`` is the Ably error code the event carries, if any.

    ``severity`` is a plain int (a ``Severity`` value). The log stores rows packed as exact
    tuples of plain values (see ``live_packing``).
    """

    seq: int
    conn_seq: int
    wall_ms: int
    mono_ms: float
    connection: str
    kind: str
    summary: str
    severity: int
    code: int | None
    payload: Payload
    previous_token: TokenObtained | None = None  # for the token diff on renewal


KIND_LABELS: dict[str, str] = {
    "frame_sent": "frame ↑",
    "frame_received": "frame ↓",
    "state_changed": "state",
    "client_id": "clientId",
    "token_obtained": "token",
    "renewal_started": "renewal",
    "renewal_succeeded": "renewal",
    "renewal_failed": "renewal",
    "channel_state": "channel",
    "message": "message",
    "presence": "presence",
    "http": "http",
    "note": "note",
    "events_dropped": "dropped",
}


def _error_severity(error: ErrorInfo | None) -> Severity:
    if error is None:
        return Severity.INFO
    return Severity.WARNING if is_token_error(error.code) else Severity.ERROR


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _err(error: ErrorInfo | None) -> str:
    return f" [{error.code} {_short(error.message, 80)}]" if error is not None else ""


def _describe_frame(body: FrameSent | FrameReceived) -> str:
    arrow = "→" if isinstance(body, FrameSent) else "←"
    channel = f" {body.channel}" if body.channel else ""
    return f"{arrow} {body.action_name}{channel}{_err(body.error)}"


def _describe_state(body: StateChanged) -> str:
    if body.event == "update":
        text = "update (connected, reauthorised)"
    else:
        text = f"{body.previous} → {body.current}"
    if body.retry_in_ms is not None:
        text += f", retry in {body.retry_in_ms / 1000:g} s"
    return text + _err(body.reason)


def _describe_token(body: TokenObtained) -> str:
    parts = [f"{body.token_kind} via {body.source} ({body.trigger})"]
    if body.client_id is not None:
        parts.append(f"clientId {body.client_id!r}")
    if body.issued_ms is not None and body.expires_ms is not None:
        parts.append(f"ttl {(body.expires_ms - body.issued_ms) / 1000:g} s")
    if body.changes:
        parts.append("; ".join(body.changes))
    return ", ".join(parts)


def _describe_renewal(body: RenewalStarted | RenewalSucceeded | RenewalFailed) -> str:
    if isinstance(body, RenewalStarted):
        return f"renewal started ({body.trigger}){_err(body.reason)}"
    if isinstance(body, RenewalSucceeded):
        return f"renewal succeeded ({body.trigger}) in {body.duration_ms:.0f} ms"
    return f"renewal failed ({body.trigger}){_err(body.error)}"


def _describe_http(body: HttpExchange) -> str:
    status = str(body.status) if body.status is not None else "no response"
    url = _short(redact_text(body.url), 80)  # authUrl queries may carry secrets
    return f"{body.method} {url} → {status} ({body.elapsed_ms:.0f} ms)" + _err(body.error)


def describe(body: EventBody) -> str:
    """The one-line summary shown in the log's Summary column."""
    match body:
        case FrameSent() | FrameReceived():
            return _describe_frame(body)
        case StateChanged():
            return _describe_state(body)
        case ClientIdResolved():
            return f"clientId {body.client_id!r} {body.status} from {body.source} ({body.identity})"
        case TokenObtained():
            return _describe_token(body)
        case RenewalStarted() | RenewalSucceeded() | RenewalFailed():
            return _describe_renewal(body)
        case ChannelStateChanged():
            return f"{body.channel}: {body.previous} → {body.current}{_err(body.reason)}"
        case MessageReceived():
            who = body.client_id if body.client_id is not None else "(no clientId)"
            return f"{body.channel}: {body.name or '(unnamed)'} from {who}: {_short(body.data)}"
        case PresenceReceived():
            return f"{body.channel}: presence {body.action} {body.client_id!r}"
        case HttpExchange():
            return _describe_http(body)
        case Note():
            return body.text
        case EventsDropped():
            return f"{body.count} events dropped (seq {body.first_seq}-{body.last_seq})"
    return repr(body)  # pragma: no cover - the union above is exhaustive


def body_error(body: EventBody) -> ErrorInfo | None:
    """The ErrorInfo an event carries (frame error, state reason, renewal failure...)."""
    match body:
        case FrameSent() | FrameReceived() | HttpExchange():
            return body.error
        case StateChanged() | ChannelStateChanged() | RenewalStarted():
            return body.reason
        case RenewalFailed():
            return body.error
    return None


def severity_of(body: EventBody) -> Severity:
    match body:
        case Note():
            return Severity(("info", "warning", "error").index(body.level))
        case EventsDropped() | RenewalFailed():
            return Severity.WARNING if isinstance(body, EventsDropped) else Severity.ERROR
        case StateChanged() if body.current == "failed":
            return Severity.ERROR
        case StateChanged() if body.current in ("disconnected", "suspended"):
            return max(Severity.WARNING, _error_severity(body.reason))
    return _error_severity(body_error(body))


_intern = sys.intern


class EntryAdapter:
    """Turns realtime ``Event`` objects into ``LogEntry`` rows, remembering each connection's
    previous token so a renewal row can show what changed."""

    def __init__(self) -> None:
        self._last_token: dict[str, TokenObtained] = {}

    def adapt(self, event: Event) -> LogEntry:
        body = event.body
        error = body_error(body)
        payload: Payload = body
        previous: TokenObtained | None = None
        if isinstance(body, FrameSent | FrameReceived):
            sent = isinstance(body, FrameSent)
            payload = FrameRecord(
                sent, body.action, body.action_name, body.channel, body.raw, body.error
            )
        elif isinstance(body, TokenObtained):
            previous = self._last_token.get(event.connection)
            self._last_token[event.connection] = body
        return LogEntry(
            event.seq,
            event.conn_seq,
            event.wall_ms,
            event.mono_ms,
            _intern(event.connection),
            body.kind,
            describe(body),
            int(severity_of(body)),
            error.code if error is not None else None,
            payload,
            previous,
        )

    def forget(self, connection: str) -> None:
        self._last_token.pop(connection, None)
