"""The Ably wire vocabulary and frame codecs shared by the realtime client and the sandbox.

This module owns the ProtocolMessage vocabulary of spec TR2-TR4 (action numbers,
PresenceMessage actions, flag bits) and the frame codecs of RTN2a: a ProtocolMessage as a
compact JSON text frame or a msgpack binary frame, and back. It is side-independent and pure
Python: what a bad frame turns into (the client's AblyError, the sandbox's ERROR reply) and how
actions and flags are named for display live in tokenlab.realtime.protocol and
tokenlab.sandbox.protocol, built on this core.
"""

from __future__ import annotations

import base64
import json
import math
import sys
from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Literal

import msgpack

WireFormat = Literal["json", "msgpack"]
Frame = dict[str, Any]
PROTOCOL_VERSION = 6


class Action(IntEnum):
    """ProtocolMessage actions (spec TR2, verified numbers)."""

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
    """PresenceMessage actions (Ably protocol spec)."""

    ABSENT = 0
    PRESENT = 1
    ENTER = 2
    LEAVE = 3
    UPDATE = 4


PRESENCE_ACTIONS: dict[int, str] = {int(a): a.name.lower() for a in PresenceAction}
PRESENCE_ACTION_CODES: dict[str, int] = {name: code for code, name in PRESENCE_ACTIONS.items()}


class Flag:
    """ProtocolMessage flag bits (TR3, bit n set means flags & 2**n): state and channel modes."""

    HAS_PRESENCE = 1 << 0
    HAS_BACKLOG = 1 << 1
    RESUMED = 1 << 2
    TRANSIENT = 1 << 4
    ATTACH_RESUME = 1 << 5
    HAS_OBJECTS = 1 << 7
    PRESENCE = 1 << 16
    PUBLISH = 1 << 17
    SUBSCRIBE = 1 << 18
    PRESENCE_SUBSCRIBE = 1 << 19
    ANNOTATION_PUBLISH = 1 << 21
    ANNOTATION_SUBSCRIBE = 1 << 22


CHANNEL_MODE_MASK = (
    Flag.PRESENCE
    | Flag.PUBLISH
    | Flag.SUBSCRIBE
    | Flag.PRESENCE_SUBSCRIBE
    | Flag.ANNOTATION_PUBLISH
    | Flag.ANNOTATION_SUBSCRIBE
)
# What an ATTACH without modes gets (intersected with what the capability allows), as Ably.
DEFAULT_CHANNEL_MODES = CHANNEL_MODE_MASK & ~Flag.ANNOTATION_SUBSCRIBE


class FrameDecodeError(ValueError):
    """A frame that is not valid JSON / msgpack, or that does not decode to an object.

    ``kind`` is ``"JSON"`` or ``"msgpack"``; ``cause`` the decoder's exception, or None when the
    frame decoded to a non-object whose type name is ``found``; ``detail`` a short reason.
    """

    def __init__(self, kind: str, cause: BaseException | None, found: str | None = None) -> None:
        self.kind = kind
        self.cause = cause
        self.found = found
        if cause is None:
            self.detail = f"not an object: {found}"
        elif isinstance(cause, ValueError | TypeError | RecursionError | msgpack.UnpackException):
            self.detail = str(cause) or type(cause).__name__  # msgpack errors may have no text
        else:  # msgpack raises a zoo of errors on hostile input: name it, do not echo it
            self.detail = type(cause).__name__
        super().__init__(self.detail)


