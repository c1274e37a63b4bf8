"""The event-kind registry: one entry per kind of live event, read by every view of events.

Each ``KindSpec`` knows a kind's label, its filter group, how to say it in one line, its
severity, the Ably error it carries (explained by ``codes.py``) and the timeline marker it
places. ``tokenlab watch``, the NDJSON and Markdown exports, the Live tab's event log, details
pane and timeline all read ``KINDS``; adding an event kind means adding one entry here (a
test fails if a kind the stream can emit has none). Summaries never contain secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from tokenlab.core.errors import is_token_error
from tokenlab.core.timefmt import duration
from tokenlab.core.wire import Action
from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientIdResolved,
    ClientRefusal,
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


MarkerKind = Literal[
    "renewal", "renewed", "authorize", "server_auth", "update", "disconnect", "revocation",
    "refusal", "warning", "error",
]  # fmt: skip
# Every marker the timeline can draw, in legend order, with its legend text.
MARKERS: dict[MarkerKind, str] = {
    "renewal": "renewing",
    "renewed": "renewed",
    "authorize": "authorize()",
    "server_auth": "server AUTH",
    "update": "update",
    "disconnect": "disconnect",
    "revocation": "revoked",
    "refusal": "refused",
    "warning": "warning",
    "error": "error",
}
REVOCATION_CODES = frozenset({40141, 40131})
TRIGGERS = {
    "server_auth": "server AUTH",
    "token_error": "token error",
    "authorize": "authorize()",
    "connect": "connect",
}
Marker = tuple[MarkerKind, str] | None


def short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def err_text(error: ErrorInfo | None) -> str:
    return f" [{error.code} {short(error.message, 80)}]" if error is not None else ""


def error_severity(error: ErrorInfo | None) -> Severity:
    if error is None:
        return Severity.INFO
    return Severity.WARNING if is_token_error(error.code) else Severity.ERROR


def error_marker(error: ErrorInfo | None, prefix: str = "") -> Marker:
    if error is None:
        return None
    label = f"{prefix}{error.code} {error.message}"
    if error.code in REVOCATION_CODES:
        return "revocation", label
    return ("warning" if is_token_error(error.code) else "error"), label


def span(ms: float) -> str:
    """A duration as people say it: ``250 ms``, ``1.5 s``, ``59 s``, ``4 min 10 s``."""
    ms = abs(ms)
    if ms < 1:
        return "under 1 ms"
    if 1000 <= ms < 10_000:
        return f"{ms / 1000:.1f} s"
    return duration(round(ms))


def expiry_text(expires_ms: int | None, at_ms: int) -> str:
    if expires_ms is None:
        return "expiry unknown (opaque token)"
    left = expires_ms - at_ms
    return f"expires in {span(left)}" if left >= 0 else f"expired {span(left)} ago"


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What every view needs to know about one kind of event."""

    kind: str
    label: str  # the log's Kind column
    group: str  # the log's kind filter
    summary: Callable[[Any, int], str]  # (body, event wall_ms) -> one line
    severity: Callable[[Any], Severity]
    error: Callable[[Any], ErrorInfo | None]
    marker: Callable[[Any], Marker]
    redact: bool = False  # the summary may quote secrets (URLs, free text): redact it


def _none(_body: Any) -> None:
    return None


def _error_field(body: Any) -> ErrorInfo | None:
    error: ErrorInfo | None = body.error
    return error


def _reason_field(body: Any) -> ErrorInfo | None:
    reason: ErrorInfo | None = body.reason
    return reason


def _by_error(error: Callable[[Any], ErrorInfo | None]) -> Callable[[Any], Severity]:
    return lambda body: error_severity(error(body))


# -- frames ---------------------------------------------------------------------------------


def _frame_summary(body: FrameSent | FrameReceived, _at: int) -> str:
    arrow = "→" if isinstance(body, FrameSent) else "←"
    channel = f" {body.channel}" if body.channel else ""
    return f"{arrow} {body.action_name}{channel}{err_text(body.error)}"


