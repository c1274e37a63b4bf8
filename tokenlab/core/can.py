""" "Can it do OPERATION on CHANNEL?": one answer for the GUI capability tab and ``inspect --can``.

The capability alone is not the whole answer: an expired token can do nothing until renewed
(40142), one whose ``nbf`` is ahead is not valid yet, and one whose signature does not verify is
refused outright (40144). The answer names the resource pattern that grants the operation, or
the Ably error the client would get.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tokenlab.core.capability import Capability
from tokenlab.core.errors import describe_ably_code
from tokenlab.core.timefmt import relative

if TYPE_CHECKING:
    from tokenlab.core.report import InspectionReport

Answer = Literal["yes", "yes_but", "no", "unknown"]
EXPIRY_NAMES = ("exp", "expires")


@dataclass(frozen=True)
class CanAnswer:
    answer: Answer
    sentence: str
    ably_code: int | None = None
    pattern: str | None = None  # the capability resource that grants it

    @property
    def severity(self) -> str:
        return {"yes": "ok", "yes_but": "warning", "no": "error", "unknown": "info"}[self.answer]

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "sentence": self.sentence,
            "ablyCode": self.ably_code,
            "pattern": self.pattern,
        }


def parse_question(text: str) -> tuple[str, str]:
    """``publish:chat:lobby`` -> ("publish", "chat:lobby"); ValueError when not OP:CHANNEL."""
    operation, sep, channel = text.partition(":")
    if not sep or not operation or not channel:
        raise ValueError(f"{text!r} is not OP:CHANNEL (e.g. subscribe:chat:lobby)")
    return operation, channel


def can_capability(capability: Capability | None, operation: str, channel: str) -> CanAnswer:
    """The answer from the capability alone (no token around it, e.g. a capability editor)."""
    if not channel:
        return CanAnswer("unknown", "Type a channel name to check.")
    if capability is None:
        return CanAnswer("unknown", "This input carries no capability to check.")
    pattern = capability.allows(channel, operation)
    if pattern is None:
        return CanAnswer(
            "no",
            f"No: {operation} on {channel!r} is not allowed; Ably would answer "
            f"{describe_ably_code(40160)}.",
            40160,
        )
    via = "" if pattern == channel else f" (granted by {pattern!r})"
    return CanAnswer("yes", f"Yes: {operation} on {channel!r} is allowed{via}.", None, pattern)


def _time(report: InspectionReport, names: tuple[str, ...]) -> int | None:
    for r in (report, report.inner):
        if r is not None:
            found = next((t.epoch_ms for t in r.times if t.name in names), None)
            if found is not None:
                return found
    return None


def can(report: InspectionReport, operation: str, channel: str, *, now_ms: int) -> CanAnswer:
    """May the token in ``report`` do ``operation`` on ``channel`` now?"""
    from tokenlab.core.report import SignatureStatus

    view = report.capability
    base = can_capability(view.best if view else None, operation, channel)
    if base.answer != "yes":
        return base
    if report.signature.status is SignatureStatus.INVALID:
        return CanAnswer(
            "no",
            f"No: the capability allows it, but the signature does not verify, so Ably refuses "
            f"the token ({describe_ably_code(40144)}).",
            40144,
            base.pattern,
        )
    exp = _time(report, EXPIRY_NAMES)
    if exp is not None and exp <= now_ms:
        return CanAnswer(
            "yes_but",
            f"Yes, but the token is expired ({relative(exp, now_ms)}): Ably answers "
            f"{describe_ably_code(40142)} until it is renewed.",
            40142,
            base.pattern,
        )
    nbf = _time(report, ("nbf",))
    if nbf is not None and nbf > now_ms:
        return CanAnswer(
            "yes_but",
            f"Yes, but the token is not valid yet (nbf {relative(nbf, now_ms)}).",
            None,
            base.pattern,
        )
    return base
