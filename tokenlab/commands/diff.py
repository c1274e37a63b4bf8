"""``tokenlab diff A B``: what changed from token A to token B, the twin of Inspect's Diff tab.

A and B are anything ``tokenlab inspect`` reads (JWTs, TokenRequest / TokenDetails JSON, ...);
- reads one of them from stdin. Times that moved are shown with how far. Exit 0 when the two
are the same, 1 when they differ.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from tokenlab.commands.common import (
    add_key_arguments,
    emit,
    handles_user_errors,
    new_parser,
    read_text,
    resolve_key,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = new_parser(subparsers, "diff", help="compare two tokens", description=__doc__)
    p.add_argument("before", metavar="A", help="the first token (- for stdin)")
    p.add_argument("after", metavar="B", help="the second token (- for stdin)")
    add_key_arguments(p, purpose="verify signatures with")
    p.add_argument("--now-ms", type=int, metavar="MS", help="pretend the time is MS")
    p.add_argument("--json", action="store_true", help="print the changes as JSON")
    p.set_defaults(func=run)


@handles_user_errors
def run(args: argparse.Namespace) -> int:
    from tokenlab.core.clock import system_now_ms
    from tokenlab.core.tokendiff import diff_tokens

    key = resolve_key(args, required=False)
    now = args.now_ms if args.now_ms is not None else system_now_ms()
    before, after = read_text(args.before), read_text(args.after)
    diff = diff_tokens(before, after, now_ms=now, known_keys=[key] if key else ())

    def payload() -> dict[str, object]:
        return {
            **diff.to_dict(),
            "before": {"kind": diff.before.kind.value, "verdict": diff.before.verdict.to_dict()},
            "after": {"kind": diff.after.kind.value, "verdict": diff.after.verdict.to_dict()},
        }

    def render(out: TextIO) -> None:
        out.write(f"A: {diff.before.summary}\n   {diff.before.verdict.sentence}\n")
        out.write(f"B: {diff.after.summary}\n   {diff.after.verdict.sentence}\n\n")
        if diff.identical:
            out.write("No differences.\n")
        for change in diff.changes:
            out.write(f"  {change.describe()}\n")

    return emit(args.json, payload, render, ok=diff.identical)
