"""SignTextView: the canonical TokenRequest sign text, one field per line, newlines visible.

Ably HMACs ``keyName\\n ttl\\n capability\\n clientId\\n timestamp\\n nonce\\n`` (every field,
even an empty one, ends with exactly one LF, the last included; spec RSA9g). Showing
the LFs as ↵ and empty fields as "(empty)" makes the most common signing mistakes visible.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QWidget

from tokenlab.gui import theme

FIELDS = ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")


def sign_text_html(text: str) -> str:
    """HTML rendering of ``text`` (a sign text); lines beyond the six fields are flagged."""
    lines = text.split("\n")
    trailing_newline = text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    muted = theme.muted_colour().name()
    key_colour = theme.part_colour("header").name()
    value_colour = theme.part_colour("claims").name()
    width = max(len(f) for f in FIELDS)
    rows = []
    for i, line in enumerate(lines):
        name = FIELDS[i] if i < len(FIELDS) else "extra!"
        colour = key_colour if i == 0 else value_colour
        value = (
            f'<span style="color:{colour}">{html.escape(line)}</span>'
            if line
            else f'<span style="color:{muted}">(empty)</span>'
        )
        ends = i < len(lines) - 1 or trailing_newline
        newline = f'<span style="color:{muted}">↵</span>' if ends else ""
        label = html.escape(name.ljust(width))
        rows.append(f'<span style="color:{muted}">{label} │ </span>{value}{newline}')
    if not trailing_newline:
        warn = theme.severity_colour("error").name()
        rows.append(f'<span style="color:{warn}">missing the final newline</span>')
    family = html.escape(theme.mono_font().family())
    return f'<pre style="font-family:{family}; white-space:pre-wrap">' + "\n".join(rows) + "</pre>"


class SignTextView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sign text")
        self.setOpenLinks(False)
        self._text = ""

    def set_sign_text(self, text: str) -> None:
        self._text = text
        self.setHtml(sign_text_html(text) if text else "")

    def sign_text(self) -> str:
        return self._text
