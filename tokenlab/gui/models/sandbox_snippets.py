"""Copyable key-based client snippets for the Sandbox tab (the text lives in sandbox.snippets).

``js_snippet`` and ``python_snippet`` return source text for ably-js (a Node ES module) and
ably-python for a REST base URL and a key; ``masked`` replaces the key secret for display
(copying uses the real text). No Qt here.
"""

from __future__ import annotations

from tokenlab.sandbox.snippets import (
    PY_PORT_PATCH,
    Endpoint,
    host_port,
    js_key_snippet,
    python_key_snippet,
    shown_key,
)

__all__ = ["PY_PORT_PATCH", "host_port", "js_snippet", "python_snippet", "shown_key"]


def js_snippet(rest_url: str, key_text: str, *, masked: bool = False) -> str:
    return js_key_snippet(Endpoint.from_url(rest_url), shown_key(key_text, masked))


def python_snippet(rest_url: str, key_text: str, *, masked: bool = False) -> str:
    return python_key_snippet(Endpoint.from_url(rest_url), shown_key(key_text, masked))
