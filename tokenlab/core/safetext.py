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
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


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


def has_lone_surrogate(value: Any) -> bool:
    """True when a string (or map key) anywhere in ``value`` holds a lone surrogate, which
    JSON's ``\\udXXX`` escapes can produce but UTF-8 (and so SQLite, msgpack and the wire)
    cannot carry. Iterative, so hostile nesting cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def may_hold_surrogate_escape(json_text: str) -> bool:
    """A cheap pre-check on JSON text: only a ``\\uD800``-``\\uDFFF`` escape can decode to a
    surrogate (decoded UTF-8 text never holds one)."""
    return "\\u" in json_text and _SURROGATE_ESCAPE.search(json_text) is not None
