"""Shared CLI helpers: exit codes, reading keys and secrets, input text, JSON and findings output.

Secrets come from ``--key``, ``--key-file`` or the ``TOKENLAB_KEY`` environment variable (in that
order), so they can stay out of shell history. Nothing here ever prints a key secret: keys are
shown masked (``appId.keyId:••••``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from tokenlab.core import safetext
from tokenlab.core.errors import UserError
from tokenlab.core.findings import Finding, Severity
from tokenlab.core.keys import ApiKey
from tokenlab.core.safetext import escape_surrogates

if TYPE_CHECKING:
    import asyncio  # only the long-running commands (sandbox, watch) need it

EXIT_OK = 0
EXIT_ERRORS = 1  # the token or request has errors
EXIT_USAGE = 2
KEY_ENV = "TOKENLAB_KEY"

EXIT_HELP = """exit codes:
  0  fine
  1  the token or request has errors
  2  usage error (bad arguments, unreadable key or file)

The key may also come from --key-file or the TOKENLAB_KEY environment variable."""

_ICONS = {Severity.ERROR: "✖", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}
_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}

Handler = Callable[[argparse.Namespace], int]


def add_key_arguments(parser: argparse.ArgumentParser, *, purpose: str = "sign with") -> None:
    parser.add_argument(
        "--key", metavar="KEY", help=f"API key appId.keyId:secret to {purpose} (or {KEY_ENV})"
    )
    parser.add_argument("--key-file", metavar="PATH", help="read the API key from a file")


def read_secret_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read {path}: {exc}", code="cli.unreadable_file") from exc


def secret_from(value: str | None, path: str | None, env: str | None = None) -> str | None:
    """``value`` itself, else the file at ``path``, else the environment variable ``env``."""
    if value is not None:
        return value
    if path:
        return read_secret_file(path)
    return (os.environ.get(env) or None) if env else None


def resolve_key(args: argparse.Namespace, *, required: bool = True) -> ApiKey | None:
    """The API key from --key, --key-file or TOKENLAB_KEY; UserError if required and absent."""
    text = secret_from(getattr(args, "key", None), getattr(args, "key_file", None), KEY_ENV)
    if text is None:
        if required:
            raise UserError(
                "An API key is needed.",
                code="cli.no_key",
                fix=f"Pass --key appId.keyId:secret, --key-file PATH or set {KEY_ENV}.",
            )
        return None
    return ApiKey.parse(text)


def require_key(args: argparse.Namespace) -> ApiKey:
    key = resolve_key(args, required=True)
    if key is None:  # pragma: no cover - resolve_key raises instead
        raise UserError("An API key is needed.", code="cli.no_key")
    return key


def read_text(value: str | None, stdin: TextIO | None = None) -> str:
    """The argument itself, or standard input for ``-`` / no argument (not from a terminal).

    Standard input is read as bytes and decoded as UTF-8; bytes that are not valid UTF-8
    become U+FFFD (with a note on stderr) rather than a decoding traceback."""
    if value is not None and value != "-":
        return value
    stream = stdin or sys.stdin
    if value is None and stream.isatty():
        raise UserError(
            "Nothing to read: pass the text or pipe it in (use - for stdin).", code="cli.no_input"
        )
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream.read()
    raw = buffer.read()
    try:
        return str(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        sys.stderr.write(
            f"tokenlab: note: the input is not valid UTF-8 (byte {exc.start}); invalid bytes "
            "are shown as \ufffd.\n"
        )
        return str(raw.decode("utf-8", "replace"))


def write_text(text: str, stream: TextIO | None = None) -> None:
    """Write ``text`` whatever it holds: lone surrogates are escaped, and characters the
    stream's encoding lacks are written as backslash escapes."""
    out = stream or sys.stdout
    text = escape_surrogates(text)
    encoding = getattr(out, "encoding", None) or "utf-8"
    out.write(text.encode(encoding, "backslashreplace").decode(encoding))


class SafeStream:
    """A text stream wrapper whose ``write`` never fails on what the text holds (see
    ``write_text``); everything else (``isatty`` for colours, ``flush``) is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        write_text(text, self._stream)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def print_json(value: Any, stream: TextIO | None = None) -> None:
    write_text(safetext.dumps(value, indent=2) + "\n", stream)


def emit(
    as_json: bool, payload: Callable[[], Any], render: Callable[[TextIO], None], *, ok: bool
) -> int:
    """Print ``payload()`` as JSON (--json) or ``render`` the text form to stdout; return the
    exit code: EXIT_OK when ``ok``, else EXIT_ERRORS."""
    if as_json:
        print_json(payload())
    else:
        render(cast(TextIO, SafeStream(sys.stdout)))
    return EXIT_OK if ok else EXIT_ERRORS


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def paint(text: str, code: str, stream: TextIO) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if use_colour(stream) else text


def format_finding(finding: Finding, stream: TextIO) -> list[str]:
    head = f"{_ICONS[finding.severity]} {finding.severity.value:<7}"
    lines = [f"  {paint(head, _COLOURS[finding.severity], stream)} {finding.message}"]
    if finding.fix:
        lines.append(f"              fix: {finding.fix}")
    if finding.ably_text:
        href = f"  {finding.href}" if finding.href else ""
        lines.append(f"              {finding.ably_text}{href}")
    return lines


def print_findings(findings: Iterable[Finding], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    items = list(findings)
    if not items:
        out.write("  ✔ no problems found\n")
    for finding in items:
        out.write("\n".join(format_finding(finding, out)) + "\n")


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def report_user_error(exc: UserError, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    out.write(f"tokenlab: error: {exc}\n")
    if exc.fix:
        out.write(f"  fix: {exc.fix}\n")


def handles_user_errors(func: Handler) -> Handler:
    """Turn an expected failure into a message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except UserError as exc:
            report_user_error(exc)
            return EXIT_USAGE
        except BrokenPipeError:  # e.g. piped into `head`
            return EXIT_OK

    return wrapper


def new_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    help: str,
    description: str | None,
    epilog: str | None = EXIT_HELP,
) -> argparse.ArgumentParser:
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """While inside, Ctrl-C and SIGTERM set ``stop`` (where the platform allows it)."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
