"""What the Live tab's details pane says about one event: the decoded frame, the error code
explained, and for a renewal the difference between the previous token and the new one.

Pure functions returning small HTML documents (escaped); ``masked`` hides key secrets, token
bodies and JWT signatures using the realtime redaction rules. No Qt here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from tokenlab.core import timefmt
from tokenlab.gui.live.log_store import FrameRecord, LogEntry
from tokenlab.realtime.codes import error_help
from tokenlab.realtime.events import TokenObtained
from tokenlab.realtime.kinds import KINDS, error_of
from tokenlab.realtime.protocol import ErrorInfo, decode_frame, flag_names
from tokenlab.realtime.redact import redact_token, redact_value

Highlight = tuple[str, str]  # background, text colour of a changed value
DEFAULT_HIGHLIGHT: Highlight = ("#fff3b0", "#000000")


def _when(ms: int | None) -> str:
    if ms is None:
        return "unknown"
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    local = moment.astimezone()
    return f"{local:%H:%M:%S} local ({moment:%Y-%m-%d %H:%M:%S} UTC)"


def _clock(ms: int | None) -> str:
    if ms is None:
        return "unknown"
    seconds, millis = divmod(ms, 1000)
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone().strftime("%H:%M:%S") + (
        f".{millis:03d}"
    )


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def _row(name: str, value: object) -> str:
    return f"<tr><td><b>{escape(name)}</b></td><td>{escape(str(value))}</td></tr>"


def _table(rows: list[tuple[str, object]]) -> str:
    return "<table cellspacing='2'>" + "".join(_row(n, v) for n, v in rows) + "</table>"


def explain_error(error: ErrorInfo) -> str:
    helped = error_help(error)
    meaning, hint, link = helped.meaning, helped.hint, helped.link
    parts = [
        f"<h3>Error {error.code}</h3>",
        f"<p><b>{escape(meaning)}</b><br>{escape(error.message)}</p>",
    ]
    if hint:
        parts.append(f"<p>{escape(hint)}</p>")
    if link:
        parts.append(f"<p><a href='{escape(link)}'>{escape(link)}</a></p>")
    if error.cause is not None:
        parts.append("<p>Caused by:</p>" + explain_error(error.cause))
    return "".join(parts)


def _decoded_frame(frame: FrameRecord, masked: bool) -> str:
    try:
        message: Any = decode_frame(frame.raw)
    except Exception as exc:  # an undecodable frame is shown, not raised
        return f"<p>Could not decode the frame: {escape(str(exc))}</p>"
    if masked:
        message = redact_value(message)
    flags = message.get("flags") if isinstance(message, dict) else None
    lines = []
    if isinstance(flags, int) and flags:
        lines.append(f"<p>flags: {escape(', '.join(flag_names(flags)))}</p>")
    encoding = "msgpack (binary)" if isinstance(frame.raw, bytes) else "JSON (text)"
    lines.append(f"<p>{encoding}, {len(frame.raw)} bytes</p>")
    text = json.dumps(message, indent=2, ensure_ascii=False, default=repr)
    return "".join(lines) + _pre(text)


def frame_html(frame: FrameRecord, masked: bool) -> str:
    direction = "sent to the server" if frame.sent else "received from the server"
    head = f"<h3>{escape(frame.action_name)} (action {frame.action}), {direction}</h3>"
    channel = f"<p>channel: {escape(frame.channel)}</p>" if frame.channel else ""
    return head + channel + _decoded_frame(frame, masked)


def abbreviate(text: str, keep: int = 10) -> str:
    """Long tokens as ``head…tail`` so a diff table stays readable."""
    return text if len(text) <= 2 * keep + 1 else f"{text[:keep]}…{text[-keep:]}"


def _token_fields(token: TokenObtained, masked: bool) -> dict[str, str]:
    ttl = (
        f"{(token.expires_ms - token.issued_ms) / 1000:g} s"
        if token.expires_ms is not None and token.issued_ms is not None
        else "unknown"
    )
    return {
        "kind": token.token_kind,
        "token": abbreviate(redact_token(token.token) if masked else token.token),
        "clientId": repr(token.client_id),
        "capability": token.capability or "(not visible)",
        "issued": _clock(token.issued_ms),
        "expires": _clock(token.expires_ms),
        "ttl": ttl,
        "source": f"{token.source} via {token.via}",
    }


def token_diff_rows(
    before: TokenObtained, after: TokenObtained, masked: bool, highlight: Highlight
) -> list[str]:
    old, new = _token_fields(before, masked), _token_fields(after, masked)
    style_changed = f" style='background-color:{highlight[0]}; color:{highlight[1]}'"
    rows = []
    for name in new:
        style = "" if old[name] == new[name] else style_changed
        rows.append(
            f"<tr><td><b>{escape(name)}</b></td><td>{escape(old[name])}</td>"
            f"<td{style}>{escape(new[name])}</td></tr>"
        )
    return rows


def changed_fields(before: TokenObtained, after: TokenObtained) -> list[str]:
    old, new = _token_fields(before, False), _token_fields(after, False)
    return [name for name in new if old[name] != new[name]]


def token_html(
    token: TokenObtained,
    previous: TokenObtained | None,
    masked: bool,
    highlight: Highlight = DEFAULT_HIGHLIGHT,
) -> str:
    parts = [f"<h3>Token obtained ({escape(token.trigger)})</h3>"]
    parts.append("<p>Times are local; the exact UTC time of the event is above.</p>")
    if token.changes:
        items = "".join(f"<li>{escape(c)}</li>" for c in token.changes)
        parts.append(f"<ul>{items}</ul>")
    if previous is None:
        parts.append(_table(list(_token_fields(token, masked).items())))
    else:
        changed = ", ".join(changed_fields(previous, token)) or "nothing"
        parts.append(f"<p>Compared with the previous token, changed: {escape(changed)}.</p>")
        parts.append("<table cellspacing='2'>")
        parts.append("<tr><th></th><th>before</th><th>after</th></tr>")
        parts.extend(token_diff_rows(previous, token, masked, highlight))
        parts.append("</table>")
    for title, part in (("JWT header", token.jwt_header), ("JWT claims", token.jwt_claims)):
        if part is not None:
            parts.append(f"<p><b>{title}</b></p>" + _pre(json.dumps(part, indent=2, default=str)))
    return "".join(parts)


def format_field(name: str, value: object, at_ms: int) -> str:
    """A field as a person reads it: times as "in 4 min (14:03:07.125)", durations with
    units, never a raw epoch or float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value) if not isinstance(value, ErrorInfo) else f"{value.code} {value.message}"
    if name in TIME_FIELDS:
        ms = int(value)
        return f"{timefmt.relative(ms, at_ms)} ({_clock(ms)} local)"
    if name.endswith("_ms"):
        return timefmt.duration(round(value)) if value >= 1 else f"{value:.2f} ms"
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


