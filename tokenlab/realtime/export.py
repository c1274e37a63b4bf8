"""Session export: NDJSON (one redacted JSON object per event) and a Markdown report.

Both forms are redacted (see redact.py): key secrets, JWT signatures, MACs, connectionKeys and
the opaque part of Ably tokens never leave the process. Binary (msgpack) frames are exported as
their decoded, redacted message plus the byte count, never as bytes.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tokenlab.realtime.codes import error_help
from tokenlab.realtime.events import (
    ClientIdResolved,
    Event,
    RenewalFailed,
    RenewalSucceeded,
    StateChanged,
    TokenObtained,
)
from tokenlab.realtime.kinds import KINDS, error_of
from tokenlab.realtime.protocol import ErrorInfo
from tokenlab.realtime.redact import redact_text, redact_token, redact_value
from tokenlab.realtime.timeline import describe, utc_time


def _plain(name: str, value: Any) -> Any:
    if isinstance(value, ErrorInfo):
        return redact_value({**value.to_dict(), "meaning": value.meaning})
    if isinstance(value, bytes | bytearray):
        if name == "raw":
            return {"msgpack_bytes": len(value)}
        return {"base64": base64.b64encode(value).decode("ascii")}
    if name == "token" and isinstance(value, str):
        return redact_token(value)
    if name == "raw" and isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping | list | tuple | str):
        return redact_value(_jsonable(value), name)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def event_to_dict(event: Event) -> dict[str, Any]:
    """The redacted, JSON-ready form of one event: the envelope, the registry's label,
    severity and summary, the Ably ``code`` it carries (with meaning and help link), then
    the body's own fields."""
    spec = KINDS[event.kind]
    error = error_of(event.body)
    out: dict[str, Any] = {
        "seq": event.seq,
        "conn_seq": event.conn_seq,
        "wall_ms": event.wall_ms,
        "mono_ms": round(event.mono_ms, 3),
        "connection": event.connection,
        "kind": event.kind,
        "label": spec.label,
        "severity": spec.severity(event.body).name.lower(),
        "summary": describe(event),
    }
    if error is not None:
        helped = error_help(error)
        out.update(code=error.code, meaning=helped.meaning, help=helped.link)
    for field in dataclasses.fields(event.body):
        out[field.name] = _plain(field.name, getattr(event.body, field.name))
    return out


def to_ndjson(events: Iterable[Event]) -> str:
    lines = [json.dumps(event_to_dict(e), ensure_ascii=False, default=str) for e in events]
    return "".join(f"{line}\n" for line in lines)


def write_ndjson(events: Iterable[Event], path: str) -> int:
    """Write NDJSON to ``path``; returns the number of events written."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for event in events:
            fh.write(json.dumps(event_to_dict(event), ensure_ascii=False, default=str) + "\n")
            count += 1
    return count


def _summary(name: str, events: Sequence[Event]) -> list[str]:
    states = [e.body for e in events if isinstance(e.body, StateChanged)]
    ids = [e.body for e in events if isinstance(e.body, ClientIdResolved)]
    tokens = [e.body for e in events if isinstance(e.body, TokenObtained)]
    ok = sum(isinstance(e.body, RenewalSucceeded) for e in events)
    failed = [e.body for e in events if isinstance(e.body, RenewalFailed)]
    final = states[-1].current if states else "initialized"
    lines = [
        f"## Connection `{name}`",
        "",
        f"- final state: **{final}**",
        f"- clientId: {ids[-1].client_id!r} ({ids[-1].identity})"
        if ids
        else "- clientId: never learnt",
        f"- tokens obtained: {len(tokens)}; renewals succeeded: {ok}, failed: {len(failed)}",
    ]
    errors = sorted({e.meaning for e in (error_of(ev.body) for ev in events) if e is not None})
    if errors:
        lines.append(f"- errors seen: {'; '.join(errors)}")
    return [*lines, ""]


def _table(events: Sequence[Event], start_ms: int, frames: bool) -> list[str]:
    rows = ["| +time | seq | event | detail |", "|---:|---:|---|---|"]
    for event in events:
        if not frames and event.kind in ("frame_sent", "frame_received"):
            continue
        detail = describe(event).replace("|", "\\|")
        label = KINDS[event.kind].label
        rows.append(
            f"| {(event.wall_ms - start_ms) / 1000:.3f} s | {event.seq} | {label} | {detail} |"
        )
    return [*rows, ""]


def to_markdown(
    events: Sequence[Event], *, title: str = "tokenlab live session", include_frames: bool = True
) -> str:
    """A redacted Markdown report: a summary per connection, then each one's timeline."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"# {title}", "", f"Generated {generated}. {len(events)} events."]
    if not events:
        return "\n".join([*lines, "", "No events were recorded.", ""])
    start = events[0].wall_ms
    lines.append(
        f"Times are relative to the first event ({utc_time(start)}). Secrets, JWT "
        "signatures, MACs and connectionKeys are redacted."
    )
    lines.append("")
    names = list(dict.fromkeys(e.connection for e in events))
    for name in names:
        own = [e for e in events if e.connection == name]
        lines.extend(_summary(name, own))
        lines.append(f"### Timeline of `{name}`")
        lines.append("")
        lines.extend(_table(own, start, include_frames))
    return redact_text("\n".join(lines))


def write_markdown(events: Sequence[Event], path: str, **kwargs: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(to_markdown(events, **kwargs))
