"""``tokenlab watch``: connect and print a live, readable timeline of one realtime connection.

Targets the embedded sandbox by default (started here, on 127.0.0.1), or ``--endpoint`` (a
running sandbox, Ably production ``wss://main.realtime.ably.net``, or any host). Credentials use
Ably's option names: ``--key``, ``--token``, ``--auth-url`` (+ method, params, headers), or the
built-in issuer playing "your server" (``--issuer-*``). The Live tab's actions have flags
too (``--publish``, ``--enter``, ``--authorize-after``, ``--drop-after``: see watch_actions).
With the embedded sandbox and no credentials, the issuer signs TokenRequests with the
sandbox's demo "full" key. ``--json`` prints redacted NDJSON events instead of the timeline.
Ctrl-C closes the connection cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from typing import TextIO

from tokenlab.commands import watch_actions
from tokenlab.commands.common import add_key_arguments, new_parser, resolve_key, stop_on_signals
from tokenlab.core.errors import UserError
from tokenlab.core.keys import ApiKey
from tokenlab.core.pairs import parse_pairs
from tokenlab.realtime import AuthConfig, ClientOptions, Connection, Endpoint
from tokenlab.realtime.credentials import CredentialInput, build_auth
from tokenlab.realtime.events import Event
from tokenlab.realtime.export import event_to_dict
from tokenlab.realtime.timeline import describe

FRAME_KINDS = ("frame_sent", "frame_received")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers,
        "watch",
        help="connect and print a live timeline (states, clientId, renewals, frames)",
        description=__doc__,
        epilog=None,
    )
    target = p.add_mutually_exclusive_group()
    target.add_argument("--sandbox", action="store_true", help="embedded sandbox (default)")
    target.add_argument("--endpoint", metavar="URL", help="ws(s):// or http(s):// endpoint")
    p.add_argument("--rest-url", metavar="URL", help="REST base URL if not the endpoint's host")
    creds = p.add_argument_group("credentials (Ably option names)")
    add_key_arguments(p, purpose="connect or issue tokens with")
    creds.add_argument("--token", help="a literal Ably token or JWT (cannot be renewed)")
    creds.add_argument("--auth-url", metavar="URL")
    creds.add_argument("--auth-method", choices=("GET", "POST"), default="GET")
    creds.add_argument("--auth-param", action="append", default=[], metavar="K=V")
    creds.add_argument("--auth-header", action="append", default=[], metavar="K=V")
    creds.add_argument(
        "--use-token-auth",
        action="store_true",
        help="with --key: sign TokenRequests instead of Basic auth",
    )
    creds.add_argument("--query-time", action="store_true", help="use the server's clock")
    issuer = p.add_argument_group("built-in issuer (plays your auth server, uses --key)")
    issuer.add_argument(
        "--issuer", choices=("token_request", "jwt", "token"), help="what the issuer hands out"
    )
    issuer.add_argument("--issuer-client-id", metavar="ID")
    issuer.add_argument("--issuer-ttl", type=float, metavar="SECONDS")
    issuer.add_argument("--issuer-capability", metavar="JSON")
    p.add_argument("--client-id", help="clientId option of the connection")
    p.add_argument("--channel", action="append", default=[], help="attach and show messages")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long")
    p.add_argument("--format", choices=("json", "msgpack"), default="json")
    p.add_argument("--frames", action="store_true", help="also show every protocol frame")
    p.add_argument("--json", action="store_true", help="NDJSON events (redacted)")
    watch_actions.add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        code = asyncio.run(watch(args, sys.stdout))
    except UserError as exc:
        print(f"tokenlab watch: {exc}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return 2
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        return code
    # stdout is a closed pipe: point it at devnull so the interpreter's final flush is quiet.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def credential_input(args: argparse.Namespace, sandbox_key: ApiKey | None) -> CredentialInput:
    """The flags as the builder's input (the issuer is the sandbox default)."""
    key = resolve_key(args, required=False)
    issuer_flags = args.issuer or args.issuer_client_id or args.issuer_ttl or args.issuer_capability
    if args.token:
        return CredentialInput("token", token=args.token, label="--token")
    if args.auth_url:
        return CredentialInput(
            "auth_url",
            auth_url=args.auth_url,
            auth_method=args.auth_method,
            auth_params=parse_pairs(args.auth_param, "--auth-param"),
            auth_headers=parse_pairs(args.auth_header, "--auth-header"),
        )
    if key is not None and not issuer_flags:
        return CredentialInput("key", key=key, use_token_auth=args.use_token_auth)
    issuer_key = key or sandbox_key
    if issuer_key is None:
        raise UserError(
            "No credentials: give --key, --token or --auth-url.",
            code="watch.no_auth",
            fix="Or run against the embedded sandbox (the default) without flags.",
        )
    return CredentialInput(
        "issuer",
        key=issuer_key,
        issuer_kind=args.issuer or "token_request",
        issuer_client_id=args.issuer_client_id,
        issuer_capability=args.issuer_capability,
        issuer_ttl_ms=round(args.issuer_ttl * 1000) if args.issuer_ttl else None,
    )


