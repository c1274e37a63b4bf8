"""Steps done by hand: the outcome of an action someone else did, read from what was observed.

When a lesson watches a step instead of running it (the instructor publishes from the Live tab,
an attendee connects from a laptop), there is no ``ActionResult`` of the lesson's own.
``observed_result`` reads one from the events since the step began on the step's connection:
a publish or presence enter is done when its ACK or NACK arrives (or the client refused it,
RTL6g/RTP8j), an attach when the channel settles, authorize() when the renewal it started ends
(RTC8), a connect when the named connection settles, a network drop when the socket went.
It returns None while nothing conclusive was observed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tokenlab.lessons.observe import ActionResult, Context
from tokenlab.realtime import Event
from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientRefusal,
    FrameReceived,
    FrameSent,
    RenewalFailed,
    RenewalSucceeded,
    StateChanged,
)
from tokenlab.realtime.protocol import ErrorInfo

Reader = Callable[[Sequence[Event], Mapping[str, Any]], ActionResult | None]
SETTLED_CHANNEL = ("attached", "failed", "suspended", "detached")
DROPPED = ("connected", "disconnected")
SETTLED_CONNECTION = ("connected", "failed", "suspended", "disconnected", "closed")


def _error(info: ErrorInfo | None, what: str) -> ActionResult:
    if info is None:
        return ActionResult(ok=False, message=f"{what} failed")
    return ActionResult(ok=False, error_code=info.code, message=info.message)


def _refused(event: Event, operation: str, channel: Any) -> ActionResult | None:
    body = event.body
    if not isinstance(body, ClientRefusal) or body.operation != operation:
        return None
    return _error(body.error, operation) if channel in (None, body.channel) else None


def _acked(events: Sequence[Event], p: Mapping[str, Any], frame: str) -> ActionResult | None:
    """A MESSAGE/PRESENCE frame sent on the step's channel, then the ACK or NACK covering its
    msgSerial (RTN7a)."""
    operation = "publish" if frame == "MESSAGE" else "presence"
    serials: set[int] = set()
    for event in events:
        body = event.body
        refused = _refused(event, operation, p.get("channel"))
        if refused is not None:
            return refused
        if isinstance(body, FrameSent) and body.action_name == frame:
            if p.get("channel") in (None, body.channel):
                serials.add(int(body.message.get("msgSerial", -1)))
        elif isinstance(body, FrameReceived) and body.action_name in ("ACK", "NACK") and serials:
            first = int(body.message.get("msgSerial", -1))
            covered = set(range(first, first + int(body.message.get("count", 1))))
            if covered & serials:
                return ActionResult() if body.action_name == "ACK" else _error(body.error, frame)
    return None


def _attached(events: Sequence[Event], p: Mapping[str, Any]) -> ActionResult | None:
    for event in events:
        body = event.body
        refused = _refused(event, "attach", p.get("channel"))
        if refused is not None:
            return refused
        if isinstance(body, ChannelStateChanged) and body.channel == p.get("channel"):
            if body.current == "attached":
                return ActionResult()
            if body.current in SETTLED_CHANNEL:
                return _error(body.reason, "attach")
    return None


def _authorized(events: Sequence[Event], _p: Mapping[str, Any]) -> ActionResult | None:
    for event in events:
        body = event.body
        refused = _refused(event, "authorize", None)
        if refused is not None:
            return refused
        if isinstance(body, RenewalSucceeded) and body.trigger == "authorize":
            return ActionResult()
        if isinstance(body, RenewalFailed) and body.trigger == "authorize":
            return _error(body.error, "authorize")
    return None


def _connected(events: Sequence[Event], _p: Mapping[str, Any]) -> ActionResult | None:
    started = False
    for event in events:
        body = event.body
        if not isinstance(body, StateChanged):
            continue
        started = started or body.current == "connecting"
        if started and body.current == "connected":
            return ActionResult()
        if started and body.current in SETTLED_CONNECTION:
            return _error(body.reason, "connect")
    return None


def _dropped(events: Sequence[Event], _p: Mapping[str, Any]) -> ActionResult | None:
    for event in events:
        body = event.body
        if isinstance(body, StateChanged) and (body.previous, body.current) == DROPPED:
            return ActionResult()
    return None


READERS: dict[str, Reader] = {
    "connect": _connected,
    "attach": _attached,
    "publish": lambda events, p: _acked(events, p, "MESSAGE"),
    "enter_presence": lambda events, p: _acked(events, p, "PRESENCE"),
    "authorize": _authorized,
    "drop_network": _dropped,
}
OBSERVED_ACTIONS = frozenset(READERS)


def observed_result(action: str, params: Mapping[str, Any], ctx: Context) -> ActionResult | None:
    """The outcome of ``action`` done by hand on the step's connection, once observed."""
    reader = READERS.get(action)
    if reader is None:
        return None
    return reader(ctx.observer.events_since(ctx.mark, ctx.connection), params)
