"""``tokenlab inspect [TEXT|-]``: say what a token, TokenRequest, header or key is, and what
is wrong with it.

Accepts anything you might paste: a JWT, ``Bearer …`` or a whole ``Authorization:`` line, a URL
with access_token=, TokenRequest / TokenDetails JSON, an Ably token, even an API key. With --key
the JWT signature or TokenRequest MAC is verified. The first line after the title is the
verdict (Rejected / Accepted, but / Fine / Not a token). --can OP:CHANNEL (repeatable) asks
whether the token may do OP on CHANNEL now, accounting for expiry and the signature. Exit 1
when Ably would reject the token (or a --can answer is not a plain yes).
"""

from __future__ import annotations

import argparse
import contextlib
import textwrap
from typing import TYPE_CHECKING, Any, TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    print_findings,
    read_text,
    resolve_key,
)
from tokenlab.core.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tokenlab.core.issued import TokenLookup
    from tokenlab.core.report import InspectionReport


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(
        subparsers,
        "inspect",
        help="decode and check a token (or anything pasted)",
        description=__doc__,
    )
    p.add_argument("text", nargs="?", metavar="TEXT", help="what to inspect; - or omit for stdin")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    add_key_arguments(p, purpose="verify signatures with")
    p.add_argument(
        "--key-capability",
        metavar="JSON",
        help="the key's capability, to show the token's effective capability",
    )
    p.add_argument("--now-ms", type=int, metavar="MS", help="pretend the time is MS (reproducible)")
    p.add_argument(
        "--sandbox-db",
        nargs="?",
        const="",
        metavar="PATH",
        help="describe opaque tokens issued by `tokenlab sandbox` from its store "
        "(default: the sandbox's own file)",
    )
    p.add_argument(
        "--can",
        action="append",
        default=[],
        metavar="OP:CHANNEL",
        help="ask whether the token may do OP on CHANNEL now (repeatable), e.g. publish:chat:lobby",
    )
    p.set_defaults(func=run)


def _questions(args: argparse.Namespace) -> list[tuple[str, str]]:
    from tokenlab.core.can import parse_question

    try:
        return [parse_question(text) for text in args.can]
    except ValueError as exc:
        raise UserError(f"--can {exc}", code="cli.can") from exc


@contextlib.contextmanager
def _sandbox_lookup(path: str | None) -> Iterator[TokenLookup | None]:
    """The token lookup over a sandbox store file (None: not asked for)."""
    if path is None:
        yield None
        return
    from pathlib import Path

    from tokenlab.commands.sandbox import DB_NAME
    from tokenlab.core import paths
    from tokenlab.sandbox.admin import store_lookup
    from tokenlab.sandbox.store import Store

    target = Path(path) if path else paths.data_dir() / DB_NAME
    if not target.is_file():
        raise UserError(
            f"No sandbox store at {target}.",
            code="cli.no_sandbox_db",
            fix="Give the --db file `tokenlab sandbox` was started with.",
        )
    store = Store(target)
    try:
        yield store_lookup(store)
    finally:
        store.close()


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    from tokenlab.core.can import can
    from tokenlab.core.clock import system_now_ms
    from tokenlab.core.inspector import inspect

    key = resolve_key(args, required=False)
    if args.key_capability and key is None:
        raise UserError(
            "--key-capability needs --key (the capability belongs to that key).",
            code="cli.key_capability_without_key",
            fix="Pass --key appId.keyId:secret (or --key-file / TOKENLAB_KEY) as well.",
        )
    questions = _questions(args)
    text = read_text(args.text)
    caps = {key.name: args.key_capability} if key and args.key_capability else None
    now = args.now_ms if args.now_ms is not None else system_now_ms()
    with _sandbox_lookup(args.sandbox_db) as lookup:
        report = inspect(
            text,
            now_ms=now,
            known_keys=[key] if key else (),
            key_capabilities=caps,
            lookup=lookup,
        )
    answers = [(op, ch, can(report, op, ch, now_ms=now)) for op, ch in questions]

    def payload() -> dict[str, Any]:
        data = report.to_dict()
        if answers:
            data["can"] = [{"operation": o, "channel": c, **a.to_dict()} for o, c, a in answers]
        return data

    def text_out(out: TextIO) -> None:
        render(report, out)
        if answers:
            _section(out, "Can it…?")
            for op, ch, answer in answers:
                out.write(f"  {op} on {ch}: {answer.sentence}\n")

    ok = not report.has_errors and all(a.answer == "yes" for _, _, a in answers)
    return emit(args.json, payload, text_out, ok=ok)


def _section(out: TextIO, title: str) -> None:
    out.write(f"\n{title}\n")


def _table(out: TextIO, rows: list[tuple[str, str, str]]) -> None:
    width = min(max((len(name) for name, _, _ in rows), default=0), 28)
    pad = " " * (width + 6)
    for name, value, note in rows:
        shown = value if len(value) <= 70 else value[:69] + "…"
        out.write(f"  {name:<{width}}  {shown}\n")
        if note:
            out.write(textwrap.fill(note, 100, initial_indent=pad, subsequent_indent=pad) + "\n")


def render(report: InspectionReport, out: TextIO, *, indent: str = "") -> None:
    out.write(f"{indent}{report.kind.display_name}: {report.summary}\n")
    if not indent:
        out.write(f"{report.verdict.sentence}\n")
    for note in report.notes:
        out.write(f"  · {note}\n")
    if report.header:
        _section(out, "Header")
        _table(out, [(f.name, f.display, f.explanation) for f in report.header])
    if report.claims:
        _section(out, "Claims" if report.header else "Fields")
        _table(out, [(f.name, f.display, f.explanation) for f in report.claims])
    if report.sign_text is not None:
        _section(out, "Sign text (↵ = newline)")
        for line in report.sign_text.split("\n")[:-1]:
            out.write(f"  {line}↵\n")
    if report.times:
        _section(out, "Times")
        _table(out, [(t.label, f"{t.relative}", f"{t.iso_utc}  ({t.local})") for t in report.times])
    _render_access(report, out)
    if report.signature.message:
        _section(out, "Signature")
        out.write(f"  {report.signature.status.value}: {report.signature.message}\n")
    _section(out, "Findings")
    print_findings(report.findings, out)
    if report.inner is not None:
        out.write("\n── embedded / contained token ──\n")
        render(report.inner, out, indent="  ")


def _render_access(report: InspectionReport, out: TextIO) -> None:
    if report.identity is not None:
        _section(out, "Identity")
        text = f"{report.identity.kind}: {report.identity.explanation}"
        out.write(textwrap.fill(text, 100, initial_indent="  ", subsequent_indent="    ") + "\n")
    view = report.capability
    if view is not None and (view.explanation or view.raw):
        _section(out, f"Capability ({view.source})")
        for line in view.explanation or (view.raw or "",):
            out.write(f"  {line}\n")
