"""The command-line front door: ``tokenlab [inspect|token-request|jwt|verify|sandbox|watch|...]``.

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

COMMANDS = ("inspect", "token_request", "jwt", "verify", "sandbox", "watch", "lesson")

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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
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
