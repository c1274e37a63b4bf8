"""Channel history as the REST API defines it: a bounded log per channel, queries and pages.

``HistoryLog`` keeps the last ``HISTORY_LIMIT`` items (messages, or presence events) of a
channel in memory, within a byte budget, each with a sequence number. ``HistoryQuery`` is a
request's ``limit`` (default 100, at most 1000), ``direction`` (``backwards``: newest first,
the default; ``forwards``: oldest first), ``start``/``end`` (ms since the epoch, inclusive)
and the page cursor. ``HistoryLog.page`` answers one page and the query of the next one, from
which ``link_header`` builds the ``Link`` header (``rel="first"``, ``rel="current"``,
``rel="next"``) that both SDKs follow (RSL2b, TG). ``parse_rewind`` reads the ``rewind``
channel param (a message count, or a time such as ``10s`` or ``2m``).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from tokenlab.core.errors import AblyError
from tokenlab.core.numbers import ascii_int
from tokenlab.sandbox.protocol import message_size

HISTORY_LIMIT = 1_000
DEFAULT_LIMIT, MAX_LIMIT = 100, 1_000
REWIND_MAX = 100
_REWIND_TIME = re.compile(r"^([0-9]{1,9})(s|m)$")


class HistoryLog:
    """The recent items of one channel, oldest first, with increasing sequence numbers."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self._items: deque[tuple[int, dict[str, Any]]] = deque(maxlen=limit)
        self._sizes: deque[int] = deque()  # parallel to _items
        self.bytes = 0
        self._seq = 0

    def extend(self, items: list[dict[str, Any]], max_bytes: int) -> None:
        """Append, dropping the oldest past ``HISTORY_LIMIT`` items or ``max_bytes`` (the
        newest item is always kept)."""
        for item in items:
            if len(self._items) == self._items.maxlen:
                self._items.popleft()
                self.bytes -= self._sizes.popleft()
            self._seq += 1
            size = message_size(item)
            self._items.append((self._seq, item))
            self._sizes.append(size)
            self.bytes += size
        while self.bytes > max_bytes and len(self._items) > 1:
            self._items.popleft()
            self.bytes -= self._sizes.popleft()

    def clear(self) -> None:
        self._items.clear()
        self._sizes.clear()
        self.bytes = 0

    def latest(self, count: int) -> list[dict[str, Any]]:
        return [item for _, item in list(self._items)[-count:]] if count > 0 else []

    def since(self, timestamp: int) -> list[dict[str, Any]]:
        return [item for _, item in self._items if _timestamp(item) >= timestamp]

    def __len__(self) -> int:
        return len(self._items)

    def page(self, query: HistoryQuery) -> tuple[list[dict[str, Any]], HistoryQuery | None]:
        """One page of items, and the query for the next page (None on the last one)."""
        forwards = query.direction == "forwards"
        ordered = list(self._items) if forwards else list(reversed(self._items))
        chosen: list[tuple[int, dict[str, Any]]] = []
        cursor = query.cursor
        for seq, item in ordered:
            if cursor is not None and (seq < cursor if forwards else seq > cursor):
                continue
            stamp = _timestamp(item)
            if query.start is not None and stamp < query.start:
                continue
            if query.end is not None and stamp > query.end:
                continue
            chosen.append((seq, item))
            if len(chosen) > query.limit:
                break
        if len(chosen) <= query.limit:
            return [item for _, item in chosen], None
        following = chosen[query.limit][0]
        return [item for _, item in chosen[: query.limit]], replace(query, cursor=following)


@dataclass(frozen=True)
class HistoryQuery:
    limit: int = DEFAULT_LIMIT
    direction: str = "backwards"
    start: int | None = None
    end: int | None = None
    cursor: int | None = None

    @classmethod
    def parse(cls, query: Any) -> HistoryQuery:
        """From a request's query mapping; a bad value is 40003 with the parameter named."""
        limit = _int(query, "limit", DEFAULT_LIMIT)
        if not 1 <= limit <= MAX_LIMIT:
            raise AblyError(40003, f"limit must be an integer from 1 to {MAX_LIMIT}.")
        direction = query.get("direction", "backwards")
        if direction not in ("backwards", "forwards"):
            raise AblyError(40003, "direction must be 'backwards' or 'forwards'.")
        start, end = _opt_int(query, "start"), _opt_int(query, "end")
        if start is not None and end is not None and start > end:
            raise AblyError(40003, "start must not be later than end.")
        return cls(limit, direction, start, end, _opt_int(query, "cursor"))

    def params(self) -> dict[str, str]:
        out = {"limit": str(self.limit), "direction": self.direction}
        for name in ("start", "end", "cursor"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        return out


def link_header(resource: str, current: HistoryQuery, following: HistoryQuery | None) -> str:
    """``Link`` relative to the resource's own path (``./messages?…``), as Ably sends it."""
    first = replace(current, cursor=None)
    links = [
        f'<./{resource}?{urlencode(first.params())}>; rel="first"',
        f'<./{resource}?{urlencode(current.params())}>; rel="current"',
    ]
    if following is not None:
        links.append(f'<./{resource}?{urlencode(following.params())}>; rel="next"')
    return ", ".join(links)


def parse_rewind(value: object, now: int) -> tuple[int | None, int | None]:
    """A ``rewind`` channel param: (message count, or None) and (since timestamp, or None).
    40000 for anything else."""
    text = str(value).strip()
    count = ascii_int(text)
    if count is not None:
        return min(count, REWIND_MAX), None
    match = _REWIND_TIME.match(text)
    if match is None:
        raise AblyError(40000, f"Invalid rewind value {text!r:.40}: use a count or e.g. 10s, 2m.")
    seconds = int(match.group(1)) * (60 if match.group(2) == "m" else 1)
    return None, now - seconds * 1000


def _timestamp(item: dict[str, Any]) -> int:
    value = item.get("timestamp")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _opt_int(query: Any, name: str) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    return _int(query, name, 0)


def _int(query: Any, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    value = ascii_int(str(raw))
    if value is None:
        raise AblyError(40003, f"{name} must be a non-negative integer (got {str(raw)!r:.40}).")
    return value
