"""The command-line front door: ``tokenlab [inspect|diff|token-request|request-token|revoke|jwt|
verify|auth-url|sandbox|watch|lesson]``.

With no subcommand (or only GUI options such as ``--selftest``) ``tokenlab`` opens the desktop
app. ``COMMANDS`` is the registry of subcommands: one ``Command`` entry each, naming the module
that implements it. A module is imported only when its command is chosen, so ``tokenlab inspect``
never loads the sandbox, the realtime client or the HTTP stacks (tests/smoke/test_imports.py
keeps it so). A command module exposes ``register(subparsers)``, which adds its parser with
``commands.common.new_parser`` and sets ``func``; the handler returns the exit code.

To add a command: write ``tokenlab/commands/<name>.py`` and add one ``Command`` line below
(packaging/tokenlab.spec reads this registry, so the frozen app bundles the module too).

Exit codes: 0 fine, 1 the token or request has errors, 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokenlab import __version__

if TYPE_CHECKING:
    import argparse


@dataclass(frozen=True)
class Command:
    """A subcommand: its name on the command line, its one-line summary for ``tokenlab --help``
    and the module (under ``tokenlab.commands``) imported only when the command is chosen."""

    name: str
    summary: str
    module: str = ""

    @property
    def module_name(self) -> str:
        return f"tokenlab.commands.{self.module or self.name.replace('-', '_')}"


COMMANDS: tuple[Command, ...] = (
    Command("inspect", "decode and check a token (or anything pasted)"),
    Command("diff", "compare two tokens"),
    Command("token-request", "build and sign a TokenRequest"),
    Command("request-token", "exchange a TokenRequest (or a key) for TokenDetails"),
    Command("revoke", "revoke tokens (revokeTokens)"),
    Command("jwt", "mint an Ably JWT or an embedded-token JWT"),
    Command("verify", "verify a JWT signature or TokenRequest MAC"),
    Command("auth-url", "test an authUrl as the Ably SDKs read it"),
    Command("sandbox", "run the Ably-compatible sandbox server (REST + WebSocket) headless"),
    Command("watch", "connect and print a live timeline (states, clientId, renewals, frames)"),
    Command("lesson", "list, run and check auth lessons"),
)

EPILOG = """exit codes:
  0  fine
  1  the token or request has errors (or the operation failed)
  2  usage error

Secrets: --key may be replaced by the TOKENLAB_KEY environment variable or --key-file,
so that key secrets stay out of your shell history.
Run `tokenlab` with no subcommand to open the desktop app."""


def find_command(name: str) -> Command | None:
    return next((c for c in COMMANDS if c.name == name), None)


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the full sub-parser of ``chosen`` only (its module imported); the other
    commands appear as summaries, enough for ``--help`` and "invalid choice" messages."""
    import argparse  # ~6 ms (gettext): only when there is a command line to parse
    import importlib

    parser = argparse.ArgumentParser(
        prog="tokenlab",
        description="Inspect, build and watch Ably tokens.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tokenlab {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        if command.name == chosen:
            importlib.import_module(command.module_name).register(subparsers)
        else:
            subparsers.add_parser(command.name, help=command.summary)
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
    command = find_command(args[0])
    parser = build_parser(command.name if command else None)
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
