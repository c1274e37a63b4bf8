"""Server-side realtime framing: frame validation, error frames, and message sizing.

The action numbers, flags and JSON / msgpack codecs (spec TR2-TR4, RTN2a) live in
tokenlab.core.wire. Here a frame that does not decode to an object with an integer ``action``
raises ``AblyError`` 40000 (the caller answers it; the server never crashes on bad input), JSON
frames carry binary values as base64, and channel-mode flags map to capability operations.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tokenlab.core import wire
from tokenlab.core.errors import AblyError, UserError
from tokenlab.core.safetext import has_lone_surrogate, may_hold_surrogate_escape
from tokenlab.core.wire import PROTOCOL_VERSION, Action, Flag, Frame

MODE_OPERATIONS = (
    (Flag.PRESENCE, "presence"),
    (Flag.PUBLISH, "publish"),
    (Flag.SUBSCRIBE, "subscribe"),
    (Flag.PRESENCE_SUBSCRIBE, "subscribe"),
    (Flag.ANNOTATION_PUBLISH, "annotation-publish"),
    (Flag.ANNOTATION_SUBSCRIBE, "annotation-subscribe"),
)
MODE_NAMES = {
    "presence": Flag.PRESENCE,
    "publish": Flag.PUBLISH,
    "subscribe": Flag.SUBSCRIBE,
    "presence_subscribe": Flag.PRESENCE_SUBSCRIBE,
    "annotation_publish": Flag.ANNOTATION_PUBLISH,
    "annotation_subscribe": Flag.ANNOTATION_SUBSCRIBE,
}
# Channel params the sandbox understands and echoes in ATTACHED (others are dropped, RTL4k1).
KNOWN_CHANNEL_PARAMS = ("rewind", "delta", "modes", "occupancy")

SUPPORTED_VERSIONS = range(2, PROTOCOL_VERSION + 1)


def bad_frame(message: str) -> AblyError:
    return AblyError(40000, message, code="sandbox.bad_frame")


def decode_frame(data: str | bytes) -> Frame:
    """Decode one frame (str: JSON, bytes: msgpack) into a ProtocolMessage dict."""
    try:
        frame = wire.decode_frame(data, strict_map_key=False)
    except wire.FrameDecodeError as exc:
        if exc.cause is None:
            raise bad_frame(
                "A protocol message must be an object (a JSON object or msgpack map)."
            ) from None
        raise bad_frame(f"Unable to decode the frame as {exc.kind}: {exc.detail:.120}") from None
    if isinstance(data, str) and may_hold_surrogate_escape(data) and has_lone_surrogate(frame):
        raise bad_frame("The frame holds a lone surrogate (not valid Unicode).")
    for name, value in frame.items():
        if name in ("messages", "presence"):
            continue  # checked, and NACKed, per publish (see check_portable)
        problem = wire.portability_problem(value)
        if problem is not None:
            raise bad_frame(f"The protocol message's {name!r} holds {problem}.")
    action = frame.get("action")
    if isinstance(action, bool) or not isinstance(action, int):
        raise bad_frame(f"The protocol message has no integer action (got {action!r:.40}).")
    return frame


def encode_frame(frame: Frame, fmt: wire.WireFormat) -> str | bytes:
    return wire.encode_frame(frame, fmt, base64_binary=True)


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


def check_portable(items: list[dict[str, Any]], what: str = "message") -> None:
    """40000 for a message that could not be delivered in both wire formats (see
    ``wire.portability_problem``): refused at publish, never stored or fanned out."""
    for index, item in enumerate(items):
        problem = wire.portability_problem(item)
        if problem is not None:
            raise AblyError(
                40000,
                f"Invalid {what} {index}: it contains {problem}.",
                status=400,
                code="sandbox.unportable",
            )


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
