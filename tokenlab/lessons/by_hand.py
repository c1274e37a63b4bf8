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
FRESH = ("initialized", "closed", "failed")
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
    msgSerial (RTN7a); the latest attempt counts (a refused publish may be tried again)."""
    operation = "publish" if frame == "MESSAGE" else "presence"
    serials: set[int] = set()
    result = None
    for event in events:
        body = event.body
        result = _refused(event, operation, p.get("channel")) or result
        if isinstance(body, FrameSent) and body.action_name == frame:
            if p.get("channel") in (None, body.channel):
                serials.add(int(body.message.get("msgSerial", -1)))
        elif isinstance(body, FrameReceived) and body.action_name in ("ACK", "NACK") and serials:
            first = int(body.message.get("msgSerial", -1))
            if serials & set(range(first, first + int(body.message.get("count", 1)))):
                ok = body.action_name == "ACK"
                result = ActionResult() if ok else _error(body.error, frame)
    return result


def _attached(events: Sequence[Event], p: Mapping[str, Any]) -> ActionResult | None:
    """The channel attached, or its attach was refused (a later detach does not count)."""
    result = None
    for event in events:
        body = event.body
        result = _refused(event, "attach", p.get("channel")) or result
        if isinstance(body, ChannelStateChanged) and body.channel == p.get("channel"):
            if body.current == "attached":
                result = ActionResult()
            elif body.current in ("failed", "suspended") or body.previous == "attaching":
                result = _error(body.reason, "attach")
    return result


def _authorized(events: Sequence[Event], _p: Mapping[str, Any]) -> ActionResult | None:
    result = None
    for event in events:
        body = event.body
        result = _refused(event, "authorize", None) or result
        if isinstance(body, RenewalSucceeded) and body.trigger == "authorize":
            result = ActionResult()
        elif isinstance(body, RenewalFailed) and body.trigger == "authorize":
            result = _error(body.error, "authorize")
    return result


def _connected(events: Sequence[Event], _p: Mapping[str, Any]) -> ActionResult | None:
    """A fresh connect (from initialized, closed or failed) and the state it first settled in;
    later retries of the same connection do not count."""
    result, attempt = None, False
    for event in events:
        body = event.body
        if not isinstance(body, StateChanged):
            continue
        if body.current == "connecting" and body.previous in FRESH:
            attempt = True
        elif attempt and body.current in SETTLED_CONNECTION:
            attempt = False
            ok = body.current == "connected"
            result = ActionResult() if ok else _error(body.reason, "connect")
    return result


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
