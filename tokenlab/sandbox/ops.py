"""Channel operations of a realtime connection: MESSAGE and PRESENCE (ATTACH is in ``attach``).

Rules from spec RTL14, RSA8f, RTP8 and TR4: ATTACH without any capability on the channel gets
a channel-scoped ERROR 40160 while the connection stays up; MESSAGE needs ``publish`` (NACK 40160),
fits in ``maxMessageSize`` (NACK 40009) and obeys the clientId rules (NACK 40012); PRESENCE needs
``presence`` (40160) and an identity (91000, or 40012 on a mismatch). Accepted messages are
stamped with clientId, connectionId, timestamp and an id ``connectionId:msgSerial:index``, ACKed,
and delivered to every attached subscriber.
"""

from __future__ import annotations

from typing import Any

from tokenlab.core.capability import OPERATIONS
from tokenlab.core.clientid import presence_client_id, stamp_message_client_id
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.wire import Action, Flag, Frame, PresenceAction
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.channels import Member
from tokenlab.sandbox.context import Context
from tokenlab.sandbox.link import Link
from tokenlab.sandbox.protocol import MODE_OPERATIONS, check_portable, message_size
from tokenlab.sandbox.session import Session

MAX_CHANNEL_NAME = 1024
PRESENCE_ACTIONS = {
    int(PresenceAction.ENTER): PresenceAction.ENTER,
    int(PresenceAction.PRESENT): PresenceAction.ENTER,
    int(PresenceAction.UPDATE): PresenceAction.UPDATE,
    int(PresenceAction.LEAVE): PresenceAction.LEAVE,
}


def as_ably(exc: UserError) -> AblyError:
    if isinstance(exc, AblyError):
        return exc
    if exc.ably_code is not None:
        return AblyError(exc.ably_code, exc.message, status=exc.status, code=exc.code)
    return AblyError(40000, exc.message, status=exc.status or 400, code=exc.code)


def channel_name(frame: Frame) -> str:
    name = frame.get("channel")
    if not isinstance(name, str) or not name or len(name) > MAX_CHANNEL_NAME:
        # 40010 "invalid channel name" (ably-common); not in ABLY_CODES, status given here.
        raise AblyError(40010, f"Invalid channel name {name!r:.80}.", status=400)
    return name


def allowed_modes(session: Session, name: str) -> int:
    modes = 0
    for flag, operation in MODE_OPERATIONS:
        if session.can(name, operation):
            modes |= flag
    return modes


def may_attach(session: Session, name: str) -> bool:
    return any(session.can(name, op) for op in OPERATIONS)


def denied(name: str, what: str) -> AblyError:
    return AblyError(
        40160,
        f"{what} denied on channel {name!r}: operation not permitted with provided capability.",
        code="sandbox.capability_denied",
    )


def channel_error(ctx: Context, session: Session, link: Link, name: str, error: AblyError) -> None:
    link.send({"action": int(Action.ERROR), "channel": name, "error": error.error_info()})
    _event(ctx, session, f"Channel {name!r}: ERROR {error.ably_code} {error.message}", error)


def _items(frame: Frame, field: str) -> list[dict[str, Any]]:
    items = frame.get(field)
    if not isinstance(items, list) or not items or not all(isinstance(m, dict) for m in items):
        raise AblyError(40000, f"The protocol message needs a non-empty '{field}' list.")
    out = [{str(k): v for k, v in m.items()} for m in items]
    check_portable(out, "message" if field == "messages" else "presence message")
    return out


def _check_size(ctx: Context, items: list[dict[str, Any]]) -> None:
    size = sum(message_size(m) for m in items)
    if size > ctx.config.max_message_size:
        raise AblyError(
            40009,
            f"Maximum message length exceeded: {size} bytes > maxMessageSize "
            f"{ctx.config.max_message_size}.",
            status=400,
        )


def _ack_repeat(session: Session, link: Link, frame: Frame, field: str) -> bool:
    """ACK a resent MESSAGE/PRESENCE (RTN19a) again without applying it twice."""
    serial = frame.get("msgSerial")
    if not session.is_repeat(serial):
        session.processed(serial)
        return False
    error = session.nacks.get(serial) if isinstance(serial, int) else None
    if error is not None:
        link.send({"action": int(Action.NACK), "msgSerial": serial, "count": 1, **_err(error)})
        return True
    items = frame.get(field)
    count = len(items) if isinstance(items, list) else 0
    _ack(link, serial, [f"{session.connection_id}:{serial}:{i}" for i in range(count)])
    return True


