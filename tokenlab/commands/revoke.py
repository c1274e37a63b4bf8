"""``tokenlab revoke --key K --client-id ID``: revoke tokens by clientId, revocation key or
channel (``POST /keys/{keyName}/revokeTokens``), the twin of the Live and Sandbox tabs' Revoke.

Targets repeat and mix: --client-id, --revocation-key, --channel. --issued-before MS revokes
only tokens issued before then; --allow-reauth-margin gives connected clients about 30 s to
reauthenticate. The key must be the one that issued the tokens and have revocable tokens.
Prints what was hit (one line per target). --sandbox starts the embedded sandbox and, without
--key, uses its demo "revocable" key.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any, TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    resolve_key,
)
from tokenlab.commands.request_token import ABLY_REST, _refused, rest_target
from tokenlab.core.errors import AblyError, UserError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(subparsers, "revoke", help="revoke tokens (revokeTokens)", description=__doc__)
    add_key_arguments(p, purpose="revoke with (the issuing key)")
    p.add_argument("--client-id", action="append", default=[], metavar="ID")
    p.add_argument("--revocation-key", action="append", default=[], metavar="R")
    p.add_argument("--channel", action="append", default=[], metavar="NAME")
    p.add_argument("--issued-before", type=int, metavar="MS", help="only tokens issued before")
    p.add_argument(
        "--allow-reauth-margin",
        action="store_true",
        help="let connected clients reauthenticate first (about 30 s)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--rest-url", metavar="URL", help=f"REST base URL (default {ABLY_REST})")
    where.add_argument("--sandbox", action="store_true", help="start the embedded sandbox")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=run)


def targets(args: argparse.Namespace) -> list[str]:
    found = [f"clientId:{v}" for v in args.client_id]
    found += [f"revocationKey:{v}" for v in args.revocation_key]
    found += [f"channel:{v}" for v in args.channel]
    if not found:
        raise UserError(
            "Nothing to revoke.",
            code="cli.no_targets",
            fix="Give --client-id, --revocation-key or --channel (each may repeat).",
        )
    return found


async def revoke(args: argparse.Namespace, wanted: list[str]) -> dict[str, Any]:
    from tokenlab.realtime.rest import AblyRest

    async with rest_target(args, "revocable") as (rest_url, sandbox_key):
        key = resolve_key(args, required=sandbox_key is None) or sandbox_key
        assert key is not None
        async with AblyRest(rest_url) as rest:
            outcomes = await rest.revoke_tokens(
                key,
                wanted,
                issued_before=args.issued_before,
                allow_reauth_margin=args.allow_reauth_margin,
            )
    return {
        "restUrl": rest_url,
        "keyName": key.name,
        "results": [
            {"target": o.target, "appliesAt": o.applies_at, "error": o.error, "text": o.describe()}
            for o in outcomes
        ],
    }


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    wanted = targets(args)
    try:
        result = asyncio.run(revoke(args, wanted))
    except AblyError as exc:
        return _refused(exc, args.json)
    ok = all(r["error"] is None for r in result["results"])

    def render(out: TextIO) -> None:
        out.write(f"revokeTokens with {result['keyName']} at {result['restUrl']}:\n")
        for item in result["results"]:
            out.write(f"  {'✔' if item['error'] is None else '✖'} {item['text']}\n")

    return emit(args.json, lambda: result, render, ok=ok)
