"""Text and JSON that can always be written: what the CLI prints, whatever the input held.

Hostile input reaches reports intact (a lone surrogate in a claim, ``NaN`` or ``1e400`` from a
JSON body), and Python refuses to encode either: UTF-8 rejects surrogates and ``json.dumps``
writes ``NaN``/``Infinity``, which are not JSON. ``dumps`` always returns valid JSON (non-finite
numbers become strings, lone surrogates ``\\uXXXX`` escapes); ``escape_surrogates`` makes text
encodable for human output.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as the visible escape ``\\udXXX``."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'nan', 'inf', '-inf': shown as text, never invalid JSON
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text that is valid and encodable as UTF-8, whatever ``value`` holds."""
    text = json.dumps(_finite(value), indent=indent, ensure_ascii=False, default=str)
    return escape_surrogates(text)  # surrogates only occur inside string literals
