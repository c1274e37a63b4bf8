"""``tokenlab sandbox``: run the Ably-compatible sandbox headless (a classroom, CI, your tests).

Prints the REST and WebSocket URLs, every demo key, and client options ready to paste into
ably-js and ably-python, then a line per server event until Ctrl-C (or SIGTERM) stops it cleanly.
It listens on 127.0.0.1 (port 0 picks a free port); ``--host 0.0.0.0`` opens it to the network,
which is opt-in and prints a warning. ``--classroom`` adds a second listener for attendees (on
this machine's network addresses, or ``--classroom-host ADDR``): they open its join page, get a
clientId and tokens (never a key secret), and the instructor-only routes answer only on loopback
or with the instructor credential printed in the banner. The store lives under the user data dir
(``TOKENLAB_DATA_DIR`` overrides) unless ``--db`` says otherwise; ``--reset`` starts afresh.
``--tls`` serves HTTPS/WSS with a certificate kept in the data dir and prints how to trust it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from tokenlab.commands.common import new_parser, stop_on_signals
from tokenlab.core import paths
from tokenlab.core.errors import UserError
from tokenlab.sandbox import Sandbox, SandboxConfig, SandboxEvent, tls
from tokenlab.sandbox.classroom import local_addresses
from tokenlab.sandbox.httpwire import is_local_name
from tokenlab.sandbox.snippets import Endpoint, js_key_snippet, python_key_snippet
from tokenlab.sandbox.trust import INSTRUCTOR_HEADER

DB_NAME = "sandbox.sqlite3"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers,
        "sandbox",
        help="run the Ably-compatible sandbox server (REST + WebSocket) headless",
        description=__doc__,
        epilog=None,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    p.add_argument("--db", metavar="PATH", help=f"SQLite file (default <data dir>/{DB_NAME})")
    p.add_argument("--reset", action="store_true", help="delete the store first (new demo keys)")
    p.add_argument(
        "--reauth-lead-ms",
        type=int,
        default=30_000,
        metavar="MS",
        help="send AUTH this long before a token expires (default 30000)",
    )
    p.add_argument(
        "--classroom",
        action="store_true",
        help="let attendees connect: a second listener serving the join page",
    )
    p.add_argument(
        "--classroom-host",
        action="append",
        metavar="ADDR",
        help="address attendees connect to (repeatable; default: this machine's addresses)",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS and WSS with a certificate made on first use in the data dir "
        "(prints how to trust it); needed for Basic auth with a key from the SDKs",
    )
    p.add_argument(
        "--clock-skew",
        type=int,
        default=0,
        metavar="MS",
        help="run the server clock MS ahead (+) or behind (-): shows 40104 and iat errors",
    )
    p.add_argument("--json", action="store_true", help="print the banner and events as JSON")
    p.set_defaults(func=run)


def db_path(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    return str(paths.ensure_dir(paths.data_dir()) / DB_NAME)


def reset_store(path: str) -> None:
    if path == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(serve(args, sys.stdout, sys.stderr))
    except UserError as exc:
        print(f"tokenlab sandbox: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tokenlab sandbox: cannot listen: {exc}", file=sys.stderr)
        return 1


def remote_warning(host: str) -> str | None:
    """The warning printed when the bind address is not loopback (remote access is opt-in)."""
    if is_local_name(host):
        return None
    return (
        f"WARNING: listening on {host}: anyone who can reach this machine can use the "
        "sandbox, its demo auth server and its keys. Use this for a classroom on a trusted "
        "network only. Browser pages can reach it only from localhost or from this sandbox's "
        "own address (http://<this machine's IP>:<port>); pages on any other site or address "
        "are refused (DNS-rebinding guard), so clients must connect by IP address."
    )


async def serve(
    args: argparse.Namespace, out: TextIO, err: TextIO, stop: asyncio.Event | None = None
) -> int:
    warning = remote_warning(args.host)
    remote = warning is not None
    if warning:
        print(warning, file=err)
    path = db_path(args)
    if args.reset:
        reset_store(path)
    certificate = None
    if getattr(args, "tls", False):
        certificate = tls.ensure_certificate(paths.data_dir(), (args.host,))
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        db_path=path,
        allow_remote=remote,
        reauth_lead_ms=args.reauth_lead_ms,
        tls_cert=str(certificate.cert) if certificate else None,
        tls_key=str(certificate.key) if certificate else None,
        clock_skew_ms=args.clock_skew,
    )
    stop = stop or asyncio.Event()
    async with Sandbox(config) as sb:
        if args.classroom or args.classroom_host:
            await sb.open_classroom(args.classroom_host or local_addresses())
        print_banner(sb, path, out, as_json=args.json, certificate=certificate)
        sb.subscribe(lambda event: print_event(event, out, as_json=args.json))
        with stop_on_signals(stop):
            await stop.wait()
    print("sandbox stopped", file=err)
    return 0


def print_banner(
    sb: Sandbox,
    db: str,
    out: TextIO,
    *,
    as_json: bool,
    certificate: tls.Certificate | None = None,
) -> None:
    keys = {label: key.full() for label, key in sb.demo_keys.items()}
    room = sb.classroom
    if as_json:
        banner: dict[str, object] = {
            "rest_url": sb.rest_url,
            "ws_url": sb.ws_url,
            "db": db,
            "keys": keys,
            "admin_token": sb.admin_token,
            "tls_cert": str(certificate.cert) if certificate else None,
            "clock_skew_ms": sb.settings.clock_skew_ms,
        }
        if room.open:
            banner["classroom"] = {"join_urls": room.join_urls()}
        print(json.dumps(banner), file=out, flush=True)
        return
    lines = [
        "tokenlab sandbox (Ably-compatible, local)",
        f"  REST      {sb.rest_url}",
        f"  WebSocket {sb.ws_url}",
        f"  store     {db}",
        f"  clock     {sb.settings.clock_skew_ms:+d} ms from this computer's",
        f"  admin     {sb.admin_token}  (X-Tokenlab-Admin header of POST /auth/mode)",
        f"  auth URL  {sb.rest_url}/auth/token-request?clientId=alice  (also /auth/jwt, "
        "/auth/token)",
        "",
        *classroom_lines(sb),
        *([tls.TRUST_TITLE, *certificate.trust_lines(), ""] if certificate else []),
        "Keys of the demo app:",
        *(f"  {label:<10} {full}" for label, full in keys.items()),
        "",
        *client_snippets(sb, keys.get("full", "appId.keyId:secret")),
        "",
        "Events (Ctrl-C to stop):",
    ]
    print("\n".join(lines), file=out, flush=True)


def tls_lines(certificate: tls.Certificate) -> list[str]:
    return [tls.TRUST_TITLE, *certificate.trust_lines(), ""]


def classroom_lines(sb: Sandbox) -> list[str]:
    room = sb.classroom
    if not room.open:
        return []
    return [
        "Classroom: attendees open the join page (they get a clientId and tokens, no key):",
        *(f"  join      {url}" for url in room.join_urls()),
        f"  instructor-only routes there need the admin credential above ({INSTRUCTOR_HEADER})",
        "",
    ]


def _indent(text: str) -> list[str]:
    return ["  " + line if line else "" for line in text.splitlines()]


def client_snippets(sb: Sandbox, key: str) -> list[str]:
    """Key-based snippets for this machine (attendees get theirs from the join page)."""
    ep = Endpoint.from_url(sb.rest_url)
    return [
        "ably-js (Node ES module: save as sandbox.mjs, run `node sandbox.mjs`):",
        *_indent(js_key_snippet(ep, key)),
        "",
        "ably-python (save as sandbox.py). NOTE: ably-python 3.1.4 ignores the port for",
        "realtime and dials the default one (ably/ably-python#567); the snippet patches that.",
        *(
            []
            if ep.tls
            else [
                "For REST over http use AblyRest(..., use_token_auth=True): Basic auth is "
                "refused there (40103)."
            ]
        ),
        *_indent(python_key_snippet(ep, key)),
    ]


def print_event(event: SandboxEvent, out: TextIO, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(event.to_dict(), default=str), file=out, flush=True)
        return
    stamp = time.strftime("%H:%M:%S", time.localtime(event.at_ms / 1000))
    code = f" [{event.code}]" if event.code is not None else ""
    print(
        f"{stamp}.{event.at_ms % 1000:03d} {event.kind:<18}{code} {event.message}",
        file=out,
        flush=True,
    )
