"""``tokenlab verify TOKEN``: check a JWT signature, or a TokenRequest MAC.

--key uses an Ably key (HS256 with the secret's UTF-8 bytes, and kid must name the key; for a
TokenRequest, the MAC is checked and a mismatch explained). --secret takes any HMAC secret (as
text, or with --base64 as base64); --pem and --jwk take a public or private key file for RS*,
ES*, PS* and EdDSA. TOKEN may be - for stdin, and may carry Bearer / Authorization: wrappers.
Exit 0 when the signature verifies, 1 when it does not.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    print_findings,
    read_secret_file,
    read_text,
    resolve_key,
    secret_from,
)
from tokenlab.core.errors import TokenFormatError, UserError

if TYPE_CHECKING:
    from tokenlab.core.jws import JwtKey
    from tokenlab.core.keys import ApiKey


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers, "verify", help="verify a JWT signature or TokenRequest MAC", description=__doc__
    )
    p.add_argument("token", metavar="TOKEN", help="JWT or TokenRequest JSON; - for stdin")
    add_key_arguments(p, purpose="verify with")
    p.add_argument("--secret", metavar="S", help="an HMAC secret (UTF-8 text unless --base64)")
    p.add_argument("--secret-file", metavar="PATH", help="read the HMAC secret from a file")
    p.add_argument("--base64", action="store_true", help="the secret is base64-encoded bytes")
    p.add_argument("--pem", metavar="FILE", help="a PEM public key, private key or certificate")
    p.add_argument("--jwk", metavar="FILE", help="a JWK (JSON) file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _jwt_key(args: argparse.Namespace) -> JwtKey | None:
    from tokenlab.core import jws

    secret = secret_from(args.secret, args.secret_file)
    if secret is not None:
        return jws.key_from_secret(secret, base64_encoded=args.base64)
    if args.pem:
        return jws.key_from_pem(read_secret_file(args.pem))
    if args.jwk:
        return jws.key_from_jwk(read_secret_file(args.jwk))
    return None


def _choose(args: argparse.Namespace) -> tuple[ApiKey | None, JwtKey | None]:
    chosen = [x for x in (args.secret, args.secret_file, args.pem, args.jwk) if x]
    explicit_key = args.key is not None or args.key_file is not None
    if len(chosen) + explicit_key > 1:
        raise UserError("Give only one of --key, --secret, --pem or --jwk.", code="cli.many_keys")
    jwt_key = _jwt_key(args)
    key = None if jwt_key else resolve_key(args, required=False)
    if key is None and jwt_key is None:
        raise UserError(
            "Nothing to verify with.",
            code="cli.no_key",
            fix="Pass --key, --secret, --pem or --jwk.",
        )
    return key, jwt_key


def _verify_request(text: str, key: ApiKey, as_json: bool) -> int:
    from tokenlab.core.clock import system_now_ms
    from tokenlab.core.diagnose import diagnose_token_request

    diagnosis = diagnose_token_request(text, key, now_ms=system_now_ms())

    def render(out: TextIO) -> None:
        state = "✔ MAC valid" if diagnosis.mac_ok else "✖ MAC invalid"
        out.write(f"{state} (key {key.masked()})\n")
        print_findings(diagnosis.findings, out)

    return emit(as_json, diagnosis.to_dict, render, ok=diagnosis.mac_ok)


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    from tokenlab.core.ably_jwt import decode_jwt
    from tokenlab.core.sniff import unwrap
    from tokenlab.core.verify import verify_ably_jwt, verify_general_jwt

    key, jwt_key = _choose(args)
    text = unwrap(read_text(args.token)).text
    if text.startswith("{"):
        if key is None:
            raise UserError("A TokenRequest MAC is verified with --key.", code="cli.no_key")
        return _verify_request(text, key, args.json)
    try:
        decoded = decode_jwt(text)
    except TokenFormatError as exc:
        raise UserError(f"Not a JWT: {exc.message}", code=exc.code, fix=exc.fix) from exc
    if jwt_key is not None:
        result = verify_general_jwt(decoded, jwt_key)
    elif key is not None:
        result = verify_ably_jwt(decoded, key)
    else:  # pragma: no cover - _choose guarantees one of them
        raise UserError("Nothing to verify with.", code="cli.no_key")

    def payload() -> dict[str, object]:
        return {**result.to_dict(), "header": decoded.header, "claims": decoded.claims}

    def render(out: TextIO) -> None:
        out.write(f"{'✔ valid' if result.valid else '✖ invalid'}: {result.message}\n")
        if result.key_warning:
            out.write(f"⚠ weak key: {result.key_warning}\n")

    return emit(args.json, payload, render, ok=result.valid)
