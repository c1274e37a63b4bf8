"""``tokenlab inspect [TEXT|-]``: say what a token, TokenRequest, header or key is, and what
is wrong with it.

Accepts anything you might paste: a JWT, ``Bearer …`` or a whole ``Authorization:`` line, a URL
with access_token=, TokenRequest / TokenDetails JSON, an Ably token, even an API key. With --key
the JWT signature or TokenRequest MAC is verified. Exit 1 when the token has errors.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    print_findings,
    read_text,
    resolve_key,
)
from tokenlab.core.clock import system_now_ms
from tokenlab.core.inspector import inspect
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
    p.set_defaults(func=run)


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    text = read_text(args.text)
    key = resolve_key(args, required=False)
    caps = {key.name: args.key_capability} if key and args.key_capability else None
    now = args.now_ms if args.now_ms is not None else system_now_ms()
    report = inspect(text, now_ms=now, known_keys=[key] if key else (), key_capabilities=caps)
    return emit(
        args.json, report.to_dict, lambda out: render(report, out), ok=not report.has_errors
    )


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
        render(report.inner, out)


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
