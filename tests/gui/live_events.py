"""Builders of realtime events for the Live tab's model and timeline tests."""

from __future__ import annotations

import json
from collections.abc import Iterator

from tokenlab.realtime.events import (
    Event,
    EventBody,
    FrameReceived,
    FrameSent,
    MessageReceived,
    RenewalStarted,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.realtime.protocol import ErrorInfo

T0 = 1_700_000_000_000


class EventMaker:
    """Stamps bodies into Events with gap-free sequence numbers, like the realtime stream."""

    def __init__(self, start_ms: int = T0) -> None:
        self.seq = 0
        self.conn_seq: dict[str, int] = {}
        self.now = start_ms

    def __call__(self, connection: str, body: EventBody, at_ms: int | None = None) -> Event:
        self.seq += 1
        self.conn_seq[connection] = self.conn_seq.get(connection, 0) + 1
        t = self.now if at_ms is None else at_ms
        return Event(self.seq, self.conn_seq[connection], t, float(t), connection, body)


def state(previous: str, current: str, reason: ErrorInfo | None = None) -> StateChanged:
    return StateChanged(previous, current, current, reason, None)  # type: ignore[arg-type]


def token(
    issued: int, expires: int, client_id: str | None = "alice", kind: str = "ably_token"
) -> TokenObtained:
    return TokenObtained(
        token="appid.tokenvalue",
        token_kind=kind,  # type: ignore[arg-type]
        source="issuer",
        via="token_details",
        trigger="connect",
        issued_ms=issued,
        expires_ms=expires,
        client_id=client_id,
        capability='{"*":["*"]}',
        jwt_header=None,
        jwt_claims=None,
        changes=(),
    )


def frame_in(action: int, name: str, message: dict[str, object]) -> FrameReceived:
    raw = json.dumps({"action": action, **message})
    err = message.get("error")
    error = ErrorInfo.from_wire(err) if err is not None else None
    channel = message.get("channel")
    return FrameReceived(
        action, name, channel if isinstance(channel, str) else None, message, raw, error
    )


def frame_out(action: int, name: str, message: dict[str, object]) -> FrameSent:
    raw = json.dumps({"action": action, **message})
    channel = message.get("channel")
    return FrameSent(
        action, name, channel if isinstance(channel, str) else None, message, raw, None
    )


def message(text: str, client_id: str = "alice") -> MessageReceived:
    return MessageReceived("chat", "greeting", text, client_id, "conn1", "m1", T0)


TOKEN_EXPIRED = ErrorInfo(40142, 401, "Token expired")


def session(make: EventMaker, connection: str = "alice") -> Iterator[Event]:
    """A short session: connect, token, a message, renewal on server AUTH, expiry."""
    t = make.now
    yield make(connection, state("initialized", "connecting"), t)
    yield make(connection, token(t, t + 60_000), t + 100)
    yield make(connection, state("connecting", "connected"), t + 200)
    yield make(connection, frame_in(15, "MESSAGE", {"channel": "chat", "messages": []}), t + 1000)
    yield make(connection, message("hello"), t + 1000)
    yield make(connection, frame_in(17, "AUTH", {}), t + 30_000)
    yield make(connection, RenewalStarted("server_auth", None), t + 30_000)
    yield make(connection, token(t + 30_050, t + 90_050), t + 30_050)
    yield make(connection, RenewalSucceeded("server_auth", t + 90_050, 60.0, "c1"), t + 30_100)
    yield make(connection, state("connected", "disconnected", TOKEN_EXPIRED), t + 40_000)
