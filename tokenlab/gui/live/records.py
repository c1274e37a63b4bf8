"""Compact GUI-side records of live-connection events, adapted from ``tokenlab.realtime.events``.

The Live tab keeps up to hundreds of thousands of events, so each one becomes a small immutable
``LogEntry`` tuple with its one-line summary computed once. Protocol frames drop their parsed
message dict (the raw text or bytes is enough to decode again for the details pane or an
export). No Qt here.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from tokenlab.realtime.events import Event, EventBody, FrameReceived, FrameSent, TokenObtained
from tokenlab.realtime.kinds import KINDS, Severity, severity_of, summarize
from tokenlab.realtime.kinds import error_of as body_error
from tokenlab.realtime.protocol import ErrorInfo

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
    tuples of plain values (see ``packing``).
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
