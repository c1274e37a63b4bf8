"""Client-side wire framing: action and flag names, ErrorInfo, and frames for the inspector.

The shared vocabulary and codecs (spec TR2-TR4) live in tokenlab.core.wire; this module
adds what the client needs on top: display names for actions and flags, the ErrorInfo value, and
decoding that turns a bad frame into AblyError 40000. It knows nothing about connections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tokenlab.core import wire
from tokenlab.core.errors import AblyError, UserError, describe_ably_code
from tokenlab.core.wire import Action, Flag
from tokenlab.core.wire import encode_frame as encode_frame  # re-exported: frames both ways

FLAG_NAMES: tuple[tuple[int, str], ...] = tuple(
    (value, name) for name, value in vars(Flag).items() if name.isupper()
)


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


def decode_frame(raw: str | bytes) -> dict[str, Any]:
    """Text frames are JSON, binary frames msgpack (RTN2a). Malformed input -> AblyError 40000."""
    try:
        return wire.decode_frame(raw, intern_keys=True)
    except wire.FrameDecodeError as exc:
        if exc.cause is None:
            raise AblyError(40000, f"Protocol frame is not an object: {exc.found}") from None
        raise AblyError(40000, f"Undecodable protocol frame: {exc.detail}", status=400) from exc


def frame_error(message: Mapping[str, Any]) -> ErrorInfo | None:
    """The ``error`` member of a ProtocolMessage, parsed, or None."""
    err = message.get("error")
    return ErrorInfo.from_wire(err) if err is not None else None


def frame_action(message: Mapping[str, Any]) -> int:
    """The action number, or -1 when the frame has none."""
    action = message.get("action")
    return action if isinstance(action, int) and not isinstance(action, bool) else -1