def frame_marker(sent: bool, action: int, error: ErrorInfo | None) -> Marker:
    """The marker of a frame (also used on the Live log's compact frame records)."""
    if not sent and action == Action.AUTH:
        return "server_auth", "server asked to reauthorise (AUTH)"
    if action == Action.NACK and error is not None:
        return error_marker(error, "NACK ")
    return None


def _frame_marker(body: FrameSent | FrameReceived) -> Marker:
    return frame_marker(isinstance(body, FrameSent), body.action, body.error)


# -- connection -----------------------------------------------------------------------------


def _state_summary(body: StateChanged, _at: int) -> str:
    if body.event == "update":
        text = "update (still connected)"
    else:
        text = f"{body.previous} → {body.current}"
    if body.retry_in_ms == 0:
        text += ", retrying at once"
    elif body.retry_in_ms is not None:
        text += f", retry in {span(body.retry_in_ms)}"
    return text + err_text(body.reason)


def _state_severity(body: StateChanged) -> Severity:
    if body.current == "failed":
        return Severity.ERROR
    if body.current in ("disconnected", "suspended"):
        return Severity.WARNING  # transient: the client retries on its own (RTN14d, RTN15)
    return error_severity(body.reason)


def _state_marker(body: StateChanged) -> Marker:
    if body.event == "update":
        return "update", "reauthorised (update)"
    if body.reason is not None and body.reason.code in REVOCATION_CODES:
        return error_marker(body.reason)
    if body.current in ("disconnected", "suspended"):
        why = f": {body.reason.code} {body.reason.message}" if body.reason else ""
        return "disconnect", f"{body.current}{why}"
    return error_marker(body.reason)


def _client_id_summary(body: ClientIdResolved, _at: int) -> str:
    if body.client_id is None:
        return f"clientId: unidentified (anonymous) from {body.source}"
    return f"clientId {body.client_id!r} {body.status} from {body.source} ({body.identity})"


def _token_summary(body: TokenObtained, at: int) -> str:
    parts = [f"{body.token_kind} via {body.via} from {body.source} ({TRIGGERS[body.trigger]})"]
    parts.append(expiry_text(body.expires_ms, at))
    if body.client_id is not None:
        parts.append(f"clientId {body.client_id!r}")
    if body.changes:
        parts.append("; ".join(body.changes))
    return ", ".join(parts)


def _renewal_started(body: RenewalStarted, _at: int) -> str:
    return f"renewal started ({TRIGGERS[body.trigger]}){err_text(body.reason)}"


def _renewal_started_marker(body: RenewalStarted) -> Marker:
    if body.trigger == "authorize":
        return "authorize", "authorize() started"
    return "renewal", f"renewal started ({TRIGGERS[body.trigger]})"


def _renewal_succeeded(body: RenewalSucceeded, at: int) -> str:
    return (
        f"renewal succeeded ({TRIGGERS[body.trigger]}) in {span(body.duration_ms)}, "
        f"{expiry_text(body.expires_ms, at)}"
    )


def _renewal_failed(body: RenewalFailed, _at: int) -> str:
    return f"renewal failed ({TRIGGERS[body.trigger]}){err_text(body.error)}"


# -- channels -------------------------------------------------------------------------------


def _channel_summary(body: ChannelStateChanged, _at: int) -> str:
    return f"channel {body.channel}: {body.previous} → {body.current}{err_text(body.reason)}"


def _message_summary(body: MessageReceived, _at: int) -> str:
    who = repr(body.client_id) if body.client_id is not None else "(no clientId)"
    return f"{body.channel}: {body.name or '(unnamed)'} from {who}: {short(body.data)}"


def _presence_summary(body: PresenceReceived, _at: int) -> str:
    who = repr(body.client_id) if body.client_id is not None else "(no clientId)"
    return f"{body.channel}: presence {body.action} {who}"


def _http_summary(body: HttpExchange, _at: int) -> str:
    status = str(body.status) if body.status is not None else "no response"
    took = span(body.elapsed_ms)
    return f"{body.method} {short(body.url, 80)} → {status} ({took}){err_text(body.error)}"


