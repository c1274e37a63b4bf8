"""One readable line per event, shared by ``tokenlab watch`` and the Markdown report.

Lines name frames by action, errors by code and meaning, tokens by kind and expiry (relative to
the event's own time), and never contain secrets (everything passes through redaction).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientIdResolved,
    Event,
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

TRIGGERS = {
    "server_auth": "server AUTH",
    "token_error": "token error",
    "authorize": "manual authorize()",
    "connect": "connect",
}


def utc_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3] + "Z"


def _err(error: ErrorInfo | None) -> str:
    if error is None:
        return ""
    cause = f"; cause {error.cause.code} {error.cause.message}" if error.cause else ""
    return f" [{error.code} {error.message}{cause}]"


def _expiry(expires_ms: int | None, at_ms: int) -> str:
    if expires_ms is None:
        return "expiry unknown (opaque token)"
    return f"expires {utc_time(expires_ms)} (in {(expires_ms - at_ms) / 1000:.1f} s)"


def _frame(body: FrameSent | FrameReceived) -> str:
    arrow = "->" if isinstance(body, FrameSent) else "<-"
    channel = f" {body.channel}" if body.channel else ""
    extra = ""
    msg = body.message
    if body.action_name == "CONNECTED":
        extra = f" connectionId={msg.get('connectionId')}"
    elif body.action_name in ("ACK", "NACK"):
        extra = f" msgSerial={msg.get('msgSerial')} count={msg.get('count')}"
    error = f" [{body.error.meaning}]" if body.error else ""
    return f"{arrow} {body.action_name}{channel}{extra}{error}"


def _state(body: StateChanged) -> str:
    retry = f", retry in {body.retry_in_ms / 1000:.1f} s" if body.retry_in_ms is not None else ""
    if body.event == "update":
        return f"UPDATE (still connected){_err(body.reason)}"
    return f"{body.previous} -> {body.current.upper()}{_err(body.reason)}{retry}"


def _token(body: TokenObtained, at_ms: int) -> str:
    who = f", clientId {body.client_id!r}" if body.client_id else ""
    changes = f"; {', '.join(body.changes)}" if body.changes else ""
    return (
        f"token obtained: {body.token_kind} via {body.via} from {body.source}, "
        f"{_expiry(body.expires_ms, at_ms)}{who}{changes}"
    )


def describe(event: Event) -> str:
    """A one-line, secret-free description of ``event``."""
    body = event.body
    match body:
        case FrameSent() | FrameReceived():
            text = _frame(body)
        case StateChanged():
            text = _state(body)
        case ClientIdResolved():
            text = f"clientId {body.client_id!r} {body.status} from {body.source}: {body.identity}"
        case TokenObtained():
            text = _token(body, event.wall_ms)
        case RenewalStarted():
            text = f"renewal started ({TRIGGERS[body.trigger]}){_err(body.reason)}"
        case RenewalSucceeded():
            text = (
                f"renewal succeeded ({TRIGGERS[body.trigger]}) in {body.duration_ms:.0f} ms, "
                f"{_expiry(body.expires_ms, event.wall_ms)}, connectionId "
                f"{body.connection_id}"
            )
        case RenewalFailed():
            text = f"renewal FAILED ({TRIGGERS[body.trigger]}){_err(body.error)}"
        case ChannelStateChanged():
            text = f"channel {body.channel}: {body.previous} -> {body.current}{_err(body.reason)}"
        case MessageReceived():
            text = (
                f"message on {body.channel} from {body.client_id!r}: {body.name} {body.data!r:.80}"
            )
        case PresenceReceived():
            text = f"presence {body.action} on {body.channel}: {body.client_id!r}"
        case HttpExchange():
            status = body.status if body.status is not None else "no response"
            text = (
                f"HTTP {body.method} {body.url} -> {status} {body.content_type or ''} "
                f"({body.elapsed_ms:.0f} ms){_err(body.error)}"
            )
        case Note():
            text = body.text
        case EventsDropped():
            text = (
                f"{body.count} events dropped for this reader "
                f"(seq {body.first_seq}-{body.last_seq})"
            )
    return redact_text(text)
