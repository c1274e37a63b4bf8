"""The storage form of event-log rows: exact tuples of plain values, and back.

CPython's cyclic garbage collector stops tracking an exact tuple (not a NamedTuple, not a
dataclass) once everything in it is untracked, so rows packed this way add nothing to the
pauses of full collections: with 100k events the log itself stays invisible to the collector.
Event bodies are packed field by field (ErrorInfo as a nested tuple), frames as their record.
``to_event`` rebuilds the realtime ``Event`` so the log can be exported with the realtime
export functions. No Qt here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tokenlab.core.errors import UserError
from tokenlab.gui.live.records import FrameRecord, LogEntry
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
from tokenlab.realtime.protocol import ErrorInfo, decode_frame

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
