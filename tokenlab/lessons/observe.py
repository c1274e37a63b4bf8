"""What a lesson has observed: realtime events and sandbox events, and the checks over them.

``Observer`` listens to the connection manager's event stream and the sandbox's event feed
(so it sees what the runner did and what anyone else did by hand) and wakes whoever awaits a
change. ``check`` decides one expectation against what was observed since a step began; it
returns whether it is met and a short description of what was actually seen.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tokenlab.lessons.model import Expectation
from tokenlab.realtime import ConnectionManager, Event
from tokenlab.realtime.events import (
    ChannelStateChanged,
    ClientIdResolved,
    FrameReceived,
    MessageReceived,
    PresenceReceived,
    RenewalFailed,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.sandbox.config import SandboxEvent

KEEP_EVENTS = 20_000  # per feed; far more than one step ever needs


@dataclass
class ActionResult:
    """What the step's own action produced."""

    ok: bool = True
    error_code: int | None = None
    message: str = ""
    token: str | None = None
    token_kind: str | None = None
    token_client_id: str | None = None
    names: frozenset[str] = frozenset()  # JWT header and claim names


@dataclass
class Mark:
    """Where a step began in each feed."""

    seq: int
    sandbox_index: int


@dataclass
class Observer:
    manager: ConnectionManager
    realtime: list[Event] = field(default_factory=list)
    sandbox: list[SandboxEvent] = field(default_factory=list)
    first_ids: dict[str, str] = field(default_factory=dict)
    _sandbox_base: int = 0  # how many sandbox events were dropped from the front
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def start(self, subscribe_sandbox: Callable[[Callable[[SandboxEvent], None]], Any]) -> None:
        self._stops.append(self.manager.events.add_listener(self._on_event))
        self._stops.append(subscribe_sandbox(self._on_sandbox))

    def stop(self) -> None:
        for stop in self._stops:
            stop()
        self._stops.clear()

    def mark(self) -> Mark:
        return Mark(self.manager.events.next_seq, self._sandbox_base + len(self.sandbox))

    def sandbox_since(self, mark: Mark) -> list[SandboxEvent]:
        return self.sandbox[max(0, mark.sandbox_index - self._sandbox_base) :]

    def forget(self, connection: str) -> None:
        self.first_ids.pop(connection, None)

    def _on_event(self, event: Event) -> None:
        self.realtime.append(event)
        if len(self.realtime) > KEEP_EVENTS:  # a lesson left open for hours stays bounded
            del self.realtime[: KEEP_EVENTS // 2]
        body = event.body
        name = event.connection
        connected = isinstance(body, StateChanged) and body.current == "connected"
        if connected and name in self.manager and name not in self.first_ids:
            conn_id = self.manager.get(name).connection_id
            if conn_id:
                self.first_ids[name] = conn_id
        self._changed.set()

    def _on_sandbox(self, event: SandboxEvent) -> None:
        self.sandbox.append(event)
        if len(self.sandbox) > KEEP_EVENTS:  # a classroom's renewals must not pile up
            self._sandbox_base += KEEP_EVENTS // 2
            del self.sandbox[: KEEP_EVENTS // 2]
        self._changed.set()

    async def changed(self, timeout_s: float) -> None:
        """Return when something new was observed, or after ``timeout_s``."""
        self._changed.clear()
        try:
            async with asyncio.timeout(timeout_s):
                await self._changed.wait()
        except TimeoutError:
            pass

    def events_since(self, mark: Mark, connection: str | None) -> list[Event]:
        return [
            e
            for e in self.realtime
            if e.seq >= mark.seq and (connection is None or e.connection == connection)
        ]


def _error_codes(event: Event) -> list[int]:
    body = event.body
    infos: list[Any] = []
    if isinstance(body, StateChanged | ChannelStateChanged):
        infos.append(body.reason)
    elif isinstance(body, RenewalFailed | FrameReceived):
        infos.append(body.error)
    codes = []
    for info in infos:
        while info is not None:  # a wrapped cause counts too (80019 caused by 40104)
            codes.append(info.code)
            info = info.cause
    return codes


def _cap(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


@dataclass
class Context:
    """Everything one check may look at."""

    observer: Observer
    mark: Mark
    connection: str | None
    result: ActionResult | None
    checks: dict[int, Any] = field(default_factory=dict)  # the runner's verdicts so far


def check(exp: Expectation, ctx: Context) -> tuple[bool, str]:
    """Is ``exp`` met, and what was seen."""
    handler = _CHECKS[exp.name]
    return handler(exp.value, ctx)


def _conn(ctx: Context) -> Any:
    mgr = ctx.observer.manager
    if ctx.connection is None or ctx.connection not in mgr:
        return None
    return mgr.get(ctx.connection)


def _outcome(value: Any, ctx: Context) -> tuple[bool, str]:
    if ctx.result is None:
        return False, "the step has not run"
    seen = "ok" if ctx.result.ok else f"error {ctx.result.error_code}: {ctx.result.message}"
    return (value == "ok") == ctx.result.ok, seen


def _error_code(value: Any, ctx: Context) -> tuple[bool, str]:
    codes: list[int] = []
    if ctx.result is not None and ctx.result.error_code is not None:
        codes.append(ctx.result.error_code)
    for event in ctx.observer.events_since(ctx.mark, ctx.connection):
        codes += _error_codes(event)
    codes += [e.code for e in ctx.observer.sandbox_since(ctx.mark) if e.code]
    unique = list(dict.fromkeys(codes))
    return value in unique, ", ".join(map(str, unique)) or "no error"


def _state(value: Any, ctx: Context) -> tuple[bool, str]:
    conn = _conn(ctx)
    state = conn.state if conn else "no such connection"
    return state == value, str(state)


def _client_id(value: Any, ctx: Context) -> tuple[bool, str]:
    conn = _conn(ctx)
    cid = (conn.client_id or "") if conn else None
    return cid == value, "(none)" if cid == "" else str(cid)


def _last(ctx: Context, kind: type[Any]) -> Any:
    name = ctx.connection
    for event in reversed(ctx.observer.realtime):
        if isinstance(event.body, kind) and event.connection == name:
            return event.body
    return None


def _client_id_source(value: Any, ctx: Context) -> tuple[bool, str]:
    body = _last(ctx, ClientIdResolved)
    source = body.source if body is not None else "not resolved yet"
    return source == value, source


def _identity(value: Any, ctx: Context) -> tuple[bool, str]:
    conn = _conn(ctx)
    kind = conn.identity if conn else "no such connection"
    return kind == value, str(kind)


def _event(value: Any, ctx: Context) -> tuple[bool, str]:
    kinds = [e.kind for e in ctx.observer.events_since(ctx.mark, ctx.connection)]
    kinds += [e.kind for e in ctx.observer.sandbox_since(ctx.mark)]
    seen = ", ".join(dict.fromkeys(k for k in kinds if not k.startswith("frame")))
    return value in kinds, seen or "nothing"


def _stamped(kind: type[Any], value: Any, ctx: Context) -> tuple[bool, str]:
    ids = [
        e.body.client_id or ""
        for e in ctx.observer.events_since(ctx.mark, ctx.connection)
        if isinstance(e.body, kind)
    ]
    shown = ", ".join(i or "(none)" for i in dict.fromkeys(ids))
    return value in ids, shown or "none arrived"


def _renewals(value: Any, ctx: Context) -> tuple[bool, str]:
    first = ctx.observer.first_ids.get(ctx.connection or "")
    count = sum(
        1
        for e in ctx.observer.realtime
        if e.connection == ctx.connection
        and isinstance(e.body, RenewalSucceeded)
        and e.body.connection_id == first
    )
    return count >= value, f"{count} on connection {first}"


def _same_connection(value: Any, ctx: Context) -> tuple[bool, str]:
    conn = _conn(ctx)
    first = ctx.observer.first_ids.get(ctx.connection or "")
    now = conn.connection_id if conn else None
    same = first is not None and now == first
    return same == value, f"first {first}, now {now}"


def _capability(value: Any, ctx: Context) -> tuple[bool, str]:
    body = _last(ctx, TokenObtained)
    seen = body.capability if body is not None else None
    return _cap(seen) == _cap(value), seen or "unknown"


def _token_kind(value: Any, ctx: Context) -> tuple[bool, str]:
    from tokenlab.core.report import TokenKind

    kind = ctx.result.token_kind if ctx.result else None
    shown = TokenKind(kind).display_name if kind in set(TokenKind) else kind
    return kind == value, shown or "no token"


def _token_client_id(value: Any, ctx: Context) -> tuple[bool, str]:
    cid = ctx.result.token_client_id if ctx.result else None
    return (cid or "") == value, cid or "(none)"


def _claims_present(value: Any, ctx: Context) -> tuple[bool, str]:
    names = ctx.result.names if ctx.result else frozenset()
    return set(value) <= names, ", ".join(sorted(names)) or "no JWT fields"


def _auth_request(value: Any, ctx: Context) -> tuple[bool, str]:
    seen = [e.data for e in ctx.observer.sandbox_since(ctx.mark) if e.kind == "auth.server"]
    for data in seen:
        if _matches(value, data):
            return True, _describe_request(data)
    return False, "; ".join(_describe_request(d) for d in seen) or "no auth server request"


def _matches(wanted: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    if "method" in wanted and wanted["method"] != data.get("method"):
        return False
    for part in ("params", "headers"):
        have = {str(k).lower(): v for k, v in data.get(part, {}).items()}
        for k, v in wanted.get(part, {}).items():
            if have.get(str(k).lower()) != v:
                return False
    return True


def _describe_request(data: Mapping[str, Any]) -> str:
    params = ", ".join(f"{k}={v}" for k, v in data.get("params", {}).items())
    headers = ", ".join(f"{k}: {v}" for k, v in data.get("headers", {}).items())
    return f"{data.get('method')} params [{params}] headers [{headers}]"


_CHECKS: dict[str, Callable[[Any, Context], tuple[bool, str]]] = {
    "outcome": _outcome,
    "error_code": _error_code,
    "state": _state,
    "client_id": _client_id,
    "client_id_source": _client_id_source,
    "identity": _identity,
    "event": _event,
    "message_client_id": lambda v, c: _stamped(MessageReceived, v, c),
    "presence_client_id": lambda v, c: _stamped(PresenceReceived, v, c),
    "renewals": _renewals,
    "same_connection": _same_connection,
    "capability": _capability,
    "token_kind": _token_kind,
    "token_client_id": _token_client_id,
    "claims_present": _claims_present,
    "auth_request": _auth_request,
}
