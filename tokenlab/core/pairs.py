"""``name=value`` pairs as people type them: authParams, authHeaders, JWT claims.

One parser for every front end (the CLI's repeated options, the Live editor's and the authUrl
tester's one-pair-a-line boxes, ``tokenlab jwt --claim``), so a malformed pair gets the same
message, code and fix everywhere. Pure and dependency-free, so offline commands stay light.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenlab.core.errors import UserError


def split_pair(item: str, what: str, where: str = "", *, colon: bool = True) -> tuple[str, str]:
    """One ``name=value`` (or ``Name: value``, as HTTP headers are written), stripped.

    The first ``=`` or ``:`` separates, so ``url=http://x`` and ``Authorization: Bearer a=b``
    both read as meant; ``colon=False`` for values that hold ``:`` themselves (JSON claims).
    ``where`` places a bad item ("line 3") in the one error message.
    """
    at = {sep: item.find(sep) for sep in ("=", ":" if colon else "=") if sep in item}
    sep = min(at, key=at.__getitem__, default="=")
    name, _, value = item.partition(sep)
    if not at or not name.strip():
        raise UserError(
            f"{what}{where} is not name=value: {item.strip()!r}.",
            code="credentials.pair",
            fix="Write each one as name=value, e.g. sub=alice.",
        )
    return name.strip(), value.strip()


def parse_pairs(values: Iterable[str], what: str) -> dict[str, str]:
    """``name=value`` items (``--auth-param``, ``--auth-header``) as a dict (last one wins)."""
    return dict(split_pair(item, what) for item in values)


def parse_pair_lines(text: str, what: str) -> tuple[tuple[str, str], ...]:
    """One ``name=value`` a line (an editor's authParams / authHeaders); blank lines skipped."""
    return tuple(
        split_pair(line, what, f" line {number}")
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip()
    )
