"""``tokenlab jwt --key K``: mint an Ably JWT (HS256, kid = key name, iat/exp in seconds).

--general mints a JWT for your own servers instead: any --alg, keyed with --secret (UTF-8, or
--base64), --pem or --jwk, claims from --claim. Add --outer-secret to wrap the Ably JWT in your
own JWT under x-ably-token (an embedded-token JWT), or --embed-token T to embed an existing
Ably token or JWT instead (no key needed then). --quiet prints only the token, for scripts;
--json prints the token with its header and claims.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    print_findings,
    require_key,
    secret_from,
)
from tokenlab.core.ably_jwt import decode_jwt, mint_ably_jwt, mint_embedded_jwt
from tokenlab.core.capability import Capability
from tokenlab.core.clock import system_now_ms
from tokenlab.core.errors import UserError
from tokenlab.core.inspector import inspect

if TYPE_CHECKING:
    from tokenlab.core.jws import JwtKey

OUTER_SECRET_ENV = "TOKENLAB_OUTER_SECRET"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers, "jwt", help="mint an Ably JWT or an embedded-token JWT", description=__doc__
    )
    add_key_arguments(p)
    p.add_argument("--client-id", metavar="ID", help="x-ably-clientId ('*' = any clientId)")
    p.add_argument("--ttl", type=int, default=3600, metavar="S", help="lifetime in SECONDS (3600)")
    p.add_argument("--iat", type=int, metavar="S", help="issued-at in seconds (default: now)")
    p.add_argument("--capability", metavar="JSON", help="x-ably-capability (a JSON string)")
    p.add_argument("--revocation-key", metavar="R", help="x-ably-revocation-key")
    p.add_argument("--client-type", metavar="T", help="x-ably-clientType (e.g. server)")
    p.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="an extra claim; the value is JSON, or taken as a string",
    )
    embed = p.add_argument_group("embedded token (your own JWT carrying an Ably token)")
    embed.add_argument("--embed-token", metavar="T", help="the Ably token or JWT to embed")
    embed.add_argument(
        "--outer-secret",
        metavar="S",
        help=f"your own JWT secret (or {OUTER_SECRET_ENV}, --outer-secret-file)",
    )
    embed.add_argument("--outer-secret-file", metavar="PATH")
    embed.add_argument(
        "--in-claims",
        action="store_true",
        help="put x-ably-token in the claims instead of the header",
    )
    general = p.add_argument_group("general JWT (not Ably: any algorithm, your own key)")
    general.add_argument("--general", action="store_true", help="mint a general JWT")
    general.add_argument("--alg", default=None, metavar="ALG", help="e.g. HS256, RS256, ES256")
    general.add_argument("--secret", metavar="S", help="an HMAC secret (UTF-8 unless --base64)")
    general.add_argument("--secret-file", metavar="PATH", help="read the HMAC secret from a file")
    general.add_argument("--base64", action="store_true", help="the secret is base64")
    general.add_argument("--pem", metavar="FILE", help="a PEM private key")
    general.add_argument("--jwk", metavar="FILE", help="a JWK (JSON) file with a private key")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print token, header and claims as JSON")
    out.add_argument("--quiet", "-q", action="store_true", help="print only the token")
    p.set_defaults(func=run)


def _extra_claims(pairs: list[str]) -> dict[str, object]:
    from tokenlab.core.pairs import split_pair

    claims: dict[str, object] = {}
    for pair in pairs:
        name, raw = split_pair(pair, "--claim", colon=False)
        try:
            claims[name] = json.loads(raw)
        except ValueError:
            claims[name] = raw
    return claims


def _general_key(args: argparse.Namespace) -> JwtKey:
    from tokenlab.commands.common import read_secret_file
    from tokenlab.core import jws

    secret = secret_from(args.secret, args.secret_file)
    given = [x for x in (secret, args.pem, args.jwk) if x is not None]
    if len(given) != 1:
        if args.alg == "none" and not given:
            return jws.NO_KEY
        raise UserError(
            "--general needs exactly one of --secret, --secret-file, --pem or --jwk.",
            code="cli.general_key",
        )
    if secret is not None:
        return jws.key_from_secret(secret, base64_encoded=args.base64)
    if args.pem:
        return jws.key_from_pem(read_secret_file(args.pem))
    return jws.key_from_jwk(read_secret_file(args.jwk))


def mint_general(args: argparse.Namespace, now_s: int) -> tuple[str, str | None]:
    """A general JWT: iat/exp plus --claim values, signed with --alg and the given key."""
    from tokenlab.core import jws

    iat = args.iat if args.iat is not None else now_s
    claims: dict[str, object] = {"iat": iat, "exp": iat + args.ttl, **_extra_claims(args.claim)}
    minted = jws.mint_jwt(claims, _general_key(args), algorithm=args.alg)
    return minted.token, minted.key_warning


def mint(args: argparse.Namespace, now_s: int) -> str:
    iat = args.iat if args.iat is not None else now_s
    outer = secret_from(args.outer_secret, args.outer_secret_file, OUTER_SECRET_ENV)
    inner = args.embed_token
    if inner is None:
        if args.capability is not None:
            Capability.parse(args.capability)  # refuse an invalid capability up front
        inner = mint_ably_jwt(
            require_key(args),
            iat_s=iat,
            ttl_s=args.ttl,
            capability=args.capability,
            client_id=args.client_id,
            revocation_key=args.revocation_key,
            client_type=args.client_type,
            extra_claims=_extra_claims(args.claim) if outer is None else None,
        )
        if outer is None:
            return str(inner)
    if outer is None:
        raise UserError(
            "--embed-token needs --outer-secret (your own JWT secret).", code="cli.no_outer_secret"
        )
    return mint_embedded_jwt(
        inner,
        outer_secret=outer,
        iat_s=iat,
        exp_s=iat + args.ttl,
        in_header=not args.in_claims,
        extra_claims=_extra_claims(args.claim),
    )


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    now_ms = system_now_ms()
    warning = None
    if args.general:
        token, warning = mint_general(args, now_ms // 1000)
    else:
        token = mint(args, now_ms // 1000)
    report = inspect(token, now_ms=now_ms)
    decoded = decode_jwt(token)

    def payload() -> dict[str, object]:
        return {
            "token": token,
            "header": decoded.header,
            "claims": decoded.claims,
            "verdict": report.verdict.to_dict(),
            "findings": [f.to_dict() for f in report.findings],
            "keyWarning": warning,
        }

    def render(out: TextIO) -> None:
        if args.quiet:
            out.write(token + "\n")
            return
        out.write(f"{token}\n\n{report.kind.display_name}: {report.summary}\n")
        out.write(f"{report.verdict.sentence}\n")
        if warning:
            out.write(f"⚠ weak key: {warning}\n")
        out.write(f"  header  {json.dumps(decoded.header)[:200]}\n")
        out.write(f"  claims  {json.dumps(decoded.claims)[:400]}\n\nChecks:\n")
        print_findings(report.findings, out)

    # a general JWT is for your own servers: Ably's verdict on it is shown, not an error
    return emit(args.json, payload, render, ok=args.general or not report.has_errors)
