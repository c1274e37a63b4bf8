"""The command-line front door: ``tokenlab [inspect|diff|token-request|request-token|revoke|jwt|
verify|auth-url|sandbox|watch|lesson]``.

With no subcommand (or only GUI options such as ``--selftest``) ``tokenlab`` opens the desktop
app. Each subcommand lives in ``tokenlab/commands/<name>.py`` and exposes ``register(subparsers)``;
its handler returns the exit code.

Exit codes: 0 fine, 1 the token or request has errors, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tokenlab import __version__

COMMANDS = (
    "inspect",
    "diff",
    "token_request",
    "request_token",
    "revoke",
    "jwt",
    "verify",
    "auth_url",
    "sandbox",
    "watch",
    "lesson",
)

EPILOG = """exit codes:
  0  fine
  1  the token or request has errors (or the operation failed)
  2  usage error

Secrets: --key may be replaced by the TOKENLAB_KEY environment variable or --key-file,
so that key secrets stay out of your shell history.
Run `tokenlab` with no subcommand to open the desktop app."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokenlab",
        description="Inspect, build and watch Ably tokens.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tokenlab {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"tokenlab.commands.{name}")
        module.register(subparsers)
    return parser


# Options whose value may itself start with '-' (a key whose app id begins with '-', a token):
# argparse would take such a value for an option, so ``--key -x.y:z`` becomes ``--key=-x.y:z``.
VALUE_OPTIONS = frozenset({"--key", "--token", "--secret", "--other-key"})


def join_dash_values(args: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if (
            arg in VALUE_OPTIONS
            and nxt is not None
            and nxt.startswith("-")
            and not nxt.startswith("--")
            and nxt != "-"
        ):
            out.append(f"{arg}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = join_dash_values(list(sys.argv[1:] if argv is None else argv))
    if not args or (args[0].startswith("--") and args[0] not in ("--help", "--version")):
        from tokenlab.gui.app import main as gui_main

        return gui_main(args)
    if args[0] == "-h":
        args[0] = "--help"
    parser = build_parser()
    try:
        namespace = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    func = getattr(namespace, "func", None)
    if func is None:
        parser.print_help()
        return 2
    code: int = func(namespace)
    return code


if __name__ == "__main__":
    sys.exit(main())
