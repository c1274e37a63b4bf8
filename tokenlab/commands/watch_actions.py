"""The actions ``tokenlab watch`` can take, the scriptable twin of the Live tab's buttons.

``--publish CHANNEL:DATA`` (repeatable, ``--publish-as`` claims another clientId),
``--enter CHANNEL``, ``--authorize-after SECONDS`` (with ``--authorize-capability`` and
``--authorize-client-id``) and ``--drop-after SECONDS`` call the same realtime methods as the
GUI, so they produce the same events and Ably codes (a client-side 40012 / 91000 / 40102, a
server NACK 40160). Publishes and enters run once connected, in order; the timed actions run
when their time (counted from CONNECTED) comes. Each step waits for its outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tokenlab.core.capability import Capability
from tokenlab.core.errors import UserError
from tokenlab.core.tokens import TokenParams
from tokenlab.realtime import Connection, IssuerAuth
from tokenlab.realtime.events import Note

Step = Callable[[Connection], Awaitable[object]]


@dataclass(frozen=True)
class Action:
    at_s: float  # seconds after CONNECTED
    what: str
    run: Step


def add_arguments(p: argparse.ArgumentParser) -> None:
    acts = p.add_argument_group("actions (as the Live tab's buttons; the command ends after them)")
    acts.add_argument("--publish", action="append", default=[], metavar="CHANNEL:DATA",
                      help="publish DATA on CHANNEL once connected (repeatable)")  # fmt: skip
    acts.add_argument("--publish-as", metavar="CLIENTID", help="the clientId the publishes claim")
    acts.add_argument("--enter", action="append", default=[], metavar="CHANNEL",
                      help="enter presence on CHANNEL (repeatable)")  # fmt: skip
    acts.add_argument("--authorize-after", type=float, metavar="SECONDS",
                      help="call authorize() this long after connecting")  # fmt: skip
    acts.add_argument("--authorize-capability", metavar="JSON", help="capability to authorize")
    acts.add_argument("--authorize-client-id", metavar="ID", help="clientId to authorize as")
    acts.add_argument("--drop-after", type=float, metavar="SECONDS",
                      help="drop the socket this long after connecting (it resumes)")  # fmt: skip


def _publish(text: str, claimed: str | None) -> Action:
    channel, sep, data = text.partition(":")
    if not sep or not channel.strip():
        raise UserError(
            f"--publish {text!r} must look like CHANNEL:DATA", code="watch.publish",
            fix="For example: --publish chat:hello",
        )  # fmt: skip
    who = f" as {claimed!r}" if claimed else ""

    async def run(conn: Connection) -> None:
        await conn.channels.get(channel.strip()).publish(None, data, client_id=claimed)

    return Action(0.0, f"publish {data!r} on {channel.strip()}{who}", run)


def _enter(channel: str) -> Action:
    async def run(conn: Connection) -> None:
        await conn.channels.get(channel).presence.enter()

    return Action(0.0, f"enter presence on {channel}", run)


def _authorize(args: argparse.Namespace) -> Action:
    capability = None
    if args.authorize_capability:
        capability = Capability.parse(args.authorize_capability).canonical()
    client_id = args.authorize_client_id

    async def run(conn: Connection) -> None:
        auth = conn.options.auth
        new_auth = None
        if client_id is not None and isinstance(auth, IssuerAuth):
            new_auth = dataclasses.replace(auth, client_id=client_id)  # "your server" decides
        params = TokenParams(capability=capability, client_id=client_id)
        await conn.authorize(params, auth=new_auth)

    parts = [f"capability {capability}" if capability else "", f"clientId {client_id!r}"
             if client_id else ""]  # fmt: skip
    detail = ", ".join(p for p in parts if p) or "the same params"
    return Action(args.authorize_after, f"authorize() with {detail}", run)


def _drop(after: float) -> Action:
    async def run(conn: Connection) -> None:
        conn.simulate_network_drop()
        await conn.wait_for_state("connected")

    return Action(after, "drop the network", run)


def actions_from_args(args: argparse.Namespace) -> list[Action]:
    """The requested actions in the order they run; UserError for a malformed flag."""
    out = [_publish(text, args.publish_as) for text in args.publish]
    out += [_enter(channel) for channel in args.enter]
    timed = []
    if args.authorize_after is not None or args.authorize_capability or args.authorize_client_id:
        timed.append(_authorize(args))
    if args.drop_after is not None:
        timed.append(_drop(args.drop_after))
    return out + sorted(timed, key=lambda a: a.at_s)


async def run_actions(conn: Connection, actions: list[Action]) -> None:
    """Wait for CONNECTED, then run each action when due; refusals and NACKs are already in
    the event stream, so a failed step is noted and the next one runs."""
    if not actions:
        return
    try:
        await conn.wait_connected(timeout_ms=60_000)
    except UserError:
        return  # the failure is in the stream; nothing can be done on this connection
    loop = asyncio.get_running_loop()
    start = loop.time()
    for action in actions:
        await asyncio.sleep(max(0.0, start + action.at_s - loop.time()))
        conn.emit(Note(f"watch: {action.what}"))
        try:
            await action.run(conn)
        except UserError as exc:
            code = f"{exc.ably_code} " if exc.ably_code is not None else ""
            # info: the refusal or NACK itself is already in the stream as the error
            conn.emit(Note(f"watch: {action.what} failed ({code.strip() or exc.code})"))
