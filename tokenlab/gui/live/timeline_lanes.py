"""What the Live timeline draws, per connection: state spans, token validity bars, markers.

``TimelineLanes.ingest`` folds ``LogEntry`` rows into one ``Lane`` per connection. Everything
is kept in time order so the painter can find the visible part with ``bisect``. No Qt here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from tokenlab.core.tokens import MAX_TTL_MS
from tokenlab.gui.live.log_store import FrameRecord, LogEntry
from tokenlab.realtime.events import ClientIdResolved, StateChanged, TokenObtained
from tokenlab.realtime.kinds import MARKERS, MarkerKind, frame_marker, marker_of

__all__ = ["MARKERS", "Lane", "Marker", "MarkerKind", "TimelineLanes", "TokenBar"]


@dataclass(frozen=True, slots=True)
class TokenBar:
    start_ms: int
    expires_ms: int | None  # None: unknown expiry (drawn up to "now")
    label: str
    token_kind: str


@dataclass(frozen=True, slots=True)
class Marker:
    t_ms: int
    kind: MarkerKind
    label: str
    seq: int = -1  # the event it stands for (clicking the marker selects it in the log)


@dataclass
class Lane:
    name: str
    state_times: list[int] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    tokens: list[TokenBar] = field(default_factory=list)  # in order of start_ms
    token_starts: list[int] = field(default_factory=list)
    marker_times: list[int] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    client_id: str | None = None

    @property
    def state(self) -> str:
        return self.states[-1] if self.states else "initialized"

    def state_at(self, t_ms: int) -> str | None:
        """The state in force at ``t_ms``; None before the first state change."""
        i = bisect_right(self.state_times, t_ms)
        return self.states[i - 1] if i else None

    def spans(self, start_ms: int, end_ms: int, now_ms: int) -> list[tuple[int, int, str]]:
        """(from, to, state) pieces that overlap [start_ms, end_ms]; the last runs to now."""
        times = self.state_times
        first = max(bisect_right(times, start_ms) - 1, 0)
        out: list[tuple[int, int, str]] = []
        for i in range(first, len(times)):
            begin = times[i]
            if begin > end_ms:
                break
            finish = times[i + 1] if i + 1 < len(times) else max(now_ms, begin)
            if finish >= start_ms:
                out.append((begin, finish, self.states[i]))
        return out

    def add_token(self, bar: TokenBar) -> None:
        i = bisect_right(self.token_starts, bar.start_ms)
        self.token_starts.insert(i, bar.start_ms)
        self.tokens.insert(i, bar)

    def tokens_between(self, start_ms: int, end_ms: int) -> list[tuple[int, TokenBar]]:
        """(index, bar) for bars starting before ``end_ms`` that may reach ``start_ms``
        (no token outlives the 24 h maximum TTL)."""
        hi = bisect_right(self.token_starts, end_ms)
        lo = bisect_left(self.token_starts, start_ms - MAX_TTL_MS)
        return [(i, self.tokens[i]) for i in range(lo, hi)]

    def visible_markers(self, start_ms: int, end_ms: int, bucket_ms: float) -> list[Marker]:
        """At most one marker per ``bucket_ms`` (about two pixels), the most important one,
        found with bisect so a dense lane costs per pixel, not per marker."""
        times, markers = self.marker_times, self.markers
        i = bisect_left(times, start_ms)
        hi = bisect_right(times, end_ms)
        out: list[Marker] = []
        while i < hi:
            j = bisect_left(times, times[i] + bucket_ms, i + 1, hi)
            out.append(min(markers[i : min(j, i + 16)], key=_priority))
            i = j
        return out

    def markers_between(self, start_ms: int, end_ms: int) -> list[Marker]:
        lo = bisect_left(self.marker_times, start_ms)
        hi = bisect_right(self.marker_times, end_ms)
        return self.markers[lo:hi]

    def add_state(self, t_ms: int, state: str) -> None:
        if self.states and self.states[-1] == state:
            return
        if self.state_times and t_ms < self.state_times[-1]:
            t_ms = self.state_times[-1]  # keep spans ordered even if clocks step back
        self.state_times.append(t_ms)
        self.states.append(state)

    def add_marker(self, t_ms: int, kind: MarkerKind, label: str, seq: int = -1) -> None:
        i = bisect_right(self.marker_times, t_ms)
        self.marker_times.insert(i, t_ms)
        self.markers.insert(i, Marker(t_ms, kind, label, seq))


PRIORITY: dict[str, int] = {
    kind: rank
    for rank, kind in enumerate(
        ("error", "revocation", "refusal", "disconnect", "warning", "server_auth", "authorize",
         "renewal", "renewed", "update")
    )
}  # fmt: skip


def _priority(marker: Marker) -> int:
    return PRIORITY.get(marker.kind, len(PRIORITY))


class TimelineLanes:
    """All lanes, in the order connections first appeared."""

    def __init__(self) -> None:
        self._lanes: dict[str, Lane] = {}
        self.first_ms: int | None = None
        self.last_ms: int | None = None

    @property
    def lanes(self) -> list[Lane]:
        return list(self._lanes.values())

    def lane(self, name: str) -> Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = self._lanes[name] = Lane(name)
        return lane

    def remove(self, name: str) -> None:
        self._lanes.pop(name, None)

    def clear(self) -> None:
        self._lanes.clear()
        self.first_ms = self.last_ms = None

    def ingest(self, entries: Iterable[LogEntry]) -> bool:
        """Fold entries in; True when anything drawable changed."""
        changed = False
        for entry in entries:
            if entry.seq < 0:
                continue  # local markers (dropped events) have no lane
            if self.first_ms is None:
                self.first_ms = entry.wall_ms
            self.last_ms = entry.wall_ms
            changed = self._ingest_one(self.lane(entry.connection), entry) or changed
        return changed

    def _ingest_one(self, lane: Lane, entry: LogEntry) -> bool:
        body = entry.payload
        t = entry.wall_ms
        changed = True
        if isinstance(body, FrameRecord):
            marker = frame_marker(body.sent, body.action, body.error)
            changed = False
        else:
            marker = marker_of(body)
            if isinstance(body, StateChanged):
                if body.event != "update":
                    lane.add_state(t, body.current)
            elif isinstance(body, TokenObtained):
                start = body.issued_ms if body.issued_ms is not None else t
                label = f"{body.token_kind} {body.client_id or ''}".strip()
                lane.add_token(TokenBar(start, body.expires_ms, label, body.token_kind))
            elif isinstance(body, ClientIdResolved):
                lane.client_id = body.client_id
            else:
                changed = False
        if marker is not None:
            lane.add_marker(t, marker[0], marker[1], entry.seq)
            return True
        return changed