def on_message(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    if _ack_repeat(session, link, frame, "messages"):
        return
    serial = frame.get("msgSerial")
    try:
        name = channel_name(frame)
        items = _items(frame, "messages")
        if not session.can(name, "publish"):
            raise denied(name, "Publish")
        _check_mode(session, name, Flag.PUBLISH, "publish")
        _check_size(ctx, items)
        now, prefix = ctx.now_ms(), f"{session.connection_id}:{serial}"
        for index, message in enumerate(items):
            client_id = stamp_message_client_id(session.identity, _client_id(message))
            if client_id is not None:
                message["clientId"] = client_id
            if _opt_str(message, "id") is None:
                message["id"] = f"{prefix}:{index}"
            message["connectionId"] = session.connection_id
            message.setdefault("timestamp", now)
        ctx.hub.publish(session.app_id, name, items, sender=session)
        _ack(link, serial, [m["id"] for m in items])
    except UserError as exc:
        _nack(ctx, session, link, serial, as_ably(exc))


def on_presence(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    if _ack_repeat(session, link, frame, "presence"):
        return
    serial = frame.get("msgSerial")
    try:
        name = channel_name(frame)
        items = _items(frame, "presence")
        if not session.can(name, "presence"):  # checked before the identity (91000 / 40012)
            raise denied(name, "Presence")
        _check_mode(session, name, Flag.PRESENCE, "presence")
        _check_size(ctx, items)
        now, prefix = ctx.now_ms(), f"{session.connection_id}:{serial}"
        changes = []
        for index, item in enumerate(items):
            raw_action = item.get("action")
            action = PRESENCE_ACTIONS.get(raw_action) if isinstance(raw_action, int) else None
            if action is None:
                raise AblyError(40000, f"Invalid presence action {raw_action!r:.20}.")
            client_id = presence_client_id(session.identity, _client_id(item))
            member = Member(
                client_id=client_id,
                connection_id=session.connection_id,
                id=f"{prefix}:{index}",
                timestamp=now,
                data=item.get("data"),
                encoding=_opt_str(item, "encoding"),
                extras=item.get("extras"),
            )
            changes.append((action, member))
        ctx.hub.presence(session.app_id, name, changes)
        _ack(link, serial, [m.id for _, m in changes])
    except UserError as exc:
        _nack(ctx, session, link, serial, as_ably(exc))


def on_sync(ctx: Context, session: Session, link: Link, frame: Frame) -> None:
    """A client's SYNC request: the channel's members in one SYNC page, not a fatal error."""
    name = frame.get("channel")
    if not isinstance(name, str) or name not in session.attached:
        error = AblyError(90001, f"Channel {name!r:.80} is not attached: no SYNC.", status=400)
        link.send({"action": int(Action.ERROR), "channel": name, **_err(error)})
        return
    channel = ctx.hub.channel(session.app_id, name)
    sync = ctx.hub.sync_frame(channel, always=True)
    if sync is not None and session.attached[name] & Flag.PRESENCE_SUBSCRIBE:
        link.send(sync)


def _check_mode(session: Session, name: str, mode: int, word: str) -> None:
    """RTL4m: an attachment without the mode may not use it (checked when attached)."""
    granted = session.attached.get(name)
    if granted is not None and not granted & mode:
        raise AblyError(
            40160,
            f"Channel {name!r} was attached without the {word} mode: operation not permitted.",
            code="sandbox.mode_denied",
        )


def _client_id(item: dict[str, Any]) -> str | None:
    """The item's clientId; a non-string one is 40012, as on REST (RSL1m, RTL6g)."""
    value = item.get("clientId")
    if value is None or isinstance(value, str):
        return value
    raise AblyError(40012, "clientId must be a string.")


def _opt_str(item: dict[str, Any], field: str) -> str | None:
    value = item.get(field)
    if value is None or isinstance(value, str):
        return value
    raise AblyError(40000, f"{field} must be a string.")


def _ack(link: Link, serial: Any, ids: list[str]) -> None:
    if serial is not None:
        link.send(
            {"action": int(Action.ACK), "msgSerial": serial, "count": 1, "res": [{"serials": ids}]}
        )


def _nack(ctx: Context, session: Session, link: Link, serial: Any, error: AblyError) -> None:
    session.remember_nack(serial, error)
    if serial is not None:
        link.send({"action": int(Action.NACK), "msgSerial": serial, "count": 1, **_err(error)})
    _event(ctx, session, f"NACK {error.ably_code}: {error.message}", error)


def _err(error: AblyError) -> dict[str, Any]:
    return {"error": error.error_info()}


def _event(ctx: Context, session: Session, message: str, error: AblyError) -> None:
    ctx.events.emit(
        ev.ERROR,
        message,
        connection_id=session.connection_id,
        client_id=session.identity.client_id,
        key_name=session.creds.key_name,
        code=error.ably_code,
    )
