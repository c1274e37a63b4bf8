"""One readable line per event, shared by ``tokenlab watch`` and the Markdown report.

The words come from the kinds registry (``kinds.py``), so the CLI, the exports and the Live
tab say the same thing; this module adds the UTC clock and an ASCII form for terminals that
cannot print arrows. Lines never contain secrets (everything passes through redaction).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tokenlab.realtime.events import Event
from tokenlab.realtime.kinds import summarize
from tokenlab.realtime.redact import redact_text

_ASCII = str.maketrans({"→": "->", "←": "<-", "↑": "^", "↓": "v", "…": "..."})


def utc_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3] + "Z"


def describe(event: Event, *, ascii_only: bool = False) -> str:
    """A one-line, secret-free description of ``event``."""
    text = redact_text(summarize(event.body, event.wall_ms))
    return text.translate(_ASCII) if ascii_only else text
