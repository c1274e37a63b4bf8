"""Realtime protocol framing: action numbers, flags, and JSON / msgpack frame codecs.

Text frames carry JSON and binary frames carry msgpack (ably-protocol.md §7.1, §7.2). A frame
that does not decode to an object with an integer ``action`` raises ``AblyError`` 40000; the
caller answers it and the server never crashes on bad input.
"""

from __future__ import annotations

import base64
import json
from enum import IntEnum
from typing import Any, Literal

import msgpack

from tokenlab.core.errors import AblyError, UserError

Format = Literal["json", "msgpack"]
Frame = dict[str, Any]


class Action(IntEnum):
    HEARTBEAT = 0
    ACK = 1
    NACK = 2
    CONNECT = 3
    CONNECTED = 4
    DISCONNECT = 5
    DISCONNECTED = 6
    CLOSE = 7
    CLOSED = 8
    ERROR = 9
    ATTACH = 10
    ATTACHED = 11
    DETACH = 12
    DETACHED = 13
    PRESENCE = 14
    MESSAGE = 15
    SYNC = 16
    AUTH = 17
    ACTIVATE = 18
    OBJECT = 19
    OBJECT_SYNC = 20
    ANNOTATION = 21


class PresenceAction(IntEnum):
    ABSENT = 0
    PRESENT = 1
    ENTER = 2
    LEAVE = 3
    UPDATE = 4


# Flag bits (ably-protocol.md §7.2): flags & (1 << n).
HAS_PRESENCE = 1 << 0
RESUMED = 1 << 2
MODE_PRESENCE = 1 << 16
MODE_PUBLISH = 1 << 17
MODE_SUBSCRIBE = 1 << 18
MODE_PRESENCE_SUBSCRIBE = 1 << 19
MODE_MASK = MODE_PRESENCE | MODE_PUBLISH | MODE_SUBSCRIBE | MODE_PRESENCE_SUBSCRIBE
MODE_OPERATIONS = (
    (MODE_PRESENCE, "presence"),
    (MODE_PUBLISH, "publish"),
    (MODE_SUBSCRIBE, "subscribe"),
    (MODE_PRESENCE_SUBSCRIBE, "subscribe"),
)

SUPPORTED_VERSIONS = range(2, 7)


def bad_frame(message: str) -> AblyError:
    return AblyError(40000, message, code="sandbox.bad_frame")


def decode_frame(data: str | bytes) -> Frame:
    """Decode one frame (str: JSON, bytes: msgpack) into a ProtocolMessage dict."""
    try:
        if isinstance(data, str):
            value = json.loads(data)
        else:
            value = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except (ValueError, TypeError, RecursionError, msgpack.ExtraData, msgpack.FormatError) as exc:
        kind = "JSON" if isinstance(data, str) else "msgpack"
        raise bad_frame(f"Unable to decode the frame as {kind}: {exc!s:.120}") from None
    except Exception as exc:  # msgpack raises a zoo of errors on hostile input
        raise bad_frame(f"Unable to decode the frame: {type(exc).__name__}") from None
    if not isinstance(value, dict):
        raise bad_frame("A protocol message must be an object (a JSON object or msgpack map).")
    action = value.get("action")
    if isinstance(action, bool) or not isinstance(action, int):
        raise bad_frame(f"The protocol message has no integer action (got {action!r:.40}).")
    return {str(k): v for k, v in value.items()}


def encode_frame(frame: Frame, fmt: Format) -> str | bytes:
    if fmt == "msgpack":
        packed: bytes = msgpack.packb(frame, use_bin_type=True)
        return packed
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def error_frame(action: Action, error: UserError, **fields: Any) -> Frame:
    frame: Frame = {"action": int(action), "error": error.error_info()}
    frame.update(fields)
    return frame


def for_json(message: dict[str, Any]) -> dict[str, Any]:
    """A message whose binary ``data`` is base64-encoded for a JSON connection (encoding
    gains a trailing ``base64`` step, as the Ably service does)."""
    data = message.get("data")
    if not isinstance(data, bytes | bytearray):
        return message
    out = dict(message)
    out["data"] = base64.b64encode(data).decode("ascii")
    encoding = message.get("encoding")
    out["encoding"] = f"{encoding}/base64" if encoding else "base64"
    return out


def message_size(message: dict[str, Any]) -> int:
    """Ably counts name, clientId, data and extras towards maxMessageSize."""
    size = 0
    for name in ("name", "clientId", "data"):
        value = message.get(name)
        if isinstance(value, str):
            size += len(value.encode("utf-8"))
        elif isinstance(value, bytes | bytearray):
            size += len(value)
        elif value is not None:
            size += len(json.dumps(value, default=str))
    extras = message.get("extras")
    if extras is not None:
        size += len(json.dumps(extras, default=str))
    return size
