"""``tokenlab request-token``: exchange a TokenRequest (or a key and token params) for
TokenDetails at the sandbox or Ably, the twin of the TokenRequest tab's Exchange.

REQUEST is a signed TokenRequest JSON (- for stdin). Without it, --key signs one here from
--client-id, --ttl (ms) and --capability. --rest-url chooses the REST host (a running sandbox,
or Ably: https://main.realtime.ably.net, the default); --sandbox starts the embedded one and,
without --key, uses its demo "full" key. Ably's refusal is printed with its code (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    print_json,
    read_text,
    resolve_key,
)
from tokenlab.core.errors import AblyError, UserError

if TYPE_CHECKING:
    from tokenlab.core.keys import ApiKey

ABLY_REST = "https://main.realtime.ably.net"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers,
        "request-token",
        help="exchange a TokenRequest (or a key) for TokenDetails",
        description=__doc__,
    )
    p.add_argument("request", nargs="?", metavar="REQUEST", help="TokenRequest JSON; - for stdin")
    add_key_arguments(p)
    p.add_argument("--client-id", metavar="ID", help="clientId for the token ('*' = any)")
    p.add_argument("--ttl", type=int, metavar="MS", help="token lifetime in milliseconds")
    p.add_argument("--capability", metavar="JSON", help='e.g. \'{"chat:*":["publish"]}\'')
    where = p.add_mutually_exclusive_group()
    where.add_argument("--rest-url", metavar="URL", help=f"REST base URL (default {ABLY_REST})")
    where.add_argument("--sandbox", action="store_true", help="start the embedded sandbox")
    p.add_argument("--json", action="store_true", help="print the TokenDetails as JSON")
    p.set_defaults(func=run)


@contextlib.asynccontextmanager
async def rest_target(
    args: argparse.Namespace, default_key: str = "full"
) -> AsyncIterator[tuple[str, ApiKey | None]]:
    """(REST base URL, a key the target offers): --rest-url, the embedded sandbox, or Ably."""
    if not getattr(args, "sandbox", False):
        yield (args.rest_url or ABLY_REST), None
        return
    from tokenlab.sandbox import Sandbox, SandboxConfig

    async with Sandbox(SandboxConfig()) as sb:
        yield sb.rest_url, sb.demo_keys.get(default_key)


async def exchange(args: argparse.Namespace) -> dict[str, Any]:
    from tokenlab.core.clock import system_now_ms
    from tokenlab.core.tokens import TokenParams, TokenRequest, create_token_request
    from tokenlab.realtime.rest import AblyRest

    async with rest_target(args) as (rest_url, sandbox_key):
        if args.request is not None:
            try:
                request = TokenRequest.from_dict(json.loads(read_text(args.request)))
            except ValueError as exc:
                raise UserError(f"REQUEST is not JSON: {exc}", code="cli.not_json") from exc
        else:
            key = resolve_key(args, required=sandbox_key is None) or sandbox_key
            assert key is not None
            params = TokenParams(ttl=args.ttl, capability=args.capability, client_id=args.client_id)
            request = create_token_request(key, params, now_ms=system_now_ms)
        async with AblyRest(rest_url) as rest:
            details = await rest.request_token(request)
    return {"restUrl": rest_url, "tokenRequest": request.to_dict(), **details.to_dict()}


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    if args.request is not None and (args.key or args.client_id or args.ttl or args.capability):
        raise UserError(
            "Give either a TokenRequest or --key with token params, not both.",
            code="cli.request_and_key",
        )
    try:
        result = asyncio.run(exchange(args))
    except AblyError as exc:
        return _refused(exc, args.json)
    result.pop("tokenRequest")

    def render(out: TextIO) -> None:
        out.write(f"TokenDetails from {result.pop('restUrl')}:\n")
        for name, value in result.items():
            out.write(f"  {name:<11} {value}\n")

    return emit(args.json, lambda: result, render, ok=True)


def _refused(exc: AblyError, as_json: bool) -> int:
    if as_json:
        print_json({"error": exc.error_info()})
    else:
        print(f"✖ refused: {exc.message} (Ably error {exc.ably_code})")
        if exc.fix:
            print(f"  fix: {exc.fix}")
    return 1
