"""The attendee listener of classroom mode: opened beside the instructor's loopback listener.

``AttendeeListener.open`` binds the same port as the main listener on each classroom address
(a free port if that one is taken there) with an app of its own: the same REST and realtime
routes behind the attendee guard (``trust``), the join page and the ticketed auth server
(``joinpage``). ``close`` ends attendee connections cleanly (ERROR 40300, so the SDKs stop
retrying a listener that is gone), then closes the listener.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from tokenlab.core.errors import AblyError, UserError
from tokenlab.sandbox import config as ev
from tokenlab.sandbox import rest
from tokenlab.sandbox.classroom import Classroom, check_hosts
from tokenlab.sandbox.context import CONTEXT, Context
from tokenlab.sandbox.httpwire import MAX_BODY_BYTES, make_middlewares
from tokenlab.sandbox.joinpage import CLASSROOM
from tokenlab.sandbox.joinpage import add_routes as add_join_routes
from tokenlab.sandbox.trust import LISTENER, attendee_middleware

log = logging.getLogger(__name__)
MAX_REQUEST_LINE = 1_048_576


def attendee_app(ctx: Context, classroom: Classroom) -> web.Application:
    guard = attendee_middleware(classroom.hosts, classroom.instructor_credential)
    app = web.Application(
        # the attendee guard replaces the loopback one: it admits the classroom's addresses
        middlewares=[guard, *make_middlewares(classroom.hosts[0], guard=False)],
        client_max_size=MAX_BODY_BYTES,
    )
    app[CONTEXT] = ctx
    app[CLASSROOM] = classroom
    app[LISTENER] = "attendee"
    rest.add_routes(app)
    add_join_routes(app)
    return app


class AttendeeListener:
    def __init__(self, ctx: Context, classroom: Classroom) -> None:
        self._ctx = ctx
        self.classroom = classroom
        self._runner: web.AppRunner | None = None

    @property
    def is_open(self) -> bool:
        return self._runner is not None

    async def open(self, hosts: list[str], port: int) -> list[str]:
        """Listen for attendees on ``hosts``; returns the join URLs."""
        if self._runner is not None:
            await self.close()
        self.classroom.hosts = check_hosts(list(dict.fromkeys(hosts)))
        runner = web.AppRunner(
            attendee_app(self._ctx, self.classroom),
            access_log=None,
            shutdown_timeout=2.0,
            max_line_size=MAX_REQUEST_LINE,
            max_field_size=MAX_REQUEST_LINE,
        )
        await runner.setup()
        try:
            self.classroom.port = await _bind(runner, self.classroom.hosts, port)
        except OSError as exc:
            await runner.cleanup()
            self.classroom.hosts = []
            raise UserError(
                f"Cannot listen for attendees on {', '.join(hosts)}: {exc.strerror or exc}",
                code="classroom.listen",
                fix="Pick an address of this machine with --classroom-host.",
            ) from None
        self._runner = runner
        urls = self.classroom.join_urls()
        self._ctx.events.emit(ev.SETTINGS_CHANGED, f"Classroom open: attendees join at {urls[0]}")
        return urls

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        bye = AblyError(40300, "The instructor closed the classroom.", status=403)
        ended = 0
        for session in self._ctx.sessions.all():
            if self.classroom.is_attendee_session(session.identity.client_id):
                self._ctx.sessions.fail(session, bye, ev.CONNECTION_CLOSED)
                ended += 1
        if ended:
            await asyncio.sleep(0.05)  # let the writers flush the ERROR frames
        await runner.cleanup()
        self.classroom.hosts = []
        self._ctx.events.emit(
            ev.SETTINGS_CHANGED, f"Classroom closed; {ended} attendee connection(s) ended"
        )


async def _bind(runner: web.AppRunner, hosts: list[str], port: int) -> int:
    sites: list[web.TCPSite] = []
    for wanted in (port, 0):
        try:
            for host in hosts:
                site = web.TCPSite(runner, host, wanted, backlog=1024)
                await site.start()
                sites.append(site)
                if wanted == 0:  # the rest of the addresses share the port picked here
                    wanted = _port_of(runner)
            return _port_of(runner)
        except OSError:
            for site in sites:
                await site.stop()
            sites.clear()
            if wanted == 0 or port == 0:
                raise
    raise OSError("no port")


def _port_of(runner: web.AppRunner) -> int:
    return int(runner.addresses[-1][1])