def auth_from_args(args: argparse.Namespace, sandbox_key: ApiKey | None) -> AuthConfig:
    """Choose the auth mode from the flags, through the builder the Live tab uses."""
    return build_auth(credential_input(args, sandbox_key))


class Printer:
    """Writes each event as a timeline line (relative time) or as an NDJSON object."""

    def __init__(
        self, out: TextIO, *, as_json: bool, frames: bool, on_broken: Callable[[], None]
    ) -> None:
        self._out = out
        self._json = as_json
        self._frames = frames
        self._start: float | None = None
        self._on_broken = on_broken
        self.broken = False

    def __call__(self, event: Event) -> None:
        if self.broken:
            return
        try:
            self._write(event)
        except BrokenPipeError:  # e.g. `tokenlab watch --json | head`: stop quietly
            self.broken = True
            self._on_broken()

    def _write(self, event: Event) -> None:
        if self._json:
            self._out.write(json.dumps(event_to_dict(event), ensure_ascii=False, default=str))
            self._out.write("\n")
        elif self._frames or event.kind not in FRAME_KINDS:
            start = self._start = event.mono_ms if self._start is None else self._start
            self._out.write(
                f"+{(event.mono_ms - start) / 1000:8.3f}s  {describe(event, ascii_only=True)}\n"
            )
        self._out.flush()


@contextlib.asynccontextmanager
async def _target(
    args: argparse.Namespace, out: TextIO, quiet: bool
) -> AsyncIterator[tuple[Endpoint, ApiKey | None]]:
    if args.endpoint:
        yield Endpoint.from_url(args.endpoint, rest_url=args.rest_url), None
        return
    from tokenlab.sandbox import Sandbox, SandboxConfig

    async with Sandbox(SandboxConfig()) as sb:
        if not quiet:
            out.write(f"embedded sandbox at {sb.rest_url}\n")
        yield Endpoint.sandbox(sb.ws_url, sb.rest_url), sb.demo_keys.get("full")


async def watch(args: argparse.Namespace, out: TextIO, stop: asyncio.Event | None = None) -> int:
    """The command's body; ``stop`` ends it early (signals set it too). Exit code 1 when the
    connection ended failed."""
    stop = stop or asyncio.Event()
    with stop_on_signals(stop):
        async with _target(args, out, args.json) as (endpoint, sandbox_key):
            options = ClientOptions(
                endpoint=endpoint,
                auth=auth_from_args(args, sandbox_key),
                client_id=args.client_id,
                format=args.format,
                query_time=args.query_time,
            )
            return await _watch_connection(args, options, out, stop)


async def _watch_connection(
    args: argparse.Namespace, options: ClientOptions, out: TextIO, stop: asyncio.Event
) -> int:
    actions = watch_actions.actions_from_args(args)
    conn = Connection("watch", options)
    printer = Printer(out, as_json=args.json, frames=args.frames, on_broken=stop.set)
    conn.stream.add_listener(printer)
    conn.connect()
    for name in args.channel:
        conn.spawn(_attach(conn, name))
    if actions:
        task = conn.spawn(watch_actions.run_actions(conn, actions))
        if args.duration is None:  # with actions and no --duration: end once they are done
            task.add_done_callback(lambda _t: stop.set())
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(args.duration):
            await stop.wait()
    failed = conn.state == "failed"
    await conn.close()
    return 1 if failed else 0


async def _attach(conn: Connection, name: str) -> None:
    with contextlib.suppress(UserError):
        await conn.channels.get(name).attach(timeout_ms=60_000)
