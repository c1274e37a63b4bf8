"""Classroom mode: who joined, their tickets and their connections (the roster).

An attendee joins with a name (``Classroom.join``); they get a clientId derived from it and
unique in the room (``Ada`` -> ``ada``, the next ``Ada`` -> ``ada-2``) and a ticket: the
secret query parameter of their authUrl on the demo auth server, which issues short-lived tokens
for that clientId only. Joins are rate-limited per peer address (42910). The roster combines
the joined attendees with their connections in the session registry and what the event feed
said about each (renewals, the last error with its Ably code). The listeners themselves are
opened and closed by ``Sandbox.open_classroom`` / ``close_classroom``.
"""

from __future__ import annotations

import re
import socket
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tokenlab.core.errors import AblyError, UserError
from tokenlab.sandbox import config as ev
from tokenlab.sandbox.config import SandboxEvent

if TYPE_CHECKING:
    from tokenlab.sandbox.context import Context

MAX_NAME = 40
MAX_ATTENDEES = 500
JOIN_LIMIT, JOIN_WINDOW_MS = 10, 60_000  # joins per peer address per window
TOKEN_TTL_MS = 600_000  # attendees' tokens are short-lived: renewal is part of the lesson
CAPABILITY = '{"*":["publish","subscribe","presence","history"]}'


@dataclass(frozen=True)
class Attendee:
    name: str
    client_id: str
    ticket: str
    joined_ms: int


@dataclass
class ConnectionTrack:
    """What the event feed said about one attendee connection."""

    client_id: str
    state: str = "connecting"
    renewals: int = 0
    last_error: str = ""
    last_code: int | None = None


@dataclass(frozen=True)
class RosterRow:
    """One line of the roster: an attendee and one of their connections (or none yet)."""

    name: str
    client_id: str
    connection_id: str | None
    state: str
    token_expires: int | None
    renewals: int
    last_code: int | None
    last_error: str


def slug(name: str) -> str:
    """A clientId stem from a display name: ASCII letters, digits and dashes, lower case."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:MAX_NAME].strip("-") or "attendee"


def check_name(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise AblyError(40003, "Type your name to join.")
    name = " ".join(raw.split())
    if len(name) > MAX_NAME:
        raise AblyError(40003, f"Names are at most {MAX_NAME} characters.")
    return name


def local_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (the default attendee listeners).

    The UDP "connect" sends nothing: it only asks the kernel which address routes outwards.
    """
    found: list[str] = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never reached, nothing is sent
            found.append(str(probe.getsockname()[0]))
    except OSError:
        pass
    unique = dict.fromkeys(a for a in found if not a.startswith("127.") and a != "0.0.0.0")
    return list(unique)


def check_hosts(hosts: list[str]) -> list[str]:
    for host in hosts:
        if host in ("0.0.0.0", "::", ""):
            raise UserError(
                f"Pick one address for attendees, not the wildcard {host!r}: the loopback "
                "listener stays the instructor's.",
                code="classroom.wildcard",
                fix="Pass --classroom-host with one of this machine's addresses.",
            )
    if not hosts:
        raise UserError(
            "No network address found for attendees to connect to.",
            code="classroom.no_address",
            fix="Connect to the classroom network, or pass --classroom-host ADDR.",
        )
    return hosts


@dataclass
class Classroom:
    """The roster and join bookkeeping of one sandbox run (open or not)."""

    ctx: Context
    instructor_credential: str
    hosts: list[str] = field(default_factory=list)
    port: int = 0
    attendees: dict[str, Attendee] = field(default_factory=dict)  # by clientId
    tracks: dict[str, ConnectionTrack] = field(default_factory=dict)  # by connectionId
    _joins: dict[str, deque[int]] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return bool(self.hosts)

    def join_urls(self) -> list[str]:
        return [f"http://{h if ':' not in h else f'[{h}]'}:{self.port}/" for h in self.hosts]

    # -- joining ----------------------------------------------------------------------------
    def join(self, raw_name: object, peer: str) -> Attendee:
        name = check_name(raw_name)
        self._rate_limit(peer)
        if len(self.attendees) >= MAX_ATTENDEES:
            raise AblyError(42910, f"The room is full ({MAX_ATTENDEES} attendees).", status=429)
        stem, n = slug(name), 1
        client_id = stem
        while client_id in self.attendees:
            n += 1
            client_id = f"{stem}-{n}"
        attendee = Attendee(name, client_id, self.ctx.new_id(24), self.ctx.now_ms())
        self.attendees[client_id] = attendee
        self.ctx.events.emit(
            ev.SETTINGS_CHANGED, f"Classroom: {name} joined as {client_id}", client_id=client_id
        )
        return attendee

    def _rate_limit(self, peer: str) -> None:
        now = self.ctx.now_ms()
        recent = self._joins.setdefault(peer, deque())
        while recent and recent[0] <= now - JOIN_WINDOW_MS:
            recent.popleft()
        if len(recent) >= JOIN_LIMIT:
            raise AblyError(
                42910,
                f"Too many joins from {peer}: at most {JOIN_LIMIT} a minute. Wait a moment.",
                status=429,
            )
        recent.append(now)

    def by_ticket(self, ticket: str | None) -> Attendee:
        found = next((a for a in self.attendees.values() if ticket and a.ticket == ticket), None)
        if found is None:
            raise AblyError(
                40101, "Unknown or missing ticket: join the classroom at / first.", status=401
            )
        return found

    # -- event feed -> roster ---------------------------------------------------------------
    def on_event(self, event: SandboxEvent) -> None:
        conn, cid = event.connection_id, event.client_id
        if conn is None:
            return
        track = self.tracks.get(conn)
        if track is None:
            if cid is None or cid not in self.attendees:
                return
            track = self.tracks[conn] = ConnectionTrack(cid)
        if event.kind in (ev.CONNECTION_OPENED, ev.CONNECTION_RESUMED):
            track.state = "connected"
        elif event.kind == ev.CONNECTION_CLOSED:
            track.state = "closed"
        elif event.kind == ev.AUTH_RENEWED:
            track.renewals += 1
        if event.code is not None:
            track.last_code, track.last_error = event.code, event.message

    def roster(self) -> list[RosterRow]:
        live = {s.connection_id: s for s in self.ctx.sessions.all()}
        rows: list[RosterRow] = []
        for attendee in self.attendees.values():
            conns = [(c, t) for c, t in self.tracks.items() if t.client_id == attendee.client_id]
            if not conns:
                rows.append(RosterRow(attendee.name, attendee.client_id, None, "joined, "
                                      "not connected", None, 0, None, ""))  # fmt: skip
            for conn_id, track in conns:
                session = live.get(conn_id)
                state = track.state
                if session is not None:
                    linked = session.link is not None and session.link.alive
                    state = "connected" if linked else "disconnected (resumable)"
                elif state != "closed":
                    state = "closed"
                expires = session.creds.expires if session is not None else None
                rows.append(RosterRow(attendee.name, attendee.client_id, conn_id, state,
                                      expires, track.renewals, track.last_code,
                                      track.last_error))  # fmt: skip
        return rows

    def is_attendee_session(self, client_id: str | None) -> bool:
        return client_id is not None and client_id in self.attendees
