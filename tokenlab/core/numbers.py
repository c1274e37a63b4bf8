"""Strict number parsing for wire values: ASCII digits with a length bound, finite numbers.

Python's ``str.isdigit`` accepts ``²`` and Arabic-Indic digits, ``int`` refuses more than 4,300
digits with a ValueError, and ``json`` decodes ``NaN``, ``Infinity`` and ``1e400`` (infinity).
Every numeric query parameter, claim and field a client controls goes through these helpers, so
hostile numbers become a specific Ably error at the edge instead of an exception deep inside.
"""

from __future__ import annotations

import math
from typing import Any

MAX_DIGITS = 18  # every such value fits in a signed 64-bit integer
INT64_MAX = 2**63 - 1


def ascii_int(text: str, *, max_digits: int = MAX_DIGITS, signed: bool = False) -> int | None:
    """``text`` as an int when it is 1..``max_digits`` ASCII digits (with an optional ``-``
    when ``signed``); otherwise None."""
    digits = text[1:] if signed and text.startswith("-") else text
    if not 0 < len(digits) <= max_digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


def finite_number(value: Any, *, limit: float = INT64_MAX) -> float | int | None:
    """``value`` when it is a real number (not a bool) that is finite and within ``±limit``;
    otherwise None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if -limit <= value <= limit else None


def shown(value: Any, width: int = 60) -> str:
    """A short ``repr`` for an error message that cannot itself fail (Python refuses to print
    an int of more than 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
        return "an integer out of range"
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"
