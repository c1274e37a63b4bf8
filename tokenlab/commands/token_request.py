"""``tokenlab token-request --key K``: build and sign a TokenRequest, showing the sign text
line by line (↵ marks each newline, the last one included) and the MAC.

TTLs are milliseconds. The capability is signed byte for byte as given (ably-js sends compact
JSON, ably-python a spaced form; both are valid); --canonical re-serialises it first. --json
prints the TokenRequest object, ready to hand to a client. Exit 1 when Ably would reject it.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    has_errors,
    new_parser,
    print_findings,
    require_key,
)
from tokenlab.core.capability import Capability
from tokenlab.core.clock import random_nonce, system_now_ms
from tokenlab.core.diagnose import request_findings
from tokenlab.core.tokens import TokenParams, TokenRequest, create_token_request

FIELD_NAMES = ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers, "token-request", help="build and sign a TokenRequest", description=__doc__
    )
    add_key_arguments(p)
    p.add_argument("--client-id", metavar="ID", help="clientId for the token ('*' = any)")
    p.add_argument("--ttl", type=int, metavar="MS", help="token lifetime in milliseconds")
    p.add_argument("--capability", metavar="JSON", help='e.g. \'{"chat:*":["publish"]}\'')
    p.add_argument("--canonical", action="store_true", help="sign the canonical capability form")
    p.add_argument("--timestamp", type=int, metavar="MS", help="creation time (default: now)")
    p.add_argument("--nonce", metavar="N", help="nonce (default: 16 random hex characters)")
    p.add_argument("--json", action="store_true", help="print only the TokenRequest JSON")
    p.set_defaults(func=run)


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    key = require_key(args)
    capability = args.capability
    if capability is not None:
        parsed = Capability.parse(capability)  # CapabilityError -> usage error
        if args.canonical:
            capability = parsed.canonical()
    params = TokenParams(
        ttl=args.ttl,
        capability=capability,
        client_id=args.client_id,
        timestamp=args.timestamp,
        nonce=args.nonce,
    )
    request = create_token_request(key, params, now_ms=system_now_ms, nonce_factory=random_nonce)
    findings = request_findings(request, system_now_ms())

    def text(out: TextIO) -> None:
        render(request, key.masked(), out)
        print_findings([f for f in findings if f.code != "token_request.default_ttl"], out)

    return emit(args.json, request.to_dict, text, ok=not has_errors(findings))


def sign_text_lines(request: TokenRequest) -> list[tuple[str, str]]:
    """(field name, value) for each of the six sign-text lines."""
    return list(zip(FIELD_NAMES, request.sign_text().split("\n")[:6], strict=True))


def render(request: TokenRequest, key_label: str, out: TextIO) -> None:
    out.write(f"TokenRequest signed with {key_label}\n\n")
    out.write("Sign text (every line ends with a newline, ↵, the last one too):\n")
    for name, value in sign_text_lines(request):
        shown = value if value else "(empty)"
        out.write(f"  {name:<10}  {shown}↵\n" if value else f"  {name:<10}  ↵   {shown}\n")
    out.write("\nMAC = base64(HMAC-SHA256(key secret, sign text)):\n")
    out.write(f"  {request.mac}\n\nTokenRequest JSON:\n")
    out.write(f"  {request.to_json()}\n\nChecks:\n")