def _refusal_summary(body: ClientRefusal, _at: int) -> str:
    where = f" on {body.channel}" if body.channel else ""
    claimed = f" as {body.client_id!r}" if body.client_id is not None else ""
    return f"{body.operation}{where}{claimed} refused by the client{err_text(body.error)}"


def _note_marker(body: Note) -> Marker:
    if body.level == "info":
        return None
    return ("error" if body.level == "error" else "warning"), body.text


def _dropped_summary(body: EventsDropped, _at: int) -> str:
    return f"{body.count} events dropped for this reader (seq {body.first_seq}-{body.last_seq})"


_FRAMES = "Frames"
_STATES = "Connection states"
_TOKENS = "Tokens and renewals"
_CHANNELS = "Channels, messages, presence"
_NOTES = "Notes and refusals"
_frame_sev = _by_error(_error_field)

_SPECS = (
    KindSpec("frame_sent", "frame ↑", _FRAMES, _frame_summary, _frame_sev, _error_field,
             _frame_marker),
    KindSpec("frame_received", "frame ↓", _FRAMES, _frame_summary, _frame_sev, _error_field,
             _frame_marker),
    KindSpec("state_changed", "state", _STATES, _state_summary, _state_severity, _reason_field,
             _state_marker),
    KindSpec("client_id", "clientId", _STATES, _client_id_summary, lambda _b: Severity.INFO,
             _none, _none),
    KindSpec("token_obtained", "token", _TOKENS, _token_summary, lambda _b: Severity.INFO,
             _none, _none),
    KindSpec("renewal_started", "renewal", _TOKENS, _renewal_started,
             _by_error(_reason_field), _reason_field, _renewal_started_marker),
    KindSpec("renewal_succeeded", "renewal", _TOKENS, _renewal_succeeded,
             lambda _b: Severity.INFO, _none,
             lambda b: ("renewed", f"renewed ({TRIGGERS[b.trigger]})")),
    KindSpec("renewal_failed", "renewal", _TOKENS, _renewal_failed, lambda _b: Severity.ERROR,
             _error_field, lambda b: error_marker(b.error, "renewal failed: ")),
    KindSpec("channel_state", "channel", _CHANNELS, _channel_summary, _by_error(_reason_field),
             _reason_field, lambda b: error_marker(b.reason, f"{b.channel}: ")),
    KindSpec("message", "message", _CHANNELS, _message_summary, lambda _b: Severity.INFO,
             _none, _none),
    KindSpec("presence", "presence", _CHANNELS, _presence_summary, lambda _b: Severity.INFO,
             _none, _none),
    KindSpec("http", "http", _TOKENS, _http_summary, _by_error(_error_field), _error_field,
             lambda b: error_marker(b.error, "HTTP "), redact=True),
    KindSpec("note", "note", _NOTES, lambda b, _at: b.text,
             lambda b: Severity(("info", "warning", "error").index(b.level)), _none,
             _note_marker, redact=True),
    KindSpec("client_refusal", "refused", _NOTES, _refusal_summary, lambda _b: Severity.ERROR,
             _error_field, lambda b: ("refusal", _refusal_summary(b, 0))),
    KindSpec("events_dropped", "dropped", _NOTES, _dropped_summary,
             lambda _b: Severity.WARNING, _none, _none),
)  # fmt: skip
KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in _SPECS}
GROUPS: dict[str, frozenset[str]] = {
    group: frozenset(s.kind for s in _SPECS if s.group == group)
    for group in dict.fromkeys(s.group for s in _SPECS)
}


def spec_of(body: EventBody) -> KindSpec:
    return KINDS[body.kind]


def summarize(body: EventBody, at_ms: int) -> str:
    """The one-line, secret-free summary of an event body at its event's time."""
    spec = KINDS[body.kind]
    text = spec.summary(body, at_ms)
    return redact_text(text) if spec.redact else text


def error_of(body: EventBody) -> ErrorInfo | None:
    return KINDS[body.kind].error(body)


def severity_of(body: EventBody) -> Severity:
    return KINDS[body.kind].severity(body)


def marker_of(body: EventBody) -> Marker:
    return KINDS[body.kind].marker(body)
