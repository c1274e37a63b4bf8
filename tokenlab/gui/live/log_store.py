"""The Live event log's storage: one module owns how 100k+ events are kept compactly.

Each realtime ``Event`` becomes a ``LogEntry`` (``EntryAdapter``): its summary and severity
computed once from the kinds registry, a protocol frame reduced to its raw text or bytes (a
``FrameRecord``: decoded again for the details pane or an export). The log stores each row
packed as an exact tuple of plain values (``pack``/``unpack``): CPython's cyclic garbage
collector stops tracking such tuples once everything in them is untracked, so the log adds
nothing to the pauses of full collections. ``to_event`` rebuilds the realtime ``Event`` for
the realtime exports. Views see ``LogEntry`` only. No Qt here.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, NamedTuple

from tokenlab.core.errors import UserError
from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientIdResolved,
    ClientRefusal,
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
from tokenlab.realtime.kinds import KINDS, Severity, severity_of, summarize
from tokenlab.realtime.kinds import error_of as body_error
from tokenlab.realtime.protocol import ErrorInfo, decode_frame

__all__ = ["KIND_LABELS", "EntryAdapter", "FrameRecord", "LogEntry", "Severity", "body_error",
           "describe", "severity_of"]  # fmt: skip


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
    tuples of plain values (see ``pack``).
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


KIND_LABELS: dict[str, str] = {kind: spec.label for kind, spec in KINDS.items()}


def describe(body: EventBody, at_ms: int = 0) -> str:
    """The one-line summary shown in the log's Summary column (from the kinds registry)."""
    return summarize(body, at_ms)


_intern = sys.intern


class EntryAdapter:
    """Turns realtime ``Event`` objects into ``LogEntry`` rows, remembering each connection's
    previous token so a renewal row can show what changed."""

    def __init__(self) -> None:
        self._last_token: dict[str, TokenObtained] = {}

    def adapt(self, event: Event) -> LogEntry:
        body = event.body
        spec = KINDS[body.kind]
        error = spec.error(body)
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
            summarize(body, event.wall_ms),
            int(spec.severity(body)),
            error.code if error is not None else None,
            payload,
            previous,
        )

    def forget(self, connection: str) -> None:
        self._last_token.pop(connection, None)

    def last_token(self, connection: str) -> TokenObtained | None:
        """The newest token seen on ``connection`` (its claims name a revocation key)."""
        return self._last_token.get(connection)


# -- the packed storage form -------------------------------------------------------------

Packed = tuple[Any, ...]
PAYLOAD_INDEX = 9
FRAME_TAG = -1
BODY_TYPES: tuple[type[Any], ...] = (
    StateChanged, ClientIdResolved, TokenObtained, RenewalStarted, RenewalSucceeded,
    RenewalFailed, ChannelStateChanged, MessageReceived, PresenceReceived, HttpExchange, Note,
    EventsDropped, FrameSent, FrameReceived, ClientRefusal,
)  # fmt: skip
_TAGS = {kind: tag for tag, kind in enumerate(BODY_TYPES)}
_FIELDS = [tuple(f.name for f in dataclasses.fields(kind)) for kind in BODY_TYPES]
_ERROR_FIELDS = frozenset({"reason", "error"})


def pack_error(error: ErrorInfo | None) -> Packed | None:
    if error is None:
        return None
    return (error.code, error.status_code, error.message, error.href, pack_error(error.cause))


def unpack_error(packed: Packed | None) -> ErrorInfo | None:
    if packed is None:
        return None
    code, status, message, href, cause = packed
    return ErrorInfo(code, status, message, href, unpack_error(cause))


def _pack_field(name: str, value: Any) -> Any:
    return pack_error(value) if name in _ERROR_FIELDS else value


def pack_body(body: Any) -> Packed:
    tag = _TAGS[type(body)]
    return (tag, *(_pack_field(name, getattr(body, name)) for name in _FIELDS[tag]))


def unpack_body(packed: Packed) -> Any:
    tag = packed[0]
    names = _FIELDS[tag]
    values = [
        unpack_error(v) if n in _ERROR_FIELDS else v for n, v in zip(names, packed[1:], strict=True)
    ]
    return BODY_TYPES[tag](*values)


def pack(entry: LogEntry) -> Packed:
    payload = entry[PAYLOAD_INDEX]
    previous = entry[PAYLOAD_INDEX + 1]
    if type(payload) is FrameRecord:
        packed: Packed = (FRAME_TAG, *payload[:5], pack_error(payload[5]))
    else:
        packed = pack_body(payload)
    return (*entry[:PAYLOAD_INDEX], packed, pack_body(previous) if previous else None)


def unpack(row: Packed) -> LogEntry:
    packed = row[PAYLOAD_INDEX]
    payload: Any
    if packed[0] == FRAME_TAG:
        payload = FrameRecord._make((*packed[1:6], unpack_error(packed[6])))
    else:
        payload = unpack_body(packed)
    previous = row[PAYLOAD_INDEX + 1]
    return LogEntry._make(
        (*row[:PAYLOAD_INDEX], payload, unpack_body(previous) if previous else None)
    )


def to_event(entry: LogEntry) -> Event:
    """The realtime Event a row came from (frames decoded again from their raw bytes)."""
    payload = entry.payload
    body: EventBody
    if isinstance(payload, FrameRecord):
        try:
            message: dict[str, Any] = decode_frame(payload.raw)
        except UserError:
            message = {}
        kind = FrameSent if payload.sent else FrameReceived
        body = kind(payload.action, payload.action_name, payload.channel, message, payload.raw,
                    payload.error)  # fmt: skip
    else:
        body = payload
    return Event(entry.seq, entry.conn_seq, entry.wall_ms, entry.mono_ms, entry.connection, body)