TIME_FIELDS = frozenset({"expires_ms", "issued_ms", "timestamp"})


def _generic_html(payload: object, at_ms: int) -> str:
    fields = getattr(payload, "__slots__", ())
    rows = [(name, getattr(payload, name)) for name in fields if name not in ("reason", "error")]
    return _table([(n, format_field(n, v, at_ms)) for n, v in rows])


def details_html(entry: LogEntry, *, masked: bool, highlight: Highlight = DEFAULT_HIGHLIGHT) -> str:
    """The whole details document for one log entry."""
    label = KINDS[entry.kind].label if entry.kind in KINDS else entry.kind
    head = (
        f"<p><b>#{entry.seq}</b> · {escape(entry.connection)} · {escape(label)}<br>"
        f"{escape(_when(entry.wall_ms))}</p><p>{escape(entry.summary)}</p>"
    )
    payload = entry.payload
    if isinstance(payload, FrameRecord):
        body = frame_html(payload, masked)
        error = payload.error
    elif isinstance(payload, TokenObtained):
        body, error = token_html(payload, entry.previous_token, masked, highlight), None
    else:
        body = _generic_html(payload, entry.wall_ms)
        error = error_of(payload)
    explained = explain_error(error) if isinstance(error, ErrorInfo) else ""
    return head + explained + body


EMPTY_DETAILS = (
    "<p>Select an event to see the decoded frame, the meaning of its error code and, for a "
    "renewal, what changed in the token.</p>"
)
