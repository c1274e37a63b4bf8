"""``tokenlab auth-url URL``: fetch an authUrl the way ably-js and ably-python do, the twin of
the TokenRequest tab's authUrl tester.

Prints the request exactly as sent (secrets masked), the response (and what the demo auth
server says it received), whether an SDK accepts it (content type; TokenDetails need token,
issued and expires; token strings as text/plain or application/jwt; TokenRequest JSON) and,
with --origin, whether a browser page at that origin may read it (CORS), with the fix for each
failure. Exit 0 when an SDK (and the browser, with --origin) would accept the answer.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, TextIO

from tokenlab.commands.common import emit, handles_user_errors, new_parser

if TYPE_CHECKING:
    from tokenlab.realtime.authurl_check import AuthUrlCheck


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers, "auth-url", help="test an authUrl as the Ably SDKs read it", description=__doc__
    )
    p.add_argument("url", metavar="URL", help="the authUrl (http:// or https://)")
    p.add_argument("--auth-method", choices=("GET", "POST"), default="GET")
    p.add_argument("--auth-param", action="append", default=[], metavar="K=V")
    p.add_argument("--auth-header", action="append", default=[], metavar="K=V")
    p.add_argument("--origin", metavar="URL", help="a browser page's origin, to check CORS")
    p.add_argument("--with-credentials", action="store_true", help="the page sends cookies")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


async def check(args: argparse.Namespace) -> AuthUrlCheck:
    import httpx

    from tokenlab.core.pairs import parse_pairs
    from tokenlab.realtime.authurl_check import check_auth_url
    from tokenlab.realtime.credentials import CredentialInput, build_auth
    from tokenlab.realtime.options import AuthUrlAuth

    auth = build_auth(
        CredentialInput(
            "auth_url",
            auth_url=args.url,
            auth_method=args.auth_method,
            auth_params=parse_pairs(args.auth_param, "--auth-param"),
            auth_headers=parse_pairs(args.auth_header, "--auth-header"),
            label="URL",
        )
    )
    assert isinstance(auth, AuthUrlAuth)
    async with httpx.AsyncClient(timeout=10) as client:
        return await check_auth_url(
            auth, {}, client=client, origin=args.origin, with_credentials=args.with_credentials
        )


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    from tokenlab.realtime.authurl_check import describe

    result = asyncio.run(check(args))

    def render(out: TextIO) -> None:
        out.write(describe(result) + "\n")

    return emit(args.json, result.to_dict, render, ok=result.accepted and result.cors_ok)