def _interned(value: Any, depth: int = 4) -> Any:
    """``value`` with the dict keys of its first ``depth`` levels shared via ``sys.intern``.

    Keys repeat in every frame; sharing them cuts a stored frame's size by about a third. One
    pass after decoding is faster than an ``object_pairs_hook`` called from inside the decoder.
    The protocol's own structure is shallow (frame, messages, message, extras), so deeper user
    data is left as it is, and hostile nesting cannot exhaust the recursion limit here.
    """
    if depth == 0:
        return value
    if isinstance(value, dict):
        return {
            sys.intern(k) if isinstance(k, str) else k: _interned(v, depth - 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_interned(v, depth - 1) for v in value]
    return value


def decode_frame(
    raw: str | bytes, *, intern_keys: bool = False, strict_map_key: bool = True
) -> Frame:
    """Text frames are JSON, binary frames msgpack (RTN2a); the result has str keys.

    ``intern_keys`` shares repeated keys (for frames that are kept); ``strict_map_key=False``
    accepts non-string msgpack map keys. Anything undecodable raises FrameDecodeError.
    """
    try:
        if isinstance(raw, str):
            value = json.loads(raw)
        else:
            value = msgpack.unpackb(raw, raw=False, strict_map_key=strict_map_key)
        if intern_keys:
            value = _interned(value)
    except Exception as exc:
        raise FrameDecodeError("JSON" if isinstance(raw, str) else "msgpack", exc) from exc
    if not isinstance(value, dict):
        kind = "JSON" if isinstance(raw, str) else "msgpack"
        raise FrameDecodeError(kind, None, type(value).__name__)
    return {str(k): v for k, v in value.items()}


def _json_strict(value: object) -> Any:
    if isinstance(value, bytes | bytearray):
        raise TypeError("binary data must be base64-encoded before a JSON frame is built")
    raise TypeError(f"cannot serialise {type(value).__name__} in a protocol message")


def _json_base64(value: object) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    return _json_strict(value)


def encode_frame(
    message: Mapping[str, Any], fmt: WireFormat, *, base64_binary: bool = False
) -> str | bytes:
    """A ProtocolMessage as a WebSocket payload: compact JSON text, or msgpack bytes.

    In JSON, binary values raise TypeError unless ``base64_binary`` encodes them as base64.
    """
    if fmt == "msgpack":
        packed = msgpack.packb(
            message if isinstance(message, dict) else dict(message), use_bin_type=True
        )
        assert isinstance(packed, bytes)
        return packed
    default = _json_base64 if base64_binary else _json_strict
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=default)


MAX_NESTING = 128
_UINT64_LIMIT = 2**64
_INT64_MIN = -(2**63)


def _text_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a string with a lone surrogate (not valid UTF-8)"
    return None


def _problem(value: Any, depth: int) -> str | None:
    kind = type(value)
    if kind is str:
        return None if value.isascii() else _text_problem(value)
    if kind is int:
        if _INT64_MIN <= value < _UINT64_LIMIT:
            return None
        return "an integer outside the 64-bit range msgpack can carry"
    if kind is dict or kind is list:
        if depth >= MAX_NESTING:
            return f"nesting deeper than {MAX_NESTING} levels"
        if kind is list:
            items = value
        else:
            for key in value:
                if type(key) is not str:
                    return "a map key that is not a string (JSON object keys are strings)"
                if not key.isascii() and (problem := _text_problem(key)) is not None:
                    return problem
            items = value.values()
        for item in items:
            if (problem := _problem(item, depth + 1)) is not None:
                return problem
        return None
    if kind is float:
        return None if math.isfinite(value) else f"the non-finite number {value!r} (not JSON)"
    if value is None or kind is bool or kind is bytes or kind is bytearray:
        return None
    return f"a {kind.__name__} value (only JSON types and binary travel on both formats)"


def portability_problem(value: Any) -> str | None:
    """Why ``value`` cannot be re-encoded in the *other* wire format (JSON <-> msgpack), or None.

    JSON decodes ``NaN``/``Infinity`` and integers of any size; msgpack decodes ext types,
    non-string map keys and floats that JSON cannot write. A message carrying any of these
    would poison history and fan-out for subscribers using the other format. Nesting is
    bounded (``MAX_NESTING``), so hostile depth cannot exhaust the stack.
    """
    return _problem(value, 0)
