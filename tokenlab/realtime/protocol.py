"""Ably realtime wire framing: protocol actions, flags, ErrorInfo, and JSON / msgpack frames.

This module owns the byte-level view of the protocol (ably-protocol.md §7.2): it turns a
ProtocolMessage mapping into a text (JSON) or binary (msgpack) WebSocket frame and back, and
names actions and flags so an inspector can show them. It knows nothing about connections.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

import msgpack

from tokenlab.core.errors import AblyError, UserError, describe_ably_code

WireFormat = Literal["json", "msgpack"]
PROTOCOL_VERSION = 6


class Action(IntEnum):
    """ProtocolMessage actions (§7.2, verified numbers)."""

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


class Flag:
    """ProtocolMessage flag bits (§7.2): state bits and channel-mode bits."""

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


FLAG_NAMES: tuple[tuple[int, str], ...] = tuple(
    (value, name) for name, value in vars(Flag).items() if name.isupper()
)

PRESENCE_ACTIONS: dict[int, str] = {0: "absent", 1: "present", 2: "enter", 3: "leave", 4: "update"}
PRESENCE_ACTION_CODES: dict[str, int] = {name: code for code, name in PRESENCE_ACTIONS.items()}


def action_name(action: object) -> str:
    """``"CONNECTED"`` for 4; ``"UNKNOWN(42)"`` for anything not in the table."""
    if isinstance(action, int) and not isinstance(action, bool):
        try:
            return Action(action).name
        except ValueError:
            return f"UNKNOWN({action})"
    return f"UNKNOWN({action!r:.20})"


def flag_names(flags: int) -> list[str]:
    """The names of the bits set in ``flags`` (unknown bits as ``bit<n>``)."""
    names = [name for value, name in FLAG_NAMES if flags & value]
    known = 0
    for value, _ in FLAG_NAMES:
        known |= value
    names.extend(f"bit{n}" for n in range(32) if flags & ~known & (1 << n))
    return names


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """Ably's ErrorInfo (``code``, ``statusCode``, ``message``, ``href``) with a described code."""

    code: int
    status_code: int | None
    message: str
    href: str | None = None
    cause: ErrorInfo | None = None

    @property
    def meaning(self) -> str:
        """``"40142 Token expired (401)"``: the code's one-line meaning from core.errors."""
        return describe_ably_code(self.code)

    @classmethod
    def from_wire(cls, info: object) -> ErrorInfo:
        """Tolerant parse of a wire ErrorInfo mapping; odd shapes become code 50000."""
        err = AblyError.from_error_info(info)
        href = info.get("href") if isinstance(info, dict) else None
        return cls(
            err.ably_code or 50000, err.status, err.message, href if isinstance(href, str) else None
        )

    @classmethod
    def from_error(cls, error: BaseException) -> ErrorInfo:
        """From a UserError/AblyError (keeps its Ably code) or any exception (50000)."""
        if isinstance(error, UserError):
            cause = getattr(error, "cause", None)
            return cls(
                error.ably_code if error.ably_code is not None else 50000,
                error.status,
                error.message,
                error.href,
                cls.from_error(cause) if isinstance(cause, BaseException) else None,
            )
        return cls(50000, 500, f"{type(error).__name__}: {error}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "statusCode": self.status_code,
            "message": self.message,
        }
        if self.href:
            out["href"] = self.href
        if self.cause is not None:
            out["cause"] = self.cause.to_dict()
        return out

    def to_exception(self) -> AblyError:
        return AblyError(self.code, self.message, status=self.status_code)

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _json_default(value: object) -> Any:
    if isinstance(value, bytes | bytearray):
        raise TypeError("binary data must be base64-encoded before a JSON frame is built")
    raise TypeError(f"cannot serialise {type(value).__name__} in a protocol message")


def encode_frame(message: Mapping[str, Any], fmt: WireFormat) -> str | bytes:
    """A ProtocolMessage as a WebSocket payload: compact JSON text, or msgpack bytes."""
    if fmt == "msgpack":
        packed = msgpack.packb(dict(message), use_bin_type=True)
        assert isinstance(packed, bytes)
        return packed
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _interned(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    # Keys repeat in every frame; sharing them cuts a stored frame's size by about a third.
    return {sys.intern(k) if isinstance(k, str) else k: v for k, v in pairs}


def decode_frame(raw: str | bytes) -> dict[str, Any]:
    """Text frames are JSON, binary frames msgpack (§7.1). Malformed input -> AblyError 40000."""
    try:
        if isinstance(raw, bytes):
            value = msgpack.unpackb(raw, raw=False, object_pairs_hook=_interned)
        else:
            value = json.loads(raw, object_pairs_hook=_interned)
    except (ValueError, msgpack.UnpackException) as exc:
        raise AblyError(40000, f"Undecodable protocol frame: {exc}", status=400) from exc
    if not isinstance(value, dict):
        raise AblyError(40000, f"Protocol frame is not an object: {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def frame_error(message: Mapping[str, Any]) -> ErrorInfo | None:
    """The ``error`` member of a ProtocolMessage, parsed, or None."""
    err = message.get("error")
    return ErrorInfo.from_wire(err) if err is not None else None


def frame_action(message: Mapping[str, Any]) -> int:
    """The action number, or -1 when the frame has none."""
    action = message.get("action")
    return action if isinstance(action, int) and not isinstance(action, bool) else -1
